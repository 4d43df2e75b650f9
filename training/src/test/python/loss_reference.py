#!/usr/bin/env python3
"""Golden values for the training losses, made with NVIDIA's official loss code.

Runs ``training/loss.py`` (``StyleGAN2Loss.accumulate_gradients``) of NVlabs/stylegan2-ada-pytorch
(commit d72cc7d) on a tiny generator and discriminator of its ``training/networks.py``, on CPU,
and writes what ``TrainingLossParityTest`` compares against:

- ``G_ema.state_dict.pt``, ``D.state_dict.pt``: the networks (NVlabs random init, then seeded
  perturbations so that noise strengths and biases matter), read by the Java converter;
- ``golden.npz``: ``z``, ``reals``, and for each phase the loss value and the gradient of every
  trained parameter (``<phase>/grad/<name>``, PyTorch layout), plus ``Gmain/w_avg`` (the tracked
  average after the phase's mapping call).

The official code is imported from a checkout given on the command line; nothing of it is copied
here. Noise is the networks' constant buffers (the loss is given a synthesis that runs with
``noise_mode='const'``), style mixing is off, so the Java side can reproduce every input.
Phases (gain as in training_loop.py with lazy regularisation): Gmain (gain 1), Dmain (gain 1,
fakes from the same z), Dreg (R1, gamma 2, gain 16).

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

    def run(phase, module, gain):
        for p in list(G.parameters()) + list(D.parameters()):
            p.grad = None
        module.requires_grad_(True)
        loss.accumulate_gradients(phase=phase, real_img=reals, real_c=c, gen_z=z, gen_c=c, sync=True, gain=gain)
        module.requires_grad_(False)
        for name, p in module.named_parameters():
            golden[phase + '/grad/' + name] = (p.grad if p.grad is not None else torch.zeros_like(p)).detach().numpy().copy()

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
    np.savez(os.path.join(out, 'golden.npz'), **{k: np.asarray(v, dtype=np.float32) for k, v in golden.items()})
    with open(os.path.join(out, 'golden.json'), 'w') as f:
        json.dump({'G_kwargs': g_kwargs, 'D_kwargs': d_kwargs, 'r1_gamma': 2, 'Dreg_gain': 16, 'w_avg_beta': 0.995,
                   'torch': torch.__version__, 'source_commit': 'd72cc7d041b42ec8e806021a205ed9349f87c6a4',
                   'arrays': {k: list(np.shape(v)) for k, v in golden.items()}}, f, indent=1)


if __name__ == '__main__':
    main()
