"""The safetensors format read and written without the safetensors package (Debian ships none): a
u64 little-endian header length, a JSON header padded with spaces to 8 bytes, then each tensor's
raw little-endian bytes. Files are written to a temporary name, fsynced and renamed, as
src/checkpoint/atomic_write.ts does, so a killed run never leaves half a file."""
import json
import os
import struct

import torch

DTYPES = {torch.float32: "F32", torch.int64: "I64"}
TORCH = {v: k for k, v in DTYPES.items()}


def write_safetensors_bytes(path, entries, metadata=None):
    """entries: {name: (dtype code such as "F32" or "U8", shape list, raw little-endian bytes)},
    written in insertion order; metadata: {str: str}. (The project's fixture generators write
    their files with this function too.)"""
    header, chunks, offset = {}, [], 0
    for name, (dtype, shape, data) in entries.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = f"{os.path.join(os.path.dirname(path), '.' + os.path.basename(path))}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fd = os.open(os.path.dirname(path) or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: tensor} (float32 or int64, any device; other dtypes as float32); metadata: {str: str}."""
    entries = {}
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        if t.dtype not in DTYPES:
            t = t.to(torch.float32)
        entries[name] = (DTYPES[t.dtype], list(t.shape), t.numpy().tobytes())
    write_safetensors_bytes(path, entries, metadata)


def read_safetensors(path):
    """(tensors, metadata) of a file written by write_safetensors (F32 and I64 tensors)."""
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    if length < 2 or length > len(raw) - 8:
        raise ValueError(f"{path} is not a safetensors file (header length {length}, file {len(raw)} bytes)")
    header = json.loads(raw[8:8 + length])
    metadata = header.pop("__metadata__", {})
    body = memoryview(raw)[8 + length:]
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(body[start:end]), dtype=TORCH[entry["dtype"]]).reshape(entry["shape"])
    return tensors, metadata
