#!/usr/bin/env python3
"""Golden values for the training losses, made with NVIDIA's official loss code.

Runs ``training/loss.py`` (``StyleGAN2Loss.accumulate_gradients``) of NVlabs/stylegan2-ada-pytorch
(commit d72cc7d) on a tiny generator and discriminator of its ``training/networks.py``, on CPU,
and writes what ``TrainingLossParityTest`` compares against:

- ``G_ema.state_dict.pt``, ``D.state_dict.pt``: the networks (NVlabs random init, then seeded
  perturbations so that noise strengths and biases matter), read by the Java converter;
- ``golden.npz``: ``z``, ``reals``, and for each phase the loss value and the gradient of every
  trained parameter (``<phase>/grad/<name>``, PyTorch layout), plus ``Gmain/w_avg`` and ``Gpl/w_avg``
  (the tracked average after the phase's mapping call).

The official code is imported from a checkout given on the command line; nothing of it is copied
here. For Gmain, Dmain and Dreg the noise is the networks' constant buffers (the loss is given a
synthesis that runs with ``noise_mode='const'``) and style mixing is off, so the Java side can
reproduce every input. Phases (gain as in training_loop.py with lazy regularisation): Gmain (gain 1),
Dmain (gain 1, fakes from the same z), Dreg (R1, gamma 2, gain 16), and Greg, the path-length
regularisation (``Gpl/...``; pl_weight 2, pl_decay 0.01, pl_batch_shrink 2, gain 4, from a given
running mean ``Gpl/pl_mean0``) with style mixing always on and random noise. The official code draws
Greg's random numbers (crossover, second latent, noise maps, ``pl_noise``) from torch's global
generator: it is seeded before the phase and again before the synthesis, and the same calls, reseeded,
recover the draws (``Gpl/cutoff``, ``Gpl/z2``, ``Gpl/noise/<layer>``, ``Gpl/pl_noise`` before its
division by ``sqrt(H W)``); a recomputation from the recovered draws must give the penalty the official
code reported. Also ``Gpl/pl_lengths``, ``Gpl/pl_penalty``, ``Gpl/loss`` (mean of ``pl_penalty *
pl_weight``, without the gain) and ``Gpl/pl_mean`` (the updated running mean).

Usage: /usr/bin/python3 loss_reference.py <stylegan2-ada-pytorch checkout> <out dir>
"""
import json
import os
import sys

import numpy as np
import torch


