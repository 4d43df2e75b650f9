"""Reference FID and KID values (scipy / numpy, float64) for the Java FrechetDistance and Kid tests.

How it was run (from the worktree root; Debian python3-scipy 1.10.1, numpy 1.24.2):

    /usr/bin/python3 metrics/src/test/python/fid_kid_reference.py metrics/src/test/resources/metrics

Writes into the output folder, for each case c:
  * fidkid_<c>_x.npy, fidkid_<c>_y.npy : float64 feature sets [N1, D], [N2, D] (random Gaussian,
    numpy RandomState, different means and covariances);
and fid_kid_reference.json with, per case:
  * fid: pytorch-fid's calculate_frechet_distance (mu/cov with np.mean / np.cov(rowvar=False), i.e.
    ddof 1; covmean = scipy.linalg.sqrtm(sigma1 @ sigma2, disp=False); the eps*I offset if the
    product is singular; real part), re-implemented here from its published formula;
  * kid: the stylegan2-ada-pytorch / Binkowski et al. estimator (polynomial kernel
    (x.y / D + 1)^3, unbiased MMD^2 averaged over subsets) on the explicit subset indices stored in
    the JSON (subset_x, subset_y: num_subsets x m; drawn with RandomState(123).choice(..., replace=False),
    gen = x, real = y), so that Java can use the same subsets;
  * kid_subsets: the per-subset MMD^2 values.
"""
import json
import os
import sys

import numpy as np
import scipy
import scipy.linalg


def fid(x, y, eps=1e-6):
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    diff = mu1 - mu2
    covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((s1 + offset).dot(s2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def kid(x, y, sx, sy):
    n = x.shape[1]
    m = sx.shape[1]
    vals = []
    for ix, iy in zip(sx, sy):
        a, b = x[ix], y[iy]
        k = (a @ a.T / n + 1) ** 3 + (b @ b.T / n + 1) ** 3
        c = (a @ b.T / n + 1) ** 3
        vals.append((k.sum() - np.diag(k).sum()) / (m - 1) / m - c.sum() * 2 / m / m)
    return float(np.mean(vals)), [float(v) for v in vals]


def main(out):
    os.makedirs(out, exist_ok=True)
    cases = []
    specs = [("d8", 8, 40, 30, 0), ("d32", 32, 200, 150, 1), ("d48_rankdef", 48, 40, 36, 2)]
    for name, d, n1, n2, seed in specs:
        r = np.random.RandomState(seed)
        a1 = r.randn(d, d) / np.sqrt(d)
        a2 = np.eye(d) + 0.5 * r.randn(d, d) / np.sqrt(d)
        x = r.randn(n1, d) @ a1 + 0.3 * r.randn(d)
        y = r.randn(n2, d) @ a2 + 0.1
        np.save(os.path.join(out, "fidkid_%s_x.npy" % name), x)
        np.save(os.path.join(out, "fidkid_%s_y.npy" % name), y)
        rs = np.random.RandomState(123)
        m = min(n1, n2, 25)
        ns = 5
        sx, sy = [], []
        for _ in range(ns):
            sx.append(rs.choice(n1, m, replace=False))
            sy.append(rs.choice(n2, m, replace=False))
        sx, sy = np.array(sx), np.array(sy)
        k, kv = kid(x, y, sx, sy)
        cases.append({"name": name, "dim": d, "n1": n1, "n2": n2, "fid": fid(x, y),
                      "kid": k, "kid_subsets": kv,
                      "subset_x": sx.tolist(), "subset_y": sy.tolist()})
        print(name, cases[-1]["fid"], k)
    with open(os.path.join(out, "fid_kid_reference.json"), "w") as f:
        json.dump({"generator": "metrics/src/test/python/fid_kid_reference.py",
                   "scipy": scipy.__version__, "numpy": np.__version__, "cases": cases}, f)


if __name__ == "__main__":
    main(sys.argv[1])
