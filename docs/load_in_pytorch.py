#!/usr/bin/env python3
"""Load an `fcnlab export --format safetensors` model into PyTorch and evaluate it on a data set's
test images (IDX files, raw or .gz), as a user of PyTorch would: no FcnLab code involved.

    python3 docs/load_in_pytorch.py model.safetensors /usr/share/datasets/fashion-mnist

Prints the test accuracy and the logits of the first image. PyTorch 1.13 has no safetensors package:
the format (8-byte header length, JSON header, raw little-endian tensors) is read by hand below.
"""
import gzip
import json
import os
import struct
import sys

import torch
from torch.nn import *  # noqa: F401,F403 - the sidecar's layers are torch.nn constructors


def load_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    dtypes = {"F32": torch.float32, "I64": torch.int64}
    state = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        blob = bytearray(data[8 + n + begin:8 + n + end])
        state[name] = torch.frombuffer(blob, dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return state


def read_idx(directory, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            data = (gzip.open if name.endswith(".gz") else open)(path, "rb").read()
            rank = data[3]
            dims = struct.unpack(">" + "i" * rank, data[4:4 + 4 * rank])
            return torch.frombuffer(bytearray(data[4 + 4 * rank:]), dtype=torch.uint8).reshape(dims)
    raise SystemExit(f"{stem} not found in {directory}")


def main():
    weights, data_dir = sys.argv[1], sys.argv[2]
    sidecar = json.load(open(weights + ".json"))
    model = Sequential(*[eval(layer) for layer in sidecar["layers"]])
    model.load_state_dict(load_safetensors(weights), strict=True)
    model.eval()

    images = read_idx(data_dir, "t10k-images-idx3-ubyte").float() / 255.0
    labels = read_idx(data_dir, "t10k-labels-idx1-ubyte").long()
    mean = torch.tensor(sidecar["input_mean"], dtype=torch.float32)
    std = torch.tensor(sidecar["input_std"], dtype=torch.float32)
    x = ((images - mean) / std).reshape([images.shape[0]] + list(sidecar["input_shape"]))
    with torch.no_grad():
        logits = torch.cat([model(x[i:i + 1000]) for i in range(0, x.shape[0], 1000)])
    accuracy = (logits.argmax(1) == labels).float().mean().item()
    print(f"layers: {', '.join(sidecar['layers'])}")
    print(f"test accuracy in PyTorch {torch.__version__}: {100 * accuracy:.2f}% of {len(labels)}")
    print("logits of test image 0:", " ".join(f"{v:.6f}" for v in logits[0].tolist()))


if __name__ == "__main__":
    main()
