"""Reference SSIM / PSNR / MSE values from scikit-image for the Java metrics tests.

How it was run (from the worktree root, Debian's python3-skimage 0.19.3, numpy 1.24.2):

    /usr/bin/python3 metrics/src/test/python/ssim_psnr_reference.py ../shared/fixtures \
        metrics/src/test/resources/metrics

Writes, into the output folder:
  * ssim_psnr_reference.json : per pair: mse, psnr, ssim, data_range and the image source
  * gray_pair.npy            : float32 [2, 1, 64, 80], values 0..255 (integers), the grayscale pair

Pairs:
  * rgb_0..rgb_6: lpips_img0[i] vs lpips_img1[i] from the shared LPIPS fixture ([7,3,64,64] in
    [-1,1], float32), data_range = 2 (the [-1,1] convention);
  * gray_camera: skimage.data.camera()[100:164, 200:280] vs the same crop plus Gaussian noise
    (numpy RandomState(0), sigma 20, rounded, clipped to 0..255), data_range = 255 (the [0,255]
    convention). Fashion-MNIST was not on the build machine (no /usr/share/datasets), so it was
    skipped; 28x28 would also be barely above the 11x11 window.

SSIM call (matches io.stylegan2.metrics.Ssim): structural_similarity(a, b, gaussian_weights=True,
sigma=1.5, use_sample_covariance=False, data_range=R, channel_axis=0) -- truncate 3.5 gives the
11-tap window, the filtered maps are cropped by 5 pixels on each side ('valid'), then averaged per
channel and over channels. PSNR: peak_signal_noise_ratio(a, b, data_range=R) = 10 log10(R^2/MSE).
All computed in float64.
"""
import json
import os
import sys

import numpy as np
import skimage
import skimage.data
from skimage.metrics import mean_squared_error, peak_signal_noise_ratio, structural_similarity


def entry(name, a, b, data_range, source):
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    return {
        "name": name,
        "source": source,
        "data_range": data_range,
        "shape": list(a.shape),
        "mse": float(mean_squared_error(a, b)),
        "psnr": float(peak_signal_noise_ratio(a, b, data_range=data_range)),
        "ssim": float(structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
                                            use_sample_covariance=False, data_range=data_range,
                                            channel_axis=0)),
    }


def main(fixtures, out):
    os.makedirs(out, exist_ok=True)
    x0 = np.load(os.path.join(fixtures, "lpips", "lpips_img0.npy"))
    x1 = np.load(os.path.join(fixtures, "lpips", "lpips_img1.npy"))
    pairs = [entry("rgb_%d" % i, x0[i], x1[i], 2.0, "lpips_img0[%d] vs lpips_img1[%d]" % (i, i))
             for i in range(x0.shape[0])]

    cam = skimage.data.camera()[100:164, 200:280].astype(np.float64)
    noisy = np.clip(np.round(cam + np.random.RandomState(0).randn(*cam.shape) * 20.0), 0, 255)
    gray = np.stack([cam, noisy])[:, None].astype(np.float32)
    np.save(os.path.join(out, "gray_pair.npy"), gray)
    pairs.append(entry("gray_camera", gray[0], gray[1], 255.0,
                       "gray_pair.npy[0] vs [1] (skimage camera crop, + noise)"))

    doc = {"generator": "metrics/src/test/python/ssim_psnr_reference.py",
           "skimage": skimage.__version__, "numpy": np.__version__, "pairs": pairs}
    with open(os.path.join(out, "ssim_psnr_reference.json"), "w") as f:
        json.dump(doc, f, indent=1)
    for p in pairs:
        print(p["name"], p["mse"], p["psnr"], p["ssim"])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
