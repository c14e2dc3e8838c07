"""Datasets, input pipelines and batches as packages/recipes/src/data and src/datasets define them:
the same sources (Fashion-MNIST IDX, CIFAR binary batches, image folders), the same transforms drawn
from the same streams (rngFor(seed, epoch, sample) per image, rngFor(seed, epoch) for the order,
rngFor(seed, epoch, step, MIX) per batch), so one process sees exactly the batches of the
TensorFlow.js trainer. With W processes, global batch t is split into W contiguous slices, one per rank."""
import gzip
import math
import os
import re

import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF
from torchvision.transforms import InterpolationMode

from .rng import rng_for

DEBIAN_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
MIX_STREAM = 0x6D697821
IMAGE_FILE = re.compile(r"\.(jpe?g|png|webp)$", re.IGNORECASE)


class DatasetError(Exception):
    """A dataset that cannot be read; the message says what to provide."""


def _read_maybe_gz(directory, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(directory, candidate)
        if os.path.exists(path):
            with (gzip.open(path, "rb") if candidate.endswith(".gz") else open(path, "rb")) as f:
                return f.read(), path
    raise DatasetError(
        f"Fashion-MNIST file {name}(.gz) not found in {directory}. Install Debian's package (apt-get install "
        f"dataset-fashion-mnist), or put the four standard files in a folder and pass it as --data-dir.")


def _parse_idx(raw, path):
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DatasetError(f"{path} is not an IDX file of unsigned bytes")
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    start = 4 + 4 * rank
    if len(raw) - start != math.prod(dims):
        raise DatasetError(f"{path}: {len(raw) - start} bytes of data for dimensions {dims}")
    return torch.frombuffer(bytearray(raw[start:]), dtype=torch.uint8).reshape(dims)


class ArraySource:
    """Images held in memory as a uint8 tensor [N, H, W, C] with their labels."""

    def __init__(self, name, images, labels, num_classes):
        self.name, self.images, self.labels, self.num_classes = name, images, labels, num_classes
        self.size = images.shape[0]

    def read(self, index):
        """The image as float32 CHW values 0–255, and its label."""
        return self.images[index].permute(2, 0, 1).to(torch.float32), int(self.labels[index])


class FolderSource:
    """torchvision's ImageFolder layout, classes and files sorted by name as the TypeScript source."""

    def __init__(self, directory):
        if not os.path.isdir(directory):
            raise DatasetError(f"image folder {directory} does not exist (expected {directory}/<class>/<image>.jpg).")
        self.classes = sorted(e.name for e in os.scandir(directory) if e.is_dir())
        if not self.classes:
            raise DatasetError(f"image folder {directory} has no class sub-folders.")
        self.items = []
        for label, name in enumerate(self.classes):
            for f in sorted(os.listdir(os.path.join(directory, name))):
                if IMAGE_FILE.search(f):
                    self.items.append((os.path.join(directory, name, f), label))
        if not self.items:
            raise DatasetError(f"image folder {directory} has class folders but no .jpg/.jpeg/.png/.webp images.")
        self.name, self.size, self.num_classes = directory, len(self.items), len(self.classes)

    def read(self, index):
        from PIL import Image  # a dependency of torchvision; only image folders need it

        path, label = self.items[index]
        with Image.open(path) as im:
            return TF.pil_to_tensor(im.convert("RGB")).to(torch.float32), label


def fashion_mnist(split, directory):
    directory = directory or os.environ.get("RESNEXT_FASHION_MNIST_DIR") or DEBIAN_FASHION_MNIST_DIR
    prefix = "train" if split == "train" else "t10k"
    images = _parse_idx(*_read_maybe_gz(directory, f"{prefix}-images-idx3-ubyte"))
    labels = _parse_idx(*_read_maybe_gz(directory, f"{prefix}-labels-idx1-ubyte"))
    return ArraySource(f"fashion-mnist/{split}", images.unsqueeze(-1), labels, 10)


def cifar(kind, split, directory):
    files = {
        "cifar10": {"train": [f"data_batch_{i}.bin" for i in range(1, 6)], "test": ["test_batch.bin"]},
        "cifar100": {"train": ["train.bin"], "test": ["test.bin"]},
    }[kind][split]
    label_bytes = 1 if kind == "cifar10" else 2
    record = label_bytes + 3072
    images, labels = [], []
    for name in files:
        path = os.path.join(directory, name)
        if not os.path.exists(path):
            raise DatasetError(f"{kind} file {path} not found: put the binary-version files ({', '.join(files)}) in {directory}.")
        with open(path, "rb") as f:
            raw = f.read()
        if len(raw) == 0 or len(raw) % record != 0:
            raise DatasetError(f"{path}: {len(raw)} bytes is not a whole number of {record}-byte {kind} records")
        t = torch.frombuffer(bytearray(raw), dtype=torch.uint8).reshape(-1, record)
        labels.append(t[:, label_bytes - 1].to(torch.int64))
        images.append(t[:, label_bytes:].reshape(-1, 3, 32, 32).permute(0, 2, 3, 1))
    return ArraySource(f"{kind}/{split}", torch.cat(images), torch.cat(labels), 10 if kind == "cifar10" else 100)


def open_sources(recipe):
    """The recipe's training and evaluation sources, as src/train/sources.ts opens them."""
    ds = recipe["dataset"]
    kind, directory = ds["kind"], ds.get("dir")
    if kind == "fashion-mnist":
        return fashion_mnist("train", directory), fashion_mnist("test", directory)
    if directory is None:
        raise DatasetError(f'Recipe "{recipe["name"]}": dataset {kind} needs dataset.dir (or --data-dir).')
    if kind == "image-folder":
        return FolderSource(os.path.join(directory, "train")), FolderSource(os.path.join(directory, "val"))
    return cifar(kind, "train", directory), cifar(kind, "test", directory)


def _round_half_even(v):
    return round(v)  # Python rounds halves to the even neighbour, as transforms.ts does


def random_resized_crop_box(h, w, scale, ratio, rng):
    """torchvision's RandomResizedCrop.get_params on our stream (transforms.ts randomResizedCropBox)."""
    area = h * w
    log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
    for _ in range(10):
        target = area * rng.range(scale[0], scale[1])
        aspect = math.exp(rng.range(log_ratio[0], log_ratio[1]))
        cw = _round_half_even(math.sqrt(target * aspect))
        ch = _round_half_even(math.sqrt(target / aspect))
        if 0 < cw <= w and 0 < ch <= h:
            return rng.int(h - ch + 1), rng.int(w - cw + 1), ch, cw
    in_ratio = w / h
    cw, ch = w, h
    if in_ratio < min(ratio):
        ch = _round_half_even(w / min(ratio))
    elif in_ratio > max(ratio):
        cw = _round_half_even(h * max(ratio))
    return (h - ch) // 2, (w - cw) // 2, ch, cw


def _place(img, top, left, size):
    """The size×size window at (top, left), zero outside the image (randomCrop's padding, centerCrop)."""
    c, h, w = img.shape
    out = torch.zeros(c, size, size, dtype=img.dtype)
    y0, y1 = max(0, -top), min(size, h - top)
    x0, x1 = max(0, -left), min(size, w - left)
    if y1 > y0 and x1 > x0:
        out[:, y0:y1, x0:x1] = img[:, top + y0:top + y1, left + x0:left + x1]
    return out


def apply_transform(specs, img, rng):
    """One image (float32 CHW, values 0–255) through a TransformSpec list, as buildTransform."""
    for s in specs:
        kind = s["kind"]
        _, h, w = img.shape
        if kind == "randomCrop":
            size, pad = s["size"], s.get("padding", 0)
            oy = rng.int(h + 2 * pad - size + 1) - pad
            ox = rng.int(w + 2 * pad - size + 1) - pad
            img = _place(img, oy, ox, size)
        elif kind == "flip":
            if rng.uniform() < s.get("p", 0.5):
                img = img.flip(-1)
        elif kind == "randomResizedCrop":
            top, left, ch, cw = random_resized_crop_box(h, w, s.get("scale", [0.08, 1]), s.get("ratio", [3 / 4, 4 / 3]), rng)
            img = TF.resized_crop(img, top, left, ch, cw, [s["size"], s["size"]], InterpolationMode.BILINEAR, antialias=True)
        elif kind == "resize":
            size = s["size"]
            out = (size, (size * w) // h) if h <= w else ((size * h) // w, size)
            if out != (h, w):
                img = TF.resize(img, list(out), InterpolationMode.BILINEAR, antialias=True)
        elif kind == "centerCrop":
            size = s["size"]
            img = _place(img, _round_half_even((h - size) / 2), _round_half_even((w - size) / 2), size)
    img = img / 255
    last = specs[-1] if specs else None
    if last is not None and last["kind"] == "normalize":
        mean = torch.tensor(last["mean"], dtype=torch.float32).view(-1, 1, 1)
        std = torch.tensor(last["std"], dtype=torch.float32).view(-1, 1, 1)
        img = (img - mean) / std
    return img


def mix_batch(x, targets, kind, alpha, rng):
    """loader.ts mixBatch: the batch mixed with its reverse (mixup blends, CutMix pastes a box);
    blended in float64 and rounded once, as JavaScript does. Returns the label weight λ."""
    n, _, h, w = x.shape
    lam = rng.beta(alpha)
    if kind == "mixup":
        x.copy_((x.double() * lam + x.flip(0).double() * (1 - lam)).float())
    else:
        cut_h = math.floor(h * math.sqrt(1 - lam))
        cut_w = math.floor(w * math.sqrt(1 - lam))
        cy, cx = rng.int(h), rng.int(w)
        y0, y1 = max(cy - cut_h // 2, 0), min(cy + cut_h // 2, h)
        x0, x1 = max(cx - cut_w // 2, 0), min(cx + cut_w // 2, w)
        source = x.flip(0).clone()
        x[:, :, y0:y1, x0:x1] = source[:, :, y0:y1, x0:x1]
        lam = 1 - ((y1 - y0) * (x1 - x0)) / (h * w)
    targets.copy_((targets.double() * lam + targets.flip(0).double() * (1 - lam)).float())
    return lam


class _Samples(torch.utils.data.Dataset):
    """Item (epoch, index) → the transformed image and its label, for DataLoader workers."""

    def __init__(self, source, specs, seed):
        self.source, self.specs, self.seed = source, specs, seed

    def __getitem__(self, key):
        epoch, index = key
        img, label = self.source.read(index)
        return apply_transform(self.specs, img, rng_for(self.seed, epoch, index)), label

    def __len__(self):
        return self.source.size


class Loader:
    """Batches of one dataset as loader.ts createLoader yields them, each cut to this rank's slice."""

    def __init__(self, source, batch_size, specs, shuffle, seed, rank, world, drop_last=False, mixup=0, cutmix=0, limit=None, workers=0):
        self.source, self.batch_size, self.shuffle, self.seed = source, batch_size, shuffle, seed
        self.rank, self.world, self.mixup, self.cutmix, self.workers = rank, world, mixup, cutmix, workers
        self.size = min(limit or source.size, source.size)
        if drop_last and self.size < batch_size:
            raise DatasetError(f"{source.name}: {self.size} examples make no full batch of {batch_size}")
        self.steps_per_epoch = self.size // batch_size if drop_last else -(-self.size // batch_size)
        self.samples = _Samples(source, specs, seed)
        self.num_classes = source.num_classes

    def order(self, epoch):
        order = list(range(self.size))
        if self.shuffle:
            rng_for(self.seed, epoch).shuffle(order)
        return order

    def epoch(self, epoch, start_step=0):
        """(step, x NCHW, labels, targets) of this rank for the batches of `epoch` from `start_step` on."""
        order = self.order(epoch)
        steps, slices = [], []
        for step in range(start_step, self.steps_per_epoch):
            batch = order[step * self.batch_size:(step + 1) * self.batch_size]
            n = len(batch)
            mine = batch[self.rank * n // self.world:(self.rank + 1) * n // self.world]
            if mine:  # an evaluation's last batch may leave a rank nothing
                steps.append(step)
                slices.append([(epoch, i) for i in mine])
        loader = torch.utils.data.DataLoader(self.samples, batch_sampler=slices, num_workers=self.workers)
        for step, (x, labels) in zip(steps, loader):
            targets = F.one_hot(labels, self.num_classes).to(torch.float32)
            if self.mixup > 0 or self.cutmix > 0:
                rng = rng_for(self.seed, epoch, step, MIX_STREAM)
                if rng.uniform() < 1:  # loader.ts' mixProb, 1 in every recipe
                    kind = ("mixup" if rng.uniform() < 0.5 else "cutmix") if self.mixup > 0 and self.cutmix > 0 else ("mixup" if self.mixup > 0 else "cutmix")
                    mix_batch(x, targets, kind, self.mixup if kind == "mixup" else self.cutmix, rng)
            yield step, x, labels, targets
