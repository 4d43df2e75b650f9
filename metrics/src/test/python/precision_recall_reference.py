"""Golden values for PrecisionRecallTest: stylegan2-ada-pytorch's precision/recall rule
(metrics/precision_recall.py: torch.cdist, kthvalue(k + 1), (dist <= kth).any(dim=1)) in float64
(NVlabs rounds to float16) on seeded Gaussian feature sets.

usage: python3 precision_recall_reference.py <out-dir>
"""
import json, sys, os
import numpy as np
import torch

out = sys.argv[1]
rng = np.random.RandomState(7)
cases = []
for name, nr, ng, d, shift, scale, k in [("shifted", 300, 250, 16, 0.5, 1.0, 3), ("narrow", 200, 260, 8, 0.0, 0.4, 3), ("k5", 150, 150, 32, 0.2, 1.3, 5)]:
    real = rng.randn(nr, d)
    gen = rng.randn(ng, d) * scale + shift
    np.save(os.path.join(out, f"pr_{name}_real.npy"), real.astype(np.float32))
    np.save(os.path.join(out, f"pr_{name}_gen.npy"), gen.astype(np.float32))
    r = torch.from_numpy(real.astype(np.float32).astype(np.float64))
    g = torch.from_numpy(gen.astype(np.float32).astype(np.float64))
    res = {}
    for key, manifold, probes in [("precision", r, g), ("recall", g, r)]:
        kth = torch.cdist(manifold.unsqueeze(0), manifold.unsqueeze(0))[0].kthvalue(k + 1).values
        dist = torch.cdist(probes.unsqueeze(0), manifold.unsqueeze(0))[0]
        inside = (dist <= kth).any(dim=1)
        # margin: how far the closest decision is from flipping (the test needs no ties)
        res[key] = float(inside.double().mean())
        res[key + "_margin"] = float((dist - kth).abs().min())
    cases.append(dict(name=name, k=k, **res))
json.dump(dict(cases=cases), open(os.path.join(out, "precision_recall_reference.json"), "w"), indent=1)
print(json.dumps(cases, indent=1))
