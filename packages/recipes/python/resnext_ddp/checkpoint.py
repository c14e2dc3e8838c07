"""Resumable checkpoints of the DDP engine: one safetensors file, `checkpoints/last.safetensors`,
holding the model's state dict (torchvision keys) under `model/`, the optimizer's slots under
`optim/<key>#momentum` (SGD) or `#m`/`#v` (AdamW, steps in `optimizerMeta` as `<key>#t`), the EMA
under `ema/`, and the recipe and TrainState as JSON metadata, as src/checkpoint/checkpoint.ts lays
out its own. The Node CLI reads the recipe and state from the header to plan `--resume`."""
import json

import torch

from .safetensors import read_safetensors, write_safetensors

FORMAT = "resnext-recipes-torch-checkpoint/1"


class CheckpointError(Exception):
    """A checkpoint this engine cannot resume from."""


def save_checkpoint(path, model, optimizer, ema, state, recipe):
    names = {id(p): k for k, p in model.named_parameters()}
    tensors = {f"model/{k}": v for k, v in model.state_dict().items()}
    meta = {}
    for p, s in optimizer.state.items():
        key = names[id(p)]
        if "momentum_buffer" in s and s["momentum_buffer"] is not None:
            tensors[f"optim/{key}#momentum"] = s["momentum_buffer"]
        if "exp_avg" in s:
            tensors[f"optim/{key}#m"] = s["exp_avg"]
            tensors[f"optim/{key}#v"] = s["exp_avg_sq"]
            meta[f"{key}#t"] = int(s["step"])
    if ema is not None:
        tensors.update({f"ema/{k}": v for k, v in ema.shadow.items()})
    metadata = {"format": FORMAT, "engine": "torchrun", "state": json.dumps(state), "config": json.dumps(recipe), "optimizerMeta": json.dumps(meta)}
    write_safetensors(path, tensors, metadata)


def load_checkpoint(path, model, optimizer, ema, device):
    """Restores model, optimizer and EMA in place; returns the TrainState and the recipe it was saved with."""
    tensors, metadata = read_safetensors(path)
    if metadata.get("format") != FORMAT:
        raise CheckpointError(
            f"{path} was written by the {metadata.get('engine', 'tfjs')} engine (format {metadata.get('format')}); "
            "resume it with that engine (--engine=tfjs is the default).")
    state_dict = {k[len("model/"):]: v for k, v in tensors.items() if k.startswith("model/")}
    model.load_state_dict(state_dict, strict=True)
    params = dict(model.named_parameters())
    steps = json.loads(metadata.get("optimizerMeta", "{}"))
    for key, t in tensors.items():
        if not key.startswith("optim/"):
            continue
        name, slot = key[len("optim/"):].rsplit("#", 1)
        s = optimizer.state[params[name]]
        if slot == "momentum":
            s["momentum_buffer"] = t.to(device)
        else:
            s["exp_avg" if slot == "m" else "exp_avg_sq"] = t.to(device)
            s["step"] = torch.tensor(float(steps[f"{name}#t"]))
    if ema is not None:
        for k in ema.shadow:
            ema.shadow[k].copy_(tensors[f"ema/{k}"])
    return json.loads(metadata["state"]), json.loads(metadata["config"])
