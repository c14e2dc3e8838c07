"""Writes optim_reference.json: a few torch.optim SGD (Nesterov) and AdamW steps on a fixed
quadratic loss, with weight decay on the matrix only (the bias is in a no-decay group) and a
learning rate that changes every step. Run with /usr/bin/python3 (Debian python3-torch 1.13):

    /usr/bin/python3 packages/recipes/tools/optim_reference.py
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
W0 = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
B0 = [0.1, -0.2, 0.3]
# loss = sum(A * w^2) / 2 + sum(C * w) + sum(D * b^2) / 2 + sum(E * b)
A = [[1.0, 2.0, 0.5], [3.0, 1.0, 1.5]]
C = [[0.3, -0.1, 0.2], [0.0, 0.4, -0.3]]
D = [2.0, 1.0, 0.5]
E = [0.1, -0.3, 0.2]
LRS = [0.1, 0.05, 0.2, 0.08]


def run(make):
    w = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)
    opt = make(w, b)
    out = []
    for lr in LRS:
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad()
        loss = (torch.tensor(A) * w**2).sum() / 2 + (torch.tensor(C) * w).sum() + (torch.tensor(D) * b**2).sum() / 2 + (torch.tensor(E) * b).sum()
        loss.backward()
        opt.step()
        out.append({"w": w.detach().tolist(), "b": b.detach().tolist()})
    return out


ref = {
    "torch": torch.__version__,
    "w0": W0, "b0": B0, "A": A, "C": C, "D": D, "E": E, "lrs": LRS,
    "sgd": {"momentum": 0.9, "weightDecay": 0.05, "steps": run(lambda w, b: torch.optim.SGD(
        [{"params": [w], "weight_decay": 0.05}, {"params": [b], "weight_decay": 0.0}], lr=0.1, momentum=0.9, nesterov=True))},
    "sgdPlain": {"momentum": 0.9, "weightDecay": 0.05, "steps": run(lambda w, b: torch.optim.SGD(
        [{"params": [w], "weight_decay": 0.05}, {"params": [b], "weight_decay": 0.0}], lr=0.1, momentum=0.9, nesterov=False))},
    "adamw": {"betas": [0.9, 0.99], "eps": 1e-8, "weightDecay": 0.1, "steps": run(lambda w, b: torch.optim.AdamW(
        [{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}], lr=0.1, betas=(0.9, 0.99), eps=1e-8))},
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim_reference.json"), "w") as f:
    json.dump(ref, f, indent=1)
    f.write("\n")
