"""The DDP trainer: `torchrun --nproc-per-node=N -m resnext_ddp.train --out <run dir> --arch <json>`.

Reads the resolved recipe from `<out>/config.json` (the Node CLI writes it), trains it on every
rank with gradients averaged by DistributedDataParallel, and on rank 0 writes the run directory as
src/train/trainer.ts does: metrics.jsonl (the CLI renders metrics.csv and plot.svg from it),
checkpoints/last.safetensors every `checkpointEverySteps` optimizer steps and after each epoch,
model.safetensors (and model_ema.safetensors) with torchvision keys. SIGINT/SIGTERM stop every rank
at the same optimizer step after a checkpoint (exit 130/143)."""
import argparse
import contextlib
import json
import math
import os
import signal
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .data import DatasetError, Loader, open_sources, apply_transform
from .model import build_model
from .optim import WeightEma, base_lr, create_optimizer, lr_factor, set_lr
from .rng import rng_for
from .safetensors import write_safetensors


class RecipeError(Exception):
    """A recipe this engine cannot run as given."""


def parse_args(argv):
    p = argparse.ArgumentParser(prog="resnext_ddp.train")
    p.add_argument("--out", required=True, help="run directory holding config.json")
    p.add_argument("--arch", required=True, help="the model's ResNeXtConfig as JSON")
    p.add_argument("--resume", action="store_true", help="continue from checkpoints/last.safetensors")
    return p.parse_args(argv)


class Stop:
    """SIGINT/SIGTERM become a flag the ranks agree on at the next optimizer step."""

    def __init__(self):
        self.signal = None
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, self._on)

    def _on(self, signum, _frame):
        if self.signal is None:
            self.signal = signum


