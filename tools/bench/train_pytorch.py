#!/usr/bin/python3
"""PyTorch reference for the Fashion-MNIST recipe: the `resnext_fmnist` architecture of @resnext/models, trained on
Fashion-MNIST with the recipe of @resnext/recipes, and its training throughput on 1 and 2 threads.

The network is built from the same record as packages/models/src/variants.ts (torchvision's
Bottleneck: 1x1 → grouped 3x3 carrying the stride → 1x1, BN after each, projection shortcut when
the shape changes; a 3x3/1 'cifar' stem; global average pool; fc), so MACs and parameters match
`modelSummary('resnext_fmnist', { inputShape: [28, 28, 1], numClasses: 10 })`.

Recipe: pixels / 255 normalized with mean 0.2860, std 0.3530; random crop with zero padding + horizontal
flip; label smoothing; SGD with Nesterov momentum 0.9, weight decay (not on BN / bias); one-cycle
(linear warm-up then cosine to 0) per step; batch 128.

  /usr/bin/python3 tools/bench/train_pytorch.py --bench            # img/s on 1 and 2 threads, alternating
  /usr/bin/python3 tools/bench/train_pytorch.py --epochs 10        # the full recipe, test top-1 per epoch
  /usr/bin/python3 tools/bench/train_pytorch.py --quick            # the quick recipe
Options --stem/--planes/--blocks/--cardinality/--base-width/--expansion override the architecture
(design sweeps); --threads sets torch's intra-op threads (default 1: 2 threads slow down 25-40×
whenever another process holds a core).
"""
import argparse
import gzip
import json
import math
import os
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA_DIR = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530

# packages/models/src/variants.ts, `resnext_fmnist`.
RESNEXT_FMNIST = dict(stem=24, planes=[16, 32, 64], blocks=[1, 1, 1], cardinality=4, base_width=32, expansion=4)
# The recipes: epochs, peak lr, warm-up fraction, crop padding. The epoch counts fit our measured tfjs-wasm
# throughput (≈ 150 img/s on 2 threads, docs/benchmarks.md "Training throughput") with 15% to spare:
# 13 epochs + a test pass per epoch ≈ 91 min of 2 hours, 3 epochs ≈ 21 min of 30.
FULL = dict(epochs=13, lr=0.15, warmup=0.15, pad=2, smoothing=0.1, wd=5e-4)
QUICK = dict(epochs=3, lr=0.15, warmup=0.15, pad=2, smoothing=0.1, wd=5e-4)