def main():
    repo, out = sys.argv[1], sys.argv[2]
    sys.path.insert(0, repo)
    from training import networks  # noqa: E402  (the official code, from the checkout)
    from training import loss as nv_loss  # noqa: E402

    os.makedirs(out, exist_ok=True)
    torch.manual_seed(7)
    g_kwargs = dict(z_dim=8, c_dim=0, w_dim=8, img_resolution=16, img_channels=3,
                    mapping_kwargs=dict(num_layers=2),
                    synthesis_kwargs=dict(channel_base=64, channel_max=8, num_fp16_res=0, conv_clamp=None))
    d_kwargs = dict(c_dim=0, img_resolution=16, img_channels=3, architecture='resnet', channel_base=64,
                    channel_max=8, num_fp16_res=0, conv_clamp=None, epilogue_kwargs=dict(mbstd_group_size=4))
    G = networks.Generator(**g_kwargs).train()
    D = networks.Discriminator(**d_kwargs).train()
    gen = torch.Generator().manual_seed(8)
    with torch.no_grad():
        for name, p in list(G.named_parameters()) + list(D.named_parameters()):
            if name.endswith('noise_strength'):
                p.copy_(torch.randn(p.shape, generator=gen) * 0.2)
            elif name.endswith('bias'):
                p.add_(torch.randn(p.shape, generator=gen) * 0.1)
        G.mapping.w_avg.copy_(torch.randn(G.mapping.w_avg.shape, generator=gen) * 0.1)
    torch.save(G.state_dict(), os.path.join(out, 'G_ema.state_dict.pt'))
    torch.save(D.state_dict(), os.path.join(out, 'D.state_dict.pt'))

    n = 4
    z = torch.randn([n, 8], generator=gen)
    reals = torch.rand([n, 3, 16, 16], generator=gen) * 2 - 1
    c = torch.zeros([n, 0])

    class ConstSynthesis(torch.nn.Module):
        def __init__(self, s):
            super().__init__()
            self.s = s

        def forward(self, ws):
            return self.s(ws, noise_mode='const')

    loss = nv_loss.StyleGAN2Loss(device=torch.device('cpu'), G_mapping=G.mapping, G_synthesis=ConstSynthesis(G.synthesis), D=D,
                                 style_mixing_prob=0, r1_gamma=2, pl_weight=0)
    golden = {'z': z.numpy(), 'reals': reals.numpy()}

    def run(phase, module, gain, with_loss=loss, key=None):
        for p in list(G.parameters()) + list(D.parameters()):
            p.grad = None
        module.requires_grad_(True)
        with_loss.accumulate_gradients(phase=phase, real_img=reals, real_c=c, gen_z=z, gen_c=c, sync=True, gain=gain)
        module.requires_grad_(False)
        for name, p in module.named_parameters():
            golden[(key or phase) + '/grad/' + name] = (p.grad if p.grad is not None else torch.zeros_like(p)).detach().numpy().copy()

    G.requires_grad_(False)
    D.requires_grad_(False)
    w_avg0 = G.mapping.w_avg.clone()
    # values with the official forward passes (no grad), before each phase runs
    with torch.no_grad():
        img = G.synthesis(G.mapping(z, c, skip_w_avg_update=True), noise_mode='const')
        fake_logits = D(img, c)
        real_logits = D(reals, c)
    golden['Gmain/loss'] = np.float32(torch.nn.functional.softplus(-fake_logits).mean().item())
    golden['Dmain/loss'] = np.float32((torch.nn.functional.softplus(fake_logits).mean() + torch.nn.functional.softplus(-real_logits).mean()).item())
    x = reals.detach().requires_grad_(True)
    r1_grads = torch.autograd.grad(D(x, c).sum(), x)[0]
    golden['Dreg/loss'] = np.float32((r1_grads.square().sum([1, 2, 3]) * (2 / 2)).mean().item())

    run('Gmain', G, 1)
    golden['Gmain/w_avg'] = G.mapping.w_avg.detach().numpy().copy()
    G.mapping.w_avg.copy_(w_avg0)
    run('Dmain', D, 1)
    G.mapping.w_avg.copy_(w_avg0)
    run('Dreg', D, 16)
    G.mapping.w_avg.copy_(w_avg0)
    gpl = path_length(nv_loss, G, D, z, c, run)
    G.mapping.w_avg.copy_(w_avg0)
    golden.update(gpl['arrays'])
    np.savez(os.path.join(out, 'golden.npz'), **{k: np.asarray(v, dtype=np.float32) for k, v in golden.items()})
    with open(os.path.join(out, 'golden.json'), 'w') as f:
        json.dump({'G_kwargs': g_kwargs, 'D_kwargs': d_kwargs, 'r1_gamma': 2, 'Dreg_gain': 16, 'w_avg_beta': 0.995, 'Gpl': gpl['settings'],
                   'torch': torch.__version__, 'source_commit': 'd72cc7d041b42ec8e806021a205ed9349f87c6a4',
                   'arrays': {k: list(np.shape(v)) for k, v in golden.items()}}, f, indent=1)


PL = dict(pl_weight=2, pl_decay=0.01, pl_batch_shrink=2, gain=4, pl_mean0=0.5, style_mixing_prob=1, mix_seed=11, noise_seed=12)


