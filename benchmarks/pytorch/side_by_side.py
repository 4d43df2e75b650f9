#!/usr/bin/env python3
"""PyTorch (CPU) side by side with our JMH results.

Reads a JMH JSON result file (``-rf json``) of the benchmarks module, runs the same workload in
PyTorch for every row it knows, and prints a Markdown table: benchmark, params, ours ms, PyTorch ms
and the ratio Java / PyTorch (> 1: we are slower).

The PyTorch side is written here from the op definitions (not copied from NVIDIA's code):
  * upfirdn2d as the "ref" path does it: zero insertion by reshape + pad, pad, then a depthwise
    conv2d with the flipped FIR (stride = down, as ours);
  * bias_act: add, leaky ReLU 0.2, gain sqrt(2);
  * modulated_conv2d as the fused path: per-sample modulated/demodulated weights and one grouped
    conv2d (groups = batch);
  * conv2d_resample: up = transposed conv (stride 2) + FIR, down = FIR + stride-2 conv;
  * a compact StyleGAN2 synthesis ('skip') and discriminator ('resnet') with the channel tables of
    our BenchmarkConfigs, random weights, equalised-lr gains;
  * an LPIPS-like loss (random weights) on torchvision's AlexNet / VGG16 trunks
    (``weights=None``), taps after every ReLU stage, unit-normalised features, 1x1 "lin" layers.
Inversion rows: W+ (or all synthesis weights, for ptiStep) trained with Adam on
LPIPS-Alex + MSE, as InversionStepBenchmark; ``--lpips vgg`` uses the VGG16 trunk instead.

Usage:
  /usr/bin/python3 benchmarks/pytorch/side_by_side.py results.json [--threads 2] [--quick]
      [--only REGEX] [--json out.json]
Rows without a PyTorch counterpart (Laplacian pyramid, SSIM, the upfirdn2d floor) print "n/a".
"""
import argparse
import json
import math
import re
import sys
import time

import torch
import torch.nn.functional as F

FIR_TAPS = [1.0, 3.0, 3.0, 1.0]
SQRT2 = math.sqrt(2.0)


# ----------------------------------------------------------------------------------------------
# Ops

def fir_filter(taps=FIR_TAPS):
    t = torch.tensor(taps, dtype=torch.float32)
    f = torch.outer(t, t)
    return f / f.sum()


def upfirdn2d(x, f, up=1, down=1, pad=(0, 0, 0, 0), gain=1.0):
    """Zero-insert by ``up``, pad [x0, x1, y0, y1] (negative crops), convolve with f, keep every
    ``down``-th sample (done as the conv stride)."""
    n, c, h, w = x.shape
    if up > 1:
        x = x.reshape(n, c, h, 1, w, 1)
        x = F.pad(x, [0, up - 1, 0, 0, 0, up - 1])
        x = x.reshape(n, c, h * up, w * up)
    x0, x1, y0, y1 = pad
    x = F.pad(x, [max(x0, 0), max(x1, 0), max(y0, 0), max(y1, 0)])
    x = x[:, :, max(-y0, 0):x.shape[2] - max(-y1, 0), max(-x0, 0):x.shape[3] - max(-x1, 0)]
    k = (f * gain).flip([0, 1]).to(x.dtype)
    k = k[None, None].repeat(c, 1, 1, 1)
    return F.conv2d(x, k, stride=down, groups=c)


