#!/usr/bin/env python3
"""One StyleGAN2 training iteration in NVIDIA's official PyTorch code, on CPU: the counterpart of
``TrainingStepBenchmark`` (JMH), same networks, batch and recipe.

Imports NVlabs/stylegan2-ada-pytorch from a checkout given on the command line (nothing of it is
copied here) and runs its training phases as ``training/training_loop.py`` schedules them:
``Gmain`` every iteration, ``Greg`` (path length) every 4 when ``--pl-weight`` > 0, ``Dmain`` every
iteration, ``Dreg`` (R1) every 16, each phase followed by its Adam step (lr and betas corrected by
``mb_ratio`` for lazy regularisation), then the G_ema update. Random images stand in for the data
(loading is not timed on either side). The time per iteration is the mean over ``--iters``
iterations (a multiple of 16 covers whole lazy-regularisation cycles) after ``--warmup``.

Configs:
  fmnist32       channels {4: 64, 8: 64, 16: 64, 32: 32}, z = w = 64, 4 mapping layers, batch 16,
                 gamma 0.1, no path length (../shared/models/fmnist32's recipe)
  paper256       channel_base 16384, channel_max 512, z = w = 512, 8 mapping layers, batch 4, gamma 1
  stylegan2-256  channel_base 32768 (config-f), otherwise as paper256

Usage: /usr/bin/python3 benchmarks/pytorch/train_step.py <stylegan2-ada-pytorch checkout>
           [--config fmnist32] [--threads 2] [--iters 32] [--warmup 4] [--pl-weight 0] [--r1-interval 16]
           [--json out.json]
As TrainingStepBenchmark: fmnist32 with --iters 32 (two R1 cycles); the 256 px configs with
--pl-weight 2 --r1-interval 4 --iters 4 --warmup 1 (one cycle of both regularisers).
"""
import argparse
import json
import sys
import time

import torch


CONFIGS = {
    'fmnist32': dict(res=32, z=64, w=64, mapping=4, batch=16, gamma=0.1, channels={4: 64, 8: 64, 16: 64, 32: 32}),
    'paper256': dict(res=256, z=512, w=512, mapping=8, batch=4, gamma=1.0, base=16384, cmax=512),
    'stylegan2-256': dict(res=256, z=512, w=512, mapping=8, batch=4, gamma=1.0, base=32768, cmax=512),
}


def build(networks, cfg):
    if 'channels' in cfg:
        # NVlabs' tables are min(channel_base // res, channel_max): the fmnist table
        # {4: 64, 8: 64, 16: 64, 32: 32} is channel_base 1024, channel_max 64 (checked in main)
        base, cmax = 1024, 64
    else:
        base, cmax = cfg['base'], cfg['cmax']
    common = dict(c_dim=0, img_resolution=cfg['res'], img_channels=3)
    G = networks.Generator(z_dim=cfg['z'], w_dim=cfg['w'], mapping_kwargs=dict(num_layers=cfg['mapping']),
                           synthesis_kwargs=dict(channel_base=base, channel_max=cmax, num_fp16_res=0, conv_clamp=None), **common)
    D = networks.Discriminator(architecture='resnet', channel_base=base, channel_max=cmax, num_fp16_res=0, conv_clamp=None,
                               epilogue_kwargs=dict(mbstd_group_size=4), **common)
    return G.train().requires_grad_(False), D.train().requires_grad_(False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('repo')
    ap.add_argument('--config', default='fmnist32', choices=sorted(CONFIGS))
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--iters', type=int, default=32)
    ap.add_argument('--warmup', type=int, default=4)
    ap.add_argument('--pl-weight', type=float, default=0.0)
    ap.add_argument('--r1-interval', type=int, default=16)
    ap.add_argument('--json')
    a = ap.parse_args()
    sys.path.insert(0, a.repo)
    import copy
    from training import networks, loss as nv_loss  # the official code, from the checkout
    from torch_utils.ops import conv2d_gradfix

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    conv2d_gradfix.enabled = True
    cfg = CONFIGS[a.config]
    G, D = build(networks, cfg)
    if 'channels' in cfg:
        got = {r: getattr(G.synthesis, f'b{r}').conv1.weight.shape[0] for r in cfg['channels']}
        assert got == cfg['channels'], f'channel table {got} != {cfg["channels"]}'
    G_ema = copy.deepcopy(G).eval()
    device = torch.device('cpu')
    loss = nv_loss.StyleGAN2Loss(device=device, G_mapping=G.mapping, G_synthesis=G.synthesis, D=D, style_mixing_prob=0.9,
                                 r1_gamma=cfg['gamma'], pl_weight=a.pl_weight)
    phases = []
    for name, module, reg_interval in [('G', G, 4), ('D', D, a.r1_interval)]:
        mb_ratio = reg_interval / (reg_interval + 1)
        opt = torch.optim.Adam(module.parameters(), lr=0.002 * mb_ratio, betas=(0 ** mb_ratio, 0.99 ** mb_ratio), eps=1e-8)
        phases += [dict(name=name + 'main', module=module, opt=opt, interval=1)]
        if name == 'D' or a.pl_weight > 0:
            phases += [dict(name=name + 'reg', module=module, opt=opt, interval=reg_interval)]
    batch = cfg['batch']
    reals = torch.rand([batch, 3, cfg['res'], cfg['res']]) * 2 - 1
    c = torch.zeros([batch, 0])

    def iteration(batch_idx, cur_nimg):
        for p in phases:
            if batch_idx % p['interval'] != 0:
                continue
            p['opt'].zero_grad(set_to_none=True)
            p['module'].requires_grad_(True)
            loss.accumulate_gradients(phase=p['name'], real_img=reals, real_c=c, gen_z=torch.randn([batch, cfg['z']]), gen_c=c,
                                      sync=True, gain=p['interval'])
            p['module'].requires_grad_(False)
            for q in p['module'].parameters():
                if q.grad is not None:
                    torch.nan_to_num(q.grad, nan=0, posinf=1e5, neginf=-1e5, out=q.grad)
            p['opt'].step()
        with torch.no_grad():
            beta = 0.5 ** (batch / 10000.0)
            for p_ema, q in zip(G_ema.parameters(), G.parameters()):
                p_ema.copy_(q.lerp(p_ema, beta))
            for b_ema, b in zip(G_ema.buffers(), G.buffers()):
                b_ema.copy_(b)

    for i in range(a.warmup):
        iteration(i + 1, 0)   # skip index 0 so the measured window starts a lazy-regularisation cycle
    t0 = time.perf_counter()
    for i in range(a.iters):
        iteration(i, 0)
    ms = (time.perf_counter() - t0) * 1000 / a.iters
    out = dict(config=a.config, batch=batch, threads=a.threads, iters=a.iters, pl_weight=a.pl_weight, r1_interval=a.r1_interval, ms_per_iteration=ms,
               images_per_second=batch * 1000 / ms, torch=torch.__version__)
    print(json.dumps(out))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