def path_length(nv_loss, G, D, z, c, run):
    """Greg with the official loss: its reports, the recovered random draws, the gradients and the tracked w_avg."""
    class SeededSynthesis(torch.nn.Module):
        def __init__(self, s):
            super().__init__()
            self.s = s

        def forward(self, ws):
            torch.manual_seed(PL['noise_seed'])
            return self.s(ws, noise_mode='random')

    synthesis = SeededSynthesis(G.synthesis)
    pl_loss = nv_loss.StyleGAN2Loss(device=torch.device('cpu'), G_mapping=G.mapping, G_synthesis=synthesis, D=D,
                                    style_mixing_prob=PL['style_mixing_prob'], r1_gamma=0, pl_batch_shrink=PL['pl_batch_shrink'],
                                    pl_decay=PL['pl_decay'], pl_weight=PL['pl_weight'])
    pl_loss.pl_mean.fill_(PL['pl_mean0'])
    reports = {}
    report = nv_loss.training_stats.report

    def capture(name, value):
        reports[name] = value.detach().clone()
        return report(name, value)

    nv_loss.training_stats.report = capture
    try:
        torch.manual_seed(PL['mix_seed'])
        run('Greg', G, PL['gain'], with_loss=pl_loss, key='Gpl')   # the gradients, as Gpl/grad/<name>
    finally:
        nv_loss.training_stats.report = report
    w_avg = G.mapping.w_avg.detach().numpy().copy()

    # the draws, recovered by the same calls from the same seeds (run_G's style mixing, then the synthesis layers' noise
    # in execution order and pl_noise)
    b = z.shape[0] // PL['pl_batch_shrink']
    pl_z = z[:b]
    torch.manual_seed(PL['mix_seed'])
    cutoff = torch.empty([], dtype=torch.int64).random_(1, G.num_ws)
    assert torch.rand([]) < PL['style_mixing_prob']
    z2 = torch.randn_like(pl_z)
    torch.manual_seed(PL['noise_seed'])
    noise = {}
    for res in G.synthesis.block_resolutions:
        block = getattr(G.synthesis, f'b{res}')
        for name in ['conv0', 'conv1']:
            if hasattr(block, name):
                noise[f'b{res}.{name}'] = torch.randn([b, 1, res, res])
    pl_noise = torch.randn([b, G.img_channels, G.img_resolution, G.img_resolution])

    # a recomputation from the recovered draws gives what the official code reported
    with torch.no_grad():
        ws = G.mapping(pl_z, c[:b], skip_w_avg_update=True)
        ws[:, cutoff:] = G.mapping(z2, c[:b], skip_w_avg_update=True)[:, cutoff:]
    ws.requires_grad_(True)
    img = synthesis(ws)
    grads = torch.autograd.grad((img * pl_noise / np.sqrt(img.shape[2] * img.shape[3])).sum(), ws)[0]
    lengths = grads.square().sum(2).mean(1).sqrt()
    mean = torch.tensor(PL['pl_mean0']).lerp(lengths.mean(), PL['pl_decay'])
    penalty = (lengths - mean).square()
    assert torch.allclose(penalty, reports['Loss/pl_penalty'], rtol=1e-5, atol=0), (penalty, reports['Loss/pl_penalty'])
    assert torch.allclose(mean, pl_loss.pl_mean, rtol=1e-6, atol=0)

    arrays = {'Gpl/z': pl_z.numpy(), 'Gpl/z2': z2.numpy(), 'Gpl/cutoff': np.float32(cutoff.item()), 'Gpl/pl_noise': pl_noise.numpy(),
                   'Gpl/pl_mean0': np.float32(PL['pl_mean0']), 'Gpl/pl_lengths': lengths.detach().numpy(),
                   'Gpl/pl_penalty': reports['Loss/pl_penalty'].numpy(), 'Gpl/loss': np.float32(reports['Loss/G/reg'].mean().item()),
                   'Gpl/pl_mean': np.float32(pl_loss.pl_mean.item()), 'Gpl/w_avg': w_avg}
    for k, v in noise.items():
        arrays['Gpl/noise/' + k] = v.numpy()
    return {'arrays': arrays, 'settings': dict(PL, cutoff=int(cutoff.item()))}


if __name__ == '__main__':
    main()