def upsample2d(x, f, up=2):
    fw = f.shape[-1]
    p = ((fw + up - 1) // 2, (fw - up) // 2)
    return upfirdn2d(x, f, up=up, pad=(p[0], p[1], p[0], p[1]), gain=up * up)


def downsample2d(x, f, down=2):
    fw = f.shape[-1]
    p = ((fw - down + 1) // 2, (fw - down) // 2)
    return upfirdn2d(x, f, down=down, pad=(p[0], p[1], p[0], p[1]))


def bias_act(x, b, lrelu=True, gain=None):
    x = x + b.reshape(1, -1, *([1] * (x.dim() - 2)))
    if lrelu:
        x = F.leaky_relu(x, 0.2)
        gain = SQRT2 if gain is None else gain
    return x * gain if gain not in (None, 1.0) else x


def conv2d_resample(x, w, f, up=1, down=1, padding=0):
    """w: [out, in, k, k]. up: transposed conv stride 2 + FIR (gain 4); down: FIR + stride-2 conv;
    1x1 kernels with down: FIR with stride 2, then the 1x1 conv."""
    k = w.shape[-1]
    fw = f.shape[-1]
    if up > 1:
        # transposed conv output (H-1)*2 + k; FIR padding so the result is 2H (for padding = k//2)
        p0 = padding + (fw + up - 1) // 2 - (k - 1)
        p1 = padding + (fw - up) // 2 - (k - up)
        y = F.conv_transpose2d(x, w.transpose(0, 1), stride=up)
        return upfirdn2d(y, f, pad=(p0, p1, p0, p1), gain=up * up)
    if down > 1:
        p0 = padding + (fw - down + 1) // 2
        p1 = padding + (fw - down) // 2
        if k == 1:
            return F.conv2d(upfirdn2d(x, f, down=down, pad=(p0, p1, p0, p1)), w)
        return F.conv2d(upfirdn2d(x, f, pad=(p0, p1, p0, p1)), w, stride=down)
    return F.conv2d(x, w, padding=padding)


def modulated_conv2d(x, weight, styles, demodulate=True, up=1, f=None):
    """Fused path: weight [O, I, k, k] modulated per sample, one grouped conv over the batch."""
    n = x.shape[0]
    o, i, k, _ = weight.shape
    w = weight[None] * styles[:, None, :, None, None]          # [N, O, I, k, k]
    if demodulate:
        d = (w.square().sum(dim=[2, 3, 4]) + 1e-8).rsqrt()       # [N, O]
        w = w * d[:, :, None, None, None]
    x = x.reshape(1, n * i, *x.shape[2:])
    w = w.reshape(n * o, i, k, k)
    if up == 1:
        y = F.conv2d(x, w, padding=k // 2, groups=n)
    else:
        # grouped transposed conv: weights [N*I, O, k, k]
        wt = w.reshape(n, o, i, k, k).transpose(1, 2).reshape(n * i, o, k, k)
        y = F.conv_transpose2d(x, wt, stride=up, groups=n)
        fw = f.shape[-1]
        p0 = k // 2 + (fw + up - 1) // 2 - (k - 1)
        p1 = k // 2 + (fw - up) // 2 - (k - up)
        y = upfirdn2d(y, f, pad=(p0, p1, p0, p1), gain=up * up)
    return y.reshape(n, o, *y.shape[2:])


# ----------------------------------------------------------------------------------------------
# Networks (channel tables as BenchmarkConfigs)

def channel_table(res, base, cmax):
    return {r: min(base // r, cmax) for r in [2 ** i for i in range(2, int(math.log2(res)) + 1)]}


GEN_CONFIGS = {  # resolution -> (w_dim, channels)
    16: (32, {4: 48, 8: 32, 16: 16}),
    32: (64, {4: 64, 8: 64, 16: 64, 32: 32}),
    64: (64, channel_table(64, 8192, 256)),
    256: (512, channel_table(256, 16384, 512)),
}
DISC_CONFIGS = {32: {4: 64, 8: 64, 16: 64, 32: 32}, 256: channel_table(256, 16384, 512)}


class Synthesis(torch.nn.Module):
    """StyleGAN2 synthesis, 'skip' architecture, const noise, random weights."""

    def __init__(self, res, w_dim, ch, img_channels=3):
        super().__init__()
        self.res, self.w_dim, self.ch = res, w_dim, ch
        self.f = fir_filter()
        P = torch.nn.Parameter
        self.const = P(torch.randn(ch[4], 4, 4))
        self.layers = torch.nn.ModuleDict()
        for r in sorted(ch):
            convs = [("conv1", ch[r], ch[r], 1)] if r == 4 else [("conv0", ch[r // 2], ch[r], 2), ("conv1", ch[r], ch[r], 1)]
            for name, cin, cout, up in convs:
                m = torch.nn.Module()
                m.affine_w, m.affine_b = P(torch.randn(cin, w_dim)), P(torch.ones(cin))
                m.weight, m.bias = P(torch.randn(cout, cin, 3, 3)), P(torch.zeros(cout))
                m.noise_const, m.noise_strength = P(torch.randn(r, r), requires_grad=False), P(torch.zeros([]))
                m.up = up
                self.layers[f"b{r}_{name}"] = m
            m = torch.nn.Module()
            m.affine_w, m.affine_b = P(torch.randn(ch[r], w_dim)), P(torch.ones(ch[r]))
            m.weight, m.bias = P(torch.randn(img_channels, ch[r], 1, 1)), P(torch.zeros(img_channels))
            self.layers[f"b{r}_torgb"] = m
        self.num_ws = 2 * int(math.log2(res)) - 2

    def _styles(self, m, w):
        return F.linear(w, m.affine_w * (1 / math.sqrt(self.w_dim)), m.affine_b)

    def _layer(self, m, x, w):
        y = modulated_conv2d(x, m.weight, self._styles(m, w), demodulate=True, up=m.up, f=self.f)
        y = y + m.noise_const * m.noise_strength
        return bias_act(y, m.bias)

    def _torgb(self, m, x, w):
        s = self._styles(m, w) * (1 / math.sqrt(m.weight.shape[1]))
        return bias_act(modulated_conv2d(x, m.weight, s, demodulate=False), m.bias, lrelu=False)

    def forward(self, ws):
        n = ws.shape[0]
        x = img = None
        i = 0
        for r in sorted(self.ch):
            L = self.layers
            if r == 4:
                x = self.const[None].expand(n, -1, -1, -1)
                x = self._layer(L["b4_conv1"], x, ws[:, 0])
                y = self._torgb(L["b4_torgb"], x, ws[:, 1])
                i = 1
            else:
                x = self._layer(L[f"b{r}_conv0"], x, ws[:, i])
                x = self._layer(L[f"b{r}_conv1"], x, ws[:, i + 1])
                y = self._torgb(L[f"b{r}_torgb"], x, ws[:, i + 2])
                i += 2
            img = y if img is None else upsample2d(img, self.f) + y
        return img


class Discriminator(torch.nn.Module):
    """StyleGAN2 discriminator, 'resnet' architecture, minibatch stddev (group 4, 1 channel)."""

    def __init__(self, res, ch, img_channels=3):
        super().__init__()
        self.res, self.ch, self.f = res, ch, fir_filter()
        P = torch.nn.Parameter
        self.w = torch.nn.ParameterDict()

        def conv(name, cin, cout, k, bias=True):
            self.w[name + "_w"] = P(torch.randn(cout, cin, k, k))
            if bias:
                self.w[name + "_b"] = P(torch.zeros(cout))

        conv("fromrgb", img_channels, ch[res], 1)
        r = res
        while r > 4:
            conv(f"b{r}_skip", ch[r], ch[r // 2], 1, bias=False)
            conv(f"b{r}_conv0", ch[r], ch[r], 3)
            conv(f"b{r}_conv1", ch[r], ch[r // 2], 3)
            r //= 2
        conv("b4_conv", ch[4] + 1, ch[4], 3)
        self.w["fc_w"], self.w["fc_b"] = P(torch.randn(ch[4], ch[4] * 16)), P(torch.zeros(ch[4]))
        self.w["out_w"], self.w["out_b"] = P(torch.randn(1, ch[4])), P(torch.zeros(1))

    def _conv(self, name, x, down=1, lrelu=True, gain=1.0):
        w = self.w[name + "_w"]
        w = w * (1 / math.sqrt(w[0].numel()))
        y = conv2d_resample(x, w, self.f, down=down, padding=w.shape[-1] // 2)
        b = self.w[name + "_b"] if name + "_b" in self.w else torch.zeros(w.shape[0])
        return bias_act(y, b, lrelu=lrelu, gain=(SQRT2 if lrelu else 1.0) * gain)

    def forward(self, img):
        x = self._conv("fromrgb", img)
        r = self.res
        while r > 4:
            y = self._conv(f"b{r}_skip", x, down=2, lrelu=False, gain=math.sqrt(0.5))
            x = self._conv(f"b{r}_conv0", x)
            x = self._conv(f"b{r}_conv1", x, down=2, gain=math.sqrt(0.5))
            x = y + x
            r //= 2
        n, c, h, w = x.shape
        g = min(4, n)
        y = x.reshape(g, -1, 1, c, h, w)
        y = (y - y.mean(0)).square().mean(0).add(1e-8).sqrt().mean([2, 3, 4]).reshape(-1, 1, 1, 1)
        x = torch.cat([x, y.repeat(g, 1, h, w)], 1)
        x = self._conv("b4_conv", x)
        x = bias_act(F.linear(x.flatten(1), self.w["fc_w"] / math.sqrt(c * 16)), self.w["fc_b"])
        return F.linear(x, self.w["out_w"] / math.sqrt(c)) + self.w["out_b"]


class LpipsLike(torch.nn.Module):
    """LPIPS structure on a torchvision trunk with random weights: taps after each ReLU stage,
    unit-normalised channels, squared difference, 1x1 lin layer, spatial mean, sum of layers."""

    TAPS = {"alex": [1, 4, 7, 9, 11], "vgg": [3, 8, 15, 22, 29]}

    def __init__(self, net):
        super().__init__()
        import torchvision
        trunk = torchvision.models.alexnet(weights=None) if net == "alex" else torchvision.models.vgg16(weights=None)
        self.features = trunk.features[: self.TAPS[net][-1] + 1].eval()
        for p in self.features.parameters():
            p.requires_grad_(False)
        chans = [self.features[i - 1].out_channels for i in self.TAPS[net]]
        self.lins = [torch.rand(1, c, 1, 1) * 0.1 for c in chans]
        self.taps = set(self.TAPS[net])
        self.shift = torch.tensor([-.030, -.088, -.188]).reshape(1, 3, 1, 1)
        self.scale = torch.tensor([.458, .448, .450]).reshape(1, 3, 1, 1)

    def _feats(self, x):
        x = (x - self.shift) / self.scale
        out = []
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in self.taps:
                out.append(x / (x.square().sum(1, keepdim=True).sqrt() + 1e-10))
        return out

    def forward(self, x, y):
        return sum(F.conv2d((a - b).square(), lin).mean([2, 3]) for a, b, lin in zip(self._feats(x), self._feats(y), self.lins))


# ----------------------------------------------------------------------------------------------
# Workloads: (class.method, params) -> a zero-argument callable

def rand(*shape, grad=False):
    return torch.randn(*shape, requires_grad=grad)


_cache = {}


def cached(key, make):
    if key not in _cache:
        _cache[key] = make()
    return _cache[key]


def workload(name, p, lpips_net):
    cls, method = name.split(".")[-2:]
    f = fir_filter()
    if cls == "MachineBenchmarks":
        if method == "sgemm":
            n = int(p["n"])
            a, b, c = torch.rand(n, n), torch.rand(n, n), torch.empty(n, n)
            return lambda: torch.mm(a, b, out=c)
        m = int(p["mib"]) << 18
        if method == "freshArray":  # a new zeroed tensor per call; the previous one is freed at once
            return lambda: torch.zeros(m)
        a, b, c = torch.rand(m), torch.rand(m), torch.empty(m)
        return (lambda: c.copy_(a)) if method == "copy" else (lambda: torch.add(a, b, out=c))
    if cls == "KernelBenchmarks":
        ch, res = (int(v) for v in p["shape"].split("x"))
        if method in ("upfirdn2d", "upfirdn2dReused"):  # PyTorch allocates its output either way
            x = rand(1, ch, res, res)
            return (lambda: upsample2d(x, f)) if p["direction"] == "up" else (lambda: downsample2d(x, f))
        if method == "biasAct":
            x, b = rand(1, ch, res, res), rand(ch)
            return lambda: bias_act(x, b)
        if method.startswith("modulatedConv2d"):
            n = int(p["batch"])
            bwd = method.endswith("Backward")
            x, w, s = rand(n, ch, res, res, grad=bwd), rand(ch, ch, 3, 3, grad=bwd), rand(n, ch, grad=bwd)
            if not bwd:
                return lambda: modulated_conv2d(x, w, s)
            return lambda: torch.autograd.grad(modulated_conv2d(x, w, s).sum(), [x, w, s])
        if method == "conv2dResample":
            x, w = rand(1, ch, res, res), rand(ch, ch, 3, 3)
            up = p["direction"] == "up"
            return lambda: conv2d_resample(x, w, f, up=2 if up else 1, down=1 if up else 2, padding=1)
    if cls in ("GeneratorForwardBenchmark", "NetworkBenchmarks") and method in ("synthesis", "generatorForwardBackward"):
        res, n = int(p["resolution"]), int(p["batch"])
        wd, ch = GEN_CONFIGS[res]
        g = cached(("G", res), lambda: Synthesis(res, wd, ch).requires_grad_(False))
        if method == "synthesis":
            ws = rand(n, g.num_ws, wd)
            return lambda: g(ws)
        ws = rand(n, g.num_ws, wd, grad=True)
        return lambda: torch.autograd.grad(g(ws).sum(), [ws])
    if cls == "NetworkBenchmarks":
        res, n = int(p["resolution"]), int(p["batch"])
        d = cached(("D", res), lambda: Discriminator(res, DISC_CONFIGS[res]))
        if method == "discriminatorForward":
            img = rand(n, 3, res, res)
            return lambda: d(img)
        img = rand(n, 3, res, res, grad=True)
        params = [img] + list(d.parameters())
        return lambda: torch.autograd.grad(d(img).sum(), params)
    if cls == "InversionStepBenchmark":
        res = int(p["resolution"])
        return inversion_step(res, method == "ptiStep", lpips_net)
    if cls == "LossBenchmarks" and method.startswith("lpipsVgg"):
        lp = cached(("lpips", "vgg"), lambda: LpipsLike("vgg"))
        y = rand(1, 3, 256, 256)
        if method == "lpipsVggForward":
            x = rand(1, 3, 256, 256)
            return lambda: lp(x, y).sum()
        x = rand(1, 3, 256, 256, grad=True)
        return lambda: torch.autograd.grad(lp(x, y).sum(), [x])
    return None


def inversion_step(res, pti, lpips_net):
    wd, ch = GEN_CONFIGS[res]
    g = Synthesis(res, wd, ch)
    lp = cached(("lpips", lpips_net), lambda: LpipsLike(lpips_net))
    target = torch.rand(1, 3, res, res) * 2 - 1
    ws = torch.randn(1, g.num_ws, wd, requires_grad=not pti)
    trainable = [p for p in g.parameters() if p.requires_grad] if pti else [ws]
    if not pti:
        g.requires_grad_(False)
    opt = torch.optim.Adam(trainable, lr=0.01)

    def step():
        img = g(ws)
        loss = lp(img, target).sum() + F.mse_loss(img, target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return step


# ----------------------------------------------------------------------------------------------

def time_ms(fn, min_time, min_iters, warmup, grad):
    ctx = torch.enable_grad() if grad else torch.no_grad()
    with ctx:
        for _ in range(warmup):
            fn()
        times = []
        end = time.perf_counter() + min_time
        while len(times) < min_iters or time.perf_counter() < end:
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
    return 1e3 * sum(times) / len(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", help="JMH JSON results (java -jar benchmarks.jar ... -rf json -rff results.json)")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    ap.add_argument("--quick", action="store_true", help="1 warm-up, 1 timed call per row (smoke)")
    ap.add_argument("--only", default=None, help="regex on 'Class.method params' to select rows")
    ap.add_argument("--lpips", default="alex", choices=["alex", "vgg"], help="trunk of the inversion-step loss (ours: alex)")
    ap.add_argument("--json", default=None, help="also write the rows as JSON here")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    min_time, min_iters, warmup = (0.0, 1, 1) if a.quick else (2.0, 3, 2)

    rows = json.load(open(a.results))
    out = []
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, CPU float32\n")
    print("| benchmark | params | ours ms | PyTorch ms | Java/PyTorch |\n|---|---|---|---|---|")
    for r in rows:
        name = r["benchmark"]
        p = r.get("params", {}) or {}
        short = ".".join(name.split(".")[-2:])
        label = " ".join(f"{k}={v}" for k, v in p.items())
        if a.only and not re.search(a.only, f"{short} {label}"):
            continue
        ours = r["primaryMetric"]["score"]
        fn = workload(name, p, a.lpips)
        grad = "Backward" in name or "Step" in name
        theirs = time_ms(fn, min_time, min_iters, warmup, grad) if fn else None
        ratio = ours / theirs if theirs else None
        out.append({"benchmark": short, "params": p, "oursMs": ours, "pytorchMs": theirs, "ratio": ratio})
        print(f"| {short} | {label} | {ours:.3f} | {'n/a' if theirs is None else f'{theirs:.3f}'} | "
              f"{'' if ratio is None else f'{ratio:.2f}'} |", flush=True)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"torch": torch.__version__, "threads": a.threads, "rows": out}, fh, indent=1)


if __name__ == "__main__":
    sys.exit(main())
