"""Reference Inception-v3 pool3 features for the Java InceptionV3Features test, with deterministic
weights (no pretrained Inception weights exist on the build machine, and a random-init state dict
would be ~90 MB, too big to commit).

How it was run (from the worktree root; Debian python3-torch 1.13.0a0, torchvision 0.14.1a0):

    mkdir -p /tmp/pfid && git -C <pytorch-fid checkout> show HEAD:src/pytorch_fid/inception.py \
        > /tmp/pfid/pytorch_fid_inception.py      # mseitzer/pytorch-fid @ b9c1811, not committed here
    PYTHONPATH=/tmp/pfid /usr/bin/python3 metrics/src/test/python/inception_reference.py \
        ../shared/fixtures metrics/src/test/resources/metrics

Weights: every tensor of torchvision's inception_v3(num_classes=1008, aux_logits=False) state dict
(the layout of pytorch-fid's FID weights; BN eps 0.001) is filled from its name and flat index i
(row-major, PyTorch layout):
    h    = Java String.hashCode(name) as unsigned 32-bit
    v    = ((i + h) * 2654435761) mod 2^32;  v ^= v >> 16;  v = (v * 0x45d9f3b) mod 2^32;  v ^= v >> 16
    u(i) = v / 2^32 - 0.5                                                 (uniform in [-0.5, 0.5))
    conv weight  [O,I,kH,kW]: u * sqrt(12) * sqrt(2 / (I*kH*kW))           (He-scaled)
    bn.weight: 1 + 0.2 u;  bn.bias: 0.05 u;  bn.running_mean: 0.05 u;  bn.running_var: 1 + 0.5 (u + 0.5)
    fc.weight: u * 0.01;  fc.bias: 0;  num_batches_tracked: 0
io.stylegan2.metrics.InceptionV3Weights.deterministic() is the same formula in Java.

Inputs: lpips_img0[0:2] ([2,3,64,64] in [-1,1]) from the shared fixtures; both networks resize to
299x299 bilinearly (align_corners=False), in float64.
  * "fid": pytorch-fid's InceptionV3([3]) (FIDInceptionA/C/E_1/E_2 blocks, resize_input=True,
    normalize_input=True) with its weight download replaced by the deterministic state dict; input
    (x + 1) / 2 as pytorch-fid expects [0, 1].
  * "torchvision": torchvision's Inception3 modules Conv2d_1a_3x3 ... Mixed_7c + avgpool with the same
    state dict, on the resized [-1, 1] input (what transform_input=True amounts to for ImageNet-
    normalised inputs).
Writes inception_reference.json: {"fid": [2][2048], "torchvision": [2][2048]} (float64 values).
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

import pytorch_fid_inception as pfi


def java_hash(s):
    h = 0
    for c in s:
        h = (31 * h + ord(c)) & 0xFFFFFFFF
    return h


def u(name, n):
    i = np.arange(n, dtype=np.uint64)
    h = np.uint64(java_hash(name))
    m = np.uint64(0xFFFFFFFF)
    v = ((i + h) * np.uint64(2654435761)) & m
    v = v ^ (v >> np.uint64(16))
    v = (v * np.uint64(0x45D9F3B)) & m
    v = v ^ (v >> np.uint64(16))
    return v.astype(np.float64) / 2.0 ** 32 - 0.5


def deterministic_state_dict(template):
    sd = {}
    for name, t in template.state_dict().items():
        n = t.numel()
        if name.endswith("num_batches_tracked"):
            sd[name] = torch.zeros_like(t)
            continue
        x = u(name, n)
        if name.endswith("conv.weight"):
            fan_in = n // t.shape[0]
            x = x * math.sqrt(12.0) * math.sqrt(2.0 / fan_in)
        elif name.endswith("bn.weight"):
            x = 1 + 0.2 * x
        elif name.endswith("bn.bias"):
            x = 0.05 * x
        elif name.endswith("bn.running_mean"):
            x = 0.05 * x
        elif name.endswith("bn.running_var"):
            x = 1 + 0.5 * (x + 0.5)
        elif name == "fc.weight":
            x = x * 0.01
        elif name == "fc.bias":
            x = x * 0
        else:
            raise ValueError(name)
        sd[name] = torch.from_numpy(x.reshape(tuple(t.shape))).to(t.dtype)
    return sd


def main(fixtures, out):
    template = torchvision.models.inception_v3(num_classes=1008, aux_logits=False, weights=None, init_weights=False)
    sd = deterministic_state_dict(template)
    x = torch.from_numpy(np.load(os.path.join(fixtures, "lpips", "lpips_img0.npy"))[0:2]).double()

    pfi.load_state_dict_from_url = lambda *a, **k: sd
    fid_net = pfi.InceptionV3([3], resize_input=True, normalize_input=True).double().eval()
    with torch.no_grad():
        f_fid = fid_net((x + 1) / 2)[0].reshape(2, 2048)

    template.load_state_dict(sd)
    tv = template.double().eval()
    with torch.no_grad():
        y = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
        for m in ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1",
                  "Conv2d_4a_3x3", "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b",
                  "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c", "avgpool"]:
            y = getattr(tv, m)(y)
        f_tv = y.reshape(2, 2048)

    for k, f in [("fid", f_fid), ("torchvision", f_tv)]:
        a = f.numpy()
        print(k, a.shape, "mean %.4f std %.4f min %.4f max %.4f" % (a.mean(), a.std(), a.min(), a.max()),
              "img0 vs img1 rel diff %.3f" % (np.abs(a[0] - a[1]).mean() / np.abs(a).mean()))
    with open(os.path.join(out, "inception_reference.json"), "w") as fh:
        json.dump({"generator": "metrics/src/test/python/inception_reference.py",
                   "torch": torch.__version__, "torchvision": torchvision.__version__,
                   "fid": f_fid.tolist(), "torchvision_features": f_tv.tolist()}, fh)
    print("fid vs torchvision rel diff %.4f" % ((f_fid - f_tv).abs().mean() / f_fid.abs().mean()))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
