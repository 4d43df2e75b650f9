"""Writes a tiny stand-in for an Inception-v3 .pth for InceptionConverterTest.

How it was run (from the worktree root; Debian python3-torch 1.13.0a0, torchvision 0.14.1a0):

    /usr/bin/python3 weights-converter/src/test/python/make_inception_stub.py \
        weights-converter/src/test/resources/inception

It has every key of torchvision's inception_v3(num_classes=1008, aux_logits=True) state dict (the
names of pytorch-fid's FID weights plus AuxLogits) but each tensor shrunk to 2 elements
(value = index in the state dict + [0, 0.5]; num_batches_tracked int64) except fc.weight, which is
[rows, 1] so that the variant detection (1008 rows: pytorch-fid's FID weights, 1000: torchvision's)
works; the converter's name handling (kept / dropped tensors) is tested without the 90 MB file.
Files: inception_stub.pth (torch zip format), inception_stub_legacy.pth (legacy format, 1000 rows
in fc.weight, i.e. the torchvision variant).
"""
import os
import sys

import torch
import torchvision


def stub(rows):
    m = torchvision.models.inception_v3(num_classes=1008, aux_logits=True, weights=None, init_weights=False)
    sd = {}
    for k, (name, t) in enumerate(m.state_dict().items()):
        if name.endswith("num_batches_tracked"):
            sd[name] = torch.tensor(k, dtype=torch.int64)
        elif name == "fc.weight":
            sd[name] = torch.zeros(rows, 1)
        else:
            sd[name] = torch.tensor([float(k), k + 0.5])
    return sd


if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.save(stub(1008), os.path.join(out, "inception_stub.pth"))
    torch.save(stub(1000), os.path.join(out, "inception_stub_legacy.pth"), _use_new_zipfile_serialization=False)
