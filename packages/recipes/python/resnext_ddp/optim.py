"""Optimizer, parameter groups, learning-rate schedule and weight EMA as src/optim, src/schedule and
src/train/ema.ts define them (torch.optim's SGD and AdamW are the reference those follow)."""
import math

import torch


def param_groups(model, optimizer_spec):
    """src/optim/params.ts: with noDecayOnBnAndBias (AdamW's default true) every tensor of rank ≤ 1
    (BN γ/β, biases) goes undecayed."""
    no_decay_small = optimizer_spec.get("noDecayOnBnAndBias", True) if optimizer_spec["kind"] == "adamw" else optimizer_spec["noDecayOnBnAndBias"]
    decay, plain = [], []
    for p in model.parameters():
        (plain if no_decay_small and p.ndim <= 1 else decay).append(p)
    wd = optimizer_spec["weightDecay"]
    return [g for g in (dict(params=decay, weight_decay=wd), dict(params=plain, weight_decay=0.0)) if g["params"]]


def create_optimizer(model, spec):
    groups = param_groups(model, spec)
    if spec["kind"] == "sgd":
        return torch.optim.SGD(groups, lr=spec["lr"], momentum=spec["momentum"], nesterov=spec["nesterov"])
    return torch.optim.AdamW(groups, lr=spec["lr"], betas=tuple(spec["betas"]), eps=spec["eps"])


def set_lr(optimizer, lr):
    for g in optimizer.param_groups:
        g["lr"] = lr


def lr_factor(spec, step, steps_per_epoch, epochs):
    """src/schedule/lr_schedule.ts lrFactor: the factor on the base rate at optimizer step `step`."""
    total = steps_per_epoch * epochs
    epoch = step / steps_per_epoch
    kind = spec["kind"]
    warmup_epochs = spec.get("warmupEpochs", 0.3 * epochs if kind == "onecycle" else 0)
    # Math.round: halves round up.
    warmup_steps = math.floor(warmup_epochs * steps_per_epoch + 0.5)
    start = spec.get("warmupStartFactor", 1 / spec.get("divFactor", 25) if kind == "onecycle" else 0.1)
    if step < warmup_steps:
        return start + ((1 - start) * step) / warmup_steps
    progress = min(1, (step - warmup_steps) / (total - warmup_steps)) if total > warmup_steps else 1
    half_cosine = (1 + math.cos(math.pi * progress)) / 2
    if kind == "constant":
        return 1
    if kind == "step":
        return spec["gamma"] ** math.floor(epoch / spec["stepEpochs"])
    if kind == "multistep":
        rel = spec.get("relative", False)
        return spec["gamma"] ** len([m for m in spec["milestones"] if (m * epochs if rel else m) <= epoch])
    if kind == "cosine":
        low = spec.get("minLrFactor", 0)
        return low + (1 - low) * half_cosine
    low = 1 / (spec.get("divFactor", 25) * spec.get("finalDivFactor", 1e4))
    return low + (1 - low) * half_cosine


def base_lr(recipe):
    """optimizer.lr, scaled by batchSize / lrReferenceBatch when the recipe sets the reference."""
    ref = recipe.get("lrReferenceBatch")
    return recipe["optimizer"]["lr"] * (1 if ref is None else recipe["batchSize"] / ref)


class WeightEma:
    """src/train/ema.ts: shadow ← d·shadow + (1 − d)·w over every float weight, BN statistics included."""

    def __init__(self, model, decay):
        self.decay = decay
        self.shadow = {k: v.detach().clone() for k, v in model.state_dict().items() if v.is_floating_point()}

    @torch.no_grad()
    def update(self, model):
        for k, v in model.state_dict().items():
            if k in self.shadow:
                self.shadow[k].mul_(self.decay).add_(v, alpha=1 - self.decay)

    @torch.no_grad()
    def swap(self, model):
        """Exchanges the model's weights with the averages (call twice to restore)."""
        state = model.state_dict()
        for k, s in self.shadow.items():
            tmp = state[k].clone()
            state[k].copy_(s)
            s.copy_(tmp)