class Bottleneck(nn.Module):
    """torchvision's ResNeXt Bottleneck: width = ⌊planes · baseWidth / 64⌋ · cardinality."""

    def __init__(self, cin, planes, stride, cardinality, base_width, expansion):
        super().__init__()
        width = (planes * base_width // 64) * cardinality
        cout = planes * expansion
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, groups=cardinality, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNeXt(nn.Module):
    """The 'cifar'-stem ResNeXt of @resnext/models: 3x3/1 conv + BN + ReLU, stages, avg pool, fc."""

    def __init__(self, stem, planes, blocks, cardinality, base_width, expansion, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, stem, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        layers, cin = [], stem
        for s, (p, n) in enumerate(zip(planes, blocks)):
            for b in range(n):
                layers.append(Bottleneck(cin, p, 2 if b == 0 and s > 0 else 1, cardinality, base_width, expansion))
                cin = p * expansion
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layers(x)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def count_macs(model, size=28):
    """Multiply-accumulates of one forward pass (convolutions and fc)."""
    macs = 0

    def hook(m, _inp, out):
        nonlocal macs
        if isinstance(m, nn.Conv2d):
            macs += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            macs += m.in_features * m.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model.eval()(torch.zeros(1, 1, size, size))
    for h in handles:
        h.remove()
    return macs


def read_idx(name):
    with gzip.open(os.path.join(DATA_DIR, name), "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(prefix):
    x = torch.from_numpy(read_idx(f"{prefix}-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    y = torch.from_numpy(read_idx(f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64))
    return ((x - MEAN) / STD).unsqueeze(1), y


def augment(x, pad, gen):
    """Random crop from the zero-padded (in normalized units: the background value) image + flip."""
    n, _, h, w = x.shape
    if pad > 0:
        background = -MEAN / STD
        padded = F.pad(x, (pad, pad, pad, pad), value=background)
        dy = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
        dx = torch.randint(0, 2 * pad + 1, (n,), generator=gen)
        rows = (dy[:, None] + torch.arange(h)[None, :])[:, None, :, None].expand(n, 1, h, w + 2 * pad)
        x = padded.gather(2, rows)
        cols = (dx[:, None] + torch.arange(w)[None, :])[:, None, None, :].expand(n, 1, h, w)
        x = x.gather(3, cols)
    flip = torch.rand(n, generator=gen) < 0.5
    return torch.where(flip[:, None, None, None], x.flip(3), x)


def param_groups(model, wd):
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    return [dict(params=decay, weight_decay=wd), dict(params=no_decay, weight_decay=0.0)]


def one_cycle(step, total, warmup_steps, peak):
    if step < warmup_steps:
        return peak * (step + 1) / warmup_steps
    t = (step - warmup_steps) / max(1, total - warmup_steps)
    return peak * 0.5 * (1 + math.cos(math.pi * t))


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def train(arch, recipe, seed, batch=128):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    xtr, ytr = load_split("train")
    xte, yte = load_split("t10k")
    model = ResNeXt(**arch)
    opt = torch.optim.SGD(param_groups(model, recipe["wd"]), lr=0.0, momentum=0.9, nesterov=True)
    steps_per_epoch = len(xtr) // batch  # the last partial batch is dropped
    total = steps_per_epoch * recipe["epochs"]
    warmup = int(recipe["warmup"] * total)
    step = 0
    t0 = time.time()
    for epoch in range(recipe["epochs"]):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        loss_sum = 0.0
        for b in range(steps_per_epoch):
            idx = perm[b * batch:(b + 1) * batch]
            x = augment(xtr[idx], recipe["pad"], gen)
            for g in opt.param_groups:
                g["lr"] = one_cycle(step, total, warmup, recipe["lr"])
            loss = F.cross_entropy(model(x), ytr[idx], label_smoothing=recipe["smoothing"])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            step += 1
        acc = evaluate(model, xte, yte)
        print(json.dumps(dict(epoch=epoch + 1, loss=round(loss_sum / steps_per_epoch, 4), test_top1=round(acc * 100, 2),
                              seconds=round(time.time() - t0, 1))), flush=True)
    return acc


def bench(arch, threads_list, rounds, steps, batch=128):
    """Training img/s (forward, backward, SGD step on random data), thread counts alternating per round."""
    torch.manual_seed(0)
    model = ResNeXt(**arch).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4)
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))

    def step():
        loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    samples = {t: [] for t in threads_list}
    for r in range(rounds):
        for t in threads_list if r % 2 == 0 else reversed(threads_list):
            torch.set_num_threads(t)
            for _ in range(2):
                step()
            t0 = time.perf_counter()
            for _ in range(steps):
                step()
            samples[t].append(batch * steps / (time.perf_counter() - t0))
    for t in threads_list:
        s = samples[t]
        print(json.dumps(dict(engine="pytorch", threads=t, median_img_s=round(statistics.median(s), 1),
                              min=round(min(s), 1), max=round(max(s), 1), samples=[round(v, 1) for v in s])), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bench", action="store_true", help="throughput only")
    p.add_argument("--quick", action="store_true", help="the quick recipe")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--bench-threads", default="1,2")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    for k in ("epochs", "lr", "warmup", "pad", "smoothing", "wd"):
        p.add_argument("--" + k, type=type(FULL[k]))
    p.add_argument("--stem", type=int)
    p.add_argument("--planes", help="comma-separated stage planes")
    p.add_argument("--blocks", help="comma-separated blocks per stage")
    p.add_argument("--cardinality", type=int)
    p.add_argument("--base-width", type=int)
    p.add_argument("--expansion", type=int)
    a = p.parse_args()
    arch = dict(RESNEXT_FMNIST)
    for k in ("stem", "cardinality", "base_width", "expansion"):
        if getattr(a, k) is not None:
            arch[k] = getattr(a, k)
    for k in ("planes", "blocks"):
        if getattr(a, k) is not None:
            arch[k] = [int(v) for v in getattr(a, k).split(",")]
    model = ResNeXt(**arch)
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps(dict(arch=arch, params=params, macs=count_macs(model), torch=torch.__version__)), flush=True)
    if a.bench:
        bench(arch, [int(t) for t in a.bench_threads.split(",")], a.rounds, a.steps)
        return
    torch.set_num_threads(a.threads)
    recipe = dict(QUICK if a.quick else FULL)
    for k in recipe:
        if getattr(a, k) is not None:
            recipe[k] = getattr(a, k)
    print(json.dumps(dict(recipe=recipe, seed=a.seed)), flush=True)
    train(arch, recipe, a.seed)


if __name__ == "__main__":
    main()
