"""Reference numbers for LpipsReferenceTest (LPIPS-VGG with synthetic trunk weights, spatial maps).

No VGG16 trunk fixture exists and a seeded torchvision vgg16 is ~58 MB, too big to commit. So the
VGG16 `features` weights are *synthetic*, from a formula that the Java test reproduces bit for bit
(`LpipsReferenceTest.syntheticVgg`): for tensor number t (conv j of features in order 0, 2, 5, ...,
28; t = 2j for its weight, 2j + 1 for its bias) and flat C-order index i of the PyTorch tensor,

    x = (i + 0x9E3779B9 * (t + 1)) mod 2^32, then murmur3 fmix32
        (x ^= x >> 16; x *= 0x85EBCA6B; x ^= x >> 13; x *= 0xC2B2AE35; x ^= x >> 16, all mod 2^32)
    u = x / 2^32 - 0.5                                (float64)
    weight = float32(u * 2 * sqrt(6 / fan_in)),  bias = float32(u * 0.1)

The oracle is the official LPIPS code: richzhang/PerceptualSimilarity lpips/ at commit
082bb24f84c091ea94de2867d34c4544f68e0963, copied (not committed) to a scratch folder, run with
torchvision's real vgg16 graph (`pnet_rand=True`, trunk weights then overwritten), the official
v0.1 lin heads from the fixtures, eval mode.

It also writes, for all three nets, the `spatial=True` maps (which use nn.Upsample bilinear) on the
fixture images, and LPIPS-squeeze distances on a 50x50 crop (every ceil-mode max pool there pads).

How it was run (Debian python3-torch 1.13 / python3-torchvision 0.14, CPU):

    git -C <PerceptualSimilarity checkout> archive 082bb24f lpips | tar -x -C /tmp/lpref
    PYTHONPATH=/tmp/lpref /usr/bin/python3 <worktree>/weights-converter/src/test/python/lpips_reference.py \
        /work/shared/fixtures <worktree>/weights-converter/src/test/resources/lpips
"""
import json
import math
import os
import sys

import numpy as np
import torch

import lpips  # the official package, from PYTHONPATH

M = 0xFFFFFFFF
VGG_CONVS = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]


def synthetic(shape, t, fan_in, is_bias):
    n = int(np.prod(shape))
    x = (np.arange(n, dtype=np.uint64) + np.uint64((0x9E3779B9 * (t + 1)) & 0xFFFFFFFFFFFFFFFF)) & np.uint64(M)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & np.uint64(M)
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & np.uint64(M)
    x ^= x >> np.uint64(16)
    u = x.astype(np.float64) / 4294967296.0 - 0.5
    v = u * 0.1 if is_bias else u * (2.0 * math.sqrt(6.0 / fan_in))
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def trunk_slices(model):
    """features index -> module, through LPIPS's slices."""
    out = {}
    for name, mod in model.net.named_children():
        if name.startswith('slice'):
            for idx, sub in mod.named_children():
                out[int(idx)] = sub
    return out


def make(net, fixtures):
    m = lpips.LPIPS(net=net, version='0.1', pnet_rand=True, model_path=os.path.join(fixtures, 'lpips', net + '.pth'), verbose=False)
    layers = trunk_slices(m)
    if net == 'vgg':
        for j, idx in enumerate(VGG_CONVS):
            conv = layers[idx]
            fan_in = conv.weight.shape[1] * conv.weight.shape[2] * conv.weight.shape[3]
            with torch.no_grad():
                conv.weight.copy_(synthetic(tuple(conv.weight.shape), 2 * j, fan_in, False))
                conv.bias.copy_(synthetic(tuple(conv.bias.shape), 2 * j + 1, fan_in, True))
    else:
        fname = {'alex': 'backbone_alexnet_features.pt', 'squeeze': 'backbone_squeezenet1_1_features.pt'}[net]
        sd = torch.load(os.path.join(fixtures, 'lpips', fname), map_location='cpu')
        mapped = {}
        for slice_name, mod in m.net.named_children():
            for idx, _ in mod.named_children():
                for k, v in sd.items():
                    if k.startswith('features.%s.' % idx):
                        mapped['%s.%s.%s' % (slice_name, idx, k[len('features.%s.' % idx):])] = v
        m.net.load_state_dict(mapped, strict=True)
    m.eval()
    return m


def main():
    fixtures, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    img0 = torch.from_numpy(np.load(os.path.join(fixtures, 'lpips', 'lpips_img0.npy')))
    img1 = torch.from_numpy(np.load(os.path.join(fixtures, 'lpips', 'lpips_img1.npy')))
    ref = {'source_commit': '082bb24f84c091ea94de2867d34c4544f68e0963', 'torch': torch.__version__,
           'vgg_trunk': 'synthetic (see lpips_reference.py)', 'nets': {}}
    with torch.no_grad():
        for net in ['alex', 'squeeze', 'vgg']:
            m = make(net, fixtures)
            d, per = m(img0, img1, retPerLayer=True)
            entry = {'distance': d.flatten().tolist(), 'per_layer': torch.cat([p.flatten(1) for p in per], 1).tolist()}
            m.spatial = True
            smap = m(img0, img1)
            np.save(os.path.join(out_dir, 'spatial_%s.npy' % net), smap.numpy().astype(np.float32))
            entry['spatial_file'] = 'spatial_%s.npy' % net
            m.spatial = False
            if net == 'squeeze':
                c0, c1 = img0[:, :, :50, :50].contiguous(), img1[:, :, :50, :50].contiguous()
                d50, per50 = m(c0, c1, retPerLayer=True)
                entry['crop50'] = {'distance': d50.flatten().tolist(), 'per_layer': torch.cat([p.flatten(1) for p in per50], 1).tolist()}
            ref['nets'][net] = entry
            print(net, entry['distance'])
    with open(os.path.join(out_dir, 'lpips_reference.json'), 'w') as f:
        json.dump(ref, f, indent=1)


if __name__ == '__main__':
    main()