def emit(text):
    """One line to stdout in one write: the ranks share the stream (torchrun runs them unbuffered),
    and a line written in two pieces could be split by another rank's."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def write_atomic(path, text):
    tmp = f"{os.path.join(os.path.dirname(path), '.' + os.path.basename(path))}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_metrics(out, history, partial=None):
    rows = history + ([partial] if partial is not None else [])
    write_atomic(os.path.join(out, "metrics.jsonl"), "".join(json.dumps(m) + "\n" for m in rows))


def sync_buffers(model):
    """Rank 0's BN statistics on every rank (what DDP's broadcast_buffers does before a forward)."""
    for b in model.buffers():
        dist.broadcast(b, 0)


@torch.no_grad()
def evaluate(model, loader, device):
    """src/train/evaluate.ts: mean cross-entropy (no smoothing) and top-1, summed over the ranks."""
    model.eval()
    sums = torch.zeros(3, dtype=torch.float64, device=device)
    for _step, x, labels, _targets in loader.epoch(0):
        x, labels = x.to(device), labels.to(device)
        logits = model(x)
        sums[0] += F.cross_entropy(logits, labels, reduction="sum").double()
        sums[1] += (logits.argmax(1) == labels).sum()
        sums[2] += labels.numel()
    dist.all_reduce(sums)
    model.train()
    return sums[0].item() / sums[2].item(), sums[1].item() / sums[2].item()


def dump_reference(path, model, test_source, recipe, device, count=16):
    """The final model's logits (eval mode) on the first `count` evaluation images, with those
    inputs (NHWC), for checking the weights in another framework."""
    xs = [apply_transform(recipe["evalTransform"], test_source.read(i)[0], rng_for(recipe["seed"], 0, i)) for i in range(min(count, test_source.size))]
    x = torch.stack(xs)
    model.eval()
    with torch.no_grad():
        logits = model(x.to(device)).cpu()
    write_safetensors(path, {"input": x.permute(0, 2, 3, 1), "logits": logits})


def main(argv):
    args = parse_args(argv)
    arch = json.loads(args.arch)
    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        if local_rank >= torch.cuda.device_count():
            raise RecipeError(f"{os.environ.get('LOCAL_WORLD_SIZE', '?')} processes on this machine but {torch.cuda.device_count()} GPU(s): "
                              "give --nproc-per-node at most the GPU count.")
        torch.cuda.set_device(device)
        # The fastest convolution algorithms; cuDNN's are not bit-reproducible, so on GPUs a resumed
        # run follows an uninterrupted one closely rather than to the bit.
        torch.backends.cudnn.benchmark = True
    stop = Stop()
    emit(f"rank {rank}/{world} pid {os.getpid()}")
    say = emit if rank == 0 else (lambda text: None)
    paths = {k: os.path.join(args.out, v) for k, v in
             dict(config="config.json", checkpoint=os.path.join("checkpoints", "last.safetensors"), model="model.safetensors", ema="model_ema.safetensors").items()}
    with open(paths["config"]) as f:
        recipe = json.load(f)
    if recipe.get("finetune") is not None:
        raise RecipeError(f'Recipe "{recipe["name"]}" fine-tunes pretrained weights, which the torchrun engine does not do; run it with --engine=tfjs.')
    k = recipe["gradAccumulation"]
    micro = recipe["batchSize"] // k
    if micro % world != 0:
        raise RecipeError(f'Recipe "{recipe["name"]}": batchSize / gradAccumulation = {micro} images per micro-batch cannot be split over {world} processes; '
                          f"choose a batch size divisible by {world * k}.")
    train_source, test_source = open_sources(recipe)
    if train_source.num_classes != recipe["model"]["numClasses"]:
        if recipe["dataset"]["kind"] != "image-folder":
            raise RecipeError(f'Recipe "{recipe["name"]}": model.numClasses is {recipe["model"]["numClasses"]} but {train_source.name} has {train_source.num_classes} classes.')
        recipe["model"]["numClasses"] = train_source.num_classes
        say(f"{train_source.name}: {train_source.num_classes} classes, the head follows")
        if rank == 0:
            write_atomic(paths["config"], json.dumps(recipe, indent=2) + "\n")
    folder = recipe["dataset"]["kind"] == "image-folder"
    workers = int(os.environ.get("RESNEXT_DATA_WORKERS", min(8, (os.cpu_count() or 1) // max(1, int(os.environ.get("LOCAL_WORLD_SIZE", world)))) if folder else 0))
    ds = recipe["dataset"]
    train_loader = Loader(train_source, micro, recipe["trainTransform"], True, recipe["seed"], rank, world, drop_last=True,
                          mixup=recipe["mixup"], cutmix=recipe["cutmix"], limit=ds.get("trainLimit"), workers=workers)
    test_loader = Loader(test_source, micro, recipe["evalTransform"], False, recipe["seed"], rank, world, limit=ds.get("testLimit"), workers=workers)

    torch.manual_seed(recipe["seed"])
    model = build_model(arch, recipe["model"]).to(device)
    optimizer = create_optimizer(model, recipe["optimizer"])
    ema = WeightEma(model, recipe["ema"]["decay"]) if recipe.get("ema") else None
    # src/checkpoint's TrainState, marked with the engine (the CLI resumes a run with its own engine).
    state = dict(epoch=0, loaderStep=0, optimizerStep=0, running=dict(lossSum=0, correct=0, count=0), history=[], elapsedSeconds=0, engine="torchrun")
    saved_epochs = recipe["epochs"]
    if args.resume:
        state, saved = load_checkpoint(paths["checkpoint"], model, optimizer, ema, device)
        saved_epochs = saved["epochs"]
        done = state["epoch"] >= recipe["epochs"]
        say(f"the run has finished its {recipe['epochs']} epoch(s); pass more epochs to train further" if done
            else f"resumed at epoch {state['epoch'] + 1}, step {state['loaderStep']}/{train_loader.steps_per_epoch}")
    ddp = DistributedDataParallel(model, device_ids=[local_rank] if cuda else None, broadcast_buffers=False)
    say(f"torchrun engine: {world} process(es) on {'cuda' if cuda else 'cpu'} ({dist.get_backend()}), {micro // world} images per process per micro-batch")

    loader_steps = train_loader.steps_per_epoch
    opt_steps_per_epoch = math.ceil(loader_steps / k)
    lr0 = base_lr(recipe)

    def lr_at(step, epochs=recipe["epochs"]):
        return lr0 * lr_factor(recipe["schedule"], step, opt_steps_per_epoch, epochs)

    if saved_epochs != recipe["epochs"]:  # --resume --epochs, as src/train/trainer.ts reports it
        sched, at = recipe["schedule"], state["optimizerStep"]
        spans = sched["kind"] in ("cosine", "onecycle") or (sched["kind"] == "multistep" and sched.get("relative", False))
        change = f"; the {sched['kind']} schedule now spans them: lr at step {at} {lr_at(at, saved_epochs):.3g} → {lr_at(at):.3g}" if spans else ""
        say(f"epochs {saved_epochs} → {recipe['epochs']}{change}")

    def save(at):
        if rank == 0:
            save_checkpoint(paths["checkpoint"], model, optimizer, ema, at, recipe)

    os.makedirs(os.path.dirname(paths["checkpoint"]), exist_ok=True)
    smoothing = recipe["labelSmoothing"]
    for epoch in range(state["epoch"], recipe["epochs"]):
        running = state["running"]
        epoch_start = time.time() - running.get("wallSeconds", 0)
        train_seconds = running.get("trainSeconds", 0)
        epoch_images = running["count"] if "trainSeconds" in running else 0
        lr = lr_at(state["optimizerStep"] - 1) if state["optimizerStep"] > 0 else 0

        def mid_epoch():
            wall = time.time() - epoch_start
            at = dict(state, running=dict(state["running"], trainSeconds=train_seconds, wallSeconds=wall))
            r = state["running"]
            partial = None if r["count"] == 0 else dict(
                epoch=epoch + state["loaderStep"] / loader_steps, trainLoss=r["lossSum"] / r["count"], trainAccuracy=r["correct"] / r["count"],
                lr=lr, imagesPerSecond=epoch_images / max(train_seconds, 1e-9), seconds=wall, partial=True)
            return at, partial

        def checkpoint_mid_epoch():
            at, partial = mid_epoch()
            save(at)
            if rank == 0:
                write_metrics(args.out, state["history"], partial)

        def stopped():
            checkpoint_mid_epoch()
            name = signal.Signals(stop.signal or signal.SIGTERM).name
            say(f"stopped by {name} at epoch {epoch + 1}, step {state['loaderStep']}/{loader_steps}; checkpoint {paths['checkpoint']}")
            return 130 if stop.signal == signal.SIGINT else 143

        local = torch.zeros(4, dtype=torch.float64, device=device)
        t0 = time.time()
        for step, x, labels, targets in train_loader.epoch(epoch, state["loaderStep"]):
            group_start = (step // k) * k
            group_size = min(k, loader_steps - group_start)
            last_in_group = step + 1 - group_start == group_size
            x, labels, targets = x.to(device), labels.to(device), targets.to(device)
            with contextlib.nullcontext() if last_in_group else ddp.no_sync():
                logits = ddp(x)
                loss_sum = F.cross_entropy(logits, targets, reduction="sum", label_smoothing=smoothing)
                # DDP averages over the ranks: the result is the gradient of the mean loss over the group.
                (loss_sum * (world / (group_size * micro))).backward()
            # Summed on the device: no wait for the GPU until the step's figures are reduced.
            local[0] += loss_sum.detach().double()
            local[1] += (logits.argmax(1) == labels).sum()
            local[2] += labels.numel()
            state["loaderStep"] = step + 1
            if not last_in_group:
                continue
            lr = lr_at(state["optimizerStep"])
            set_lr(optimizer, lr)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            sync_buffers(model)
            if ema is not None:
                ema.update(model)
            state["optimizerStep"] += 1
            local[3] = 1 if stop.signal is not None else 0
            dist.all_reduce(local)
            loss_step, correct_step, count_step, stopping = local.tolist()
            local.zero_()
            state["running"]["lossSum"] += loss_step
            state["running"]["correct"] += int(correct_step)
            state["running"]["count"] += int(count_step)
            epoch_images += int(count_step)
            if stopping > 0 and stop.signal is None:
                stop.signal = signal.SIGTERM
            now = time.time()
            train_seconds += now - t0
            if rank == 0 and (state["loaderStep"] % max(1, loader_steps // 10) == 0 or state["loaderStep"] == loader_steps):
                say(f"epoch {epoch + 1}/{recipe['epochs']} step {state['loaderStep']}/{loader_steps} loss {loss_sum.item() / labels.numel():.4f} "
                    f"lr {lr:.4g} {epoch_images / max(train_seconds, 1e-9):.1f} img/s")
            if stop.signal is not None:
                return stopped()
            every = recipe["checkpointEverySteps"]
            if every > 0 and state["optimizerStep"] % every == 0 and state["loaderStep"] != loader_steps:
                checkpoint_mid_epoch()
                say(f"checkpoint at epoch {epoch + 1}, step {state['loaderStep']}/{loader_steps}")
            t0 = time.time()
        test_loss, test_acc = evaluate(model, test_loader, device)
        metrics = dict(epoch=epoch + 1, trainLoss=state["running"]["lossSum"] / state["running"]["count"],
                       trainAccuracy=state["running"]["correct"] / state["running"]["count"], testLoss=test_loss, testAccuracy=test_acc)
        if ema is not None:
            ema.swap(model)
            metrics["emaTestLoss"], metrics["emaTestAccuracy"] = evaluate(model, test_loader, device)
            ema.swap(model)
        metrics.update(lr=lr, imagesPerSecond=epoch_images / max(train_seconds, 1e-9), seconds=time.time() - epoch_start)
        say(f"epoch {epoch + 1}/{recipe['epochs']}: train loss {metrics['trainLoss']:.4f}, test loss {test_loss:.4f}, test top-1 {100 * test_acc:.2f}%")
        state = dict(state, epoch=epoch + 1, loaderStep=0, running=dict(lossSum=0, correct=0, count=0),
                     history=state["history"] + [metrics], elapsedSeconds=state["elapsedSeconds"] + train_seconds)
        if rank == 0:
            write_metrics(args.out, state["history"])
        save(state)

    if rank == 0:
        write_safetensors(paths["model"], model.state_dict(), {"recipe": recipe["name"]})
        if ema is not None:
            ema.swap(model)
            write_safetensors(paths["ema"], model.state_dict(), {"recipe": recipe["name"], "ema": str(recipe["ema"]["decay"])})
            ema.swap(model)
        reference = os.environ.get("RESNEXT_DDP_REFERENCE_LOGITS")
        if reference:
            dump_reference(reference, model, test_source, recipe, device)
        say(f"run directory {args.out}")
    return 0


def run():
    try:
        code = main(sys.argv[1:])
    except (RecipeError, DatasetError, CheckpointError) as e:
        if os.environ.get("LOCAL_RANK", "0") == "0":  # once per machine: every rank meets the same problem
            print(f"{type(e).__name__}: {e}", file=sys.stderr, flush=True)
        code = 1
    except RuntimeError as e:
        # A collective that fails because another process died (killed, out of memory, its
        # machine gone): one line, not this process's traceback; the launcher names the process.
        if not dist.is_initialized() or not any(w in str(e) for w in ("Connection", "Gloo", "gloo", "NCCL", "closed", "reset")):
            raise
        print(f"rank {dist.get_rank()}: another process of the run stopped ({str(e).splitlines()[0]})", file=sys.stderr, flush=True)
        code = 1
    if code == 0 and dist.is_initialized():
        dist.destroy_process_group()
    sys.exit(code)


if __name__ == "__main__":
    run()
