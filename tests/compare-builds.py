#!/usr/bin/env python3
"""Trains the same short runs with two builds of FcnLab and checks that they agree bit for bit.

    python3 tests/compare-builds.py OLD/fcnlab.dll NEW/fcnlab.dll [--data DIR --dataset NAME] [--epochs N] [--only NAME...] [--keep DIR]

For a refactoring that must not change a number: each config (the dense shorthand with batch norm and
dropout, softmax regression with tanh and a Kaiming init, leaky-relu with a slope, tanh with --l2,
RMSprop and a cosine schedule, lenet5, cnn with --augment, a conv net without bias and with average
pooling, a run resumed for one more epoch) is trained by both builds, and these must be identical:
  - the weights and buffers (the model file's tensors, whatever its format version; for an --arch
    network the whole header too), and the checkpoint's payload (weights, optimizer state, generators);
  - metrics.csv but for its seconds column, steps.csv, confusion.csv, summary.json but for its
    timings, config.json but for its timestamps and host;
  - the model summary (`fcnlab summary` of the same flags) and the safetensors export (weights and
    sidecar, byte for byte).
Without --data it writes a tiny 28x28 IDX data set (so lenet5 and cnn fit). Exit status 1 on any
difference, with each one named.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

CONFIGS = {
    "dense-bn-dropout": ["--hidden", "32,16", "--batch-norm", "--dropout", "0.3", "--seed", "5"],
    "softmax-tanh-kaiming": ["--hidden", "none", "--activation", "tanh", "--init", "kaiming-normal"],
    "leaky-slope": ["--hidden", "24,12", "--activation", "leaky-relu", "--leaky-slope", "0.2", "--init", "kaiming-uniform"],
    "tanh-l2-rmsprop-cosine": ["--hidden", "20", "--activation", "tanh", "--l2", "0.001", "--optimizer", "rmsprop",
                               "--lr", "0.001", "--lr-schedule", "cosine", "--init", "xavier-normal"],
    "sigmoid-adam-patience": ["--hidden", "16,16", "--activation", "sigmoid", "--optimizer", "adam", "--lr", "0.01", "--patience", "1"],
    "lenet5": ["--arch", "lenet5", "--optimizer", "adam", "--lr", "0.002"],
    "cnn-augment": ["--arch", "cnn", "--augment", "--optimizer", "adam", "--lr", "0.002"],
    "conv-nobias-avgpool": ["--arch", "conv(4,3,pad=1,bias=false) batchnorm relu avgpool(2) conv(8,3,stride=2) leaky-relu(0.1) "
                            "maxpool(2,stride=1) flatten dropout(0.2) dense(16) relu dense(classes)", "--init", "kaiming-uniform"],
}
COMMON = ["--epochs", "3", "--batch-size", "32", "--lr", "0.05", "--threads", "2"]
RESUMED = ["--hidden", "24", "--batch-norm", "--optimizer", "sgd", "--momentum", "0.9", "--lr-schedule", "step", "--lr-step-size", "1"]


def write_data(directory, train=240, test=60, size=28, classes=4, seed=3):
    """Class k lights its own band of rows over noise: learnable, imperfectly, in a few epochs."""
    rng = random.Random(seed)
    os.makedirs(directory, exist_ok=True)
    for prefix, n in (("train", train), ("t10k", test)):
        labels = [i % classes for i in range(n)]
        rng.shuffle(labels)
        pixels = bytearray()
        band = size // classes
        for label in labels:
            for r in range(size):
                for _ in range(size):
                    v = rng.randint(0, 150)
                    if r // band == label:
                        v = min(255, v + rng.randint(40, 120))
                    pixels.append(v)
        with open(os.path.join(directory, f"{prefix}-images-idx3-ubyte"), "wb") as f:
            f.write(struct.pack(">iiii", 0x803, n, size, size) + bytes(pixels))
        with open(os.path.join(directory, f"{prefix}-labels-idx1-ubyte"), "wb") as f:
            f.write(struct.pack(">ii", 0x801, n) + bytes(labels))


def sealed(path):
    """A checksummed FcnLab file's (version, header, payload)."""
    data = open(path, "rb").read()
    version, length = struct.unpack_from("<ii", data, 8)
    return version, data[16:16 + length], data[16 + length:-32]


def without(obj, keys):
    return {k: v for k, v in obj.items() if k not in keys}


class Comparison:
    def __init__(self):
        self.differences = []
        self.checked = 0

    def same(self, what, old, new):
        self.checked += 1
        if old != new:
            self.differences.append(what)
            print(f"  DIFFERENT: {what}")


def with_common(flags):
    """COMMON's flags that <flags> do not give (a flag may be given once), then <flags>."""
    common = [x for i in range(0, len(COMMON), 2) if COMMON[i] not in flags for x in COMMON[i:i + 2]]
    return common + flags


def model_flags(flags):
    """The flags `fcnlab summary` takes (the network's) out of a training run's."""
    kept, i = [], 0
    while i < len(flags):
        if flags[i] in ("--batch-norm",):
            kept.append(flags[i])
        elif flags[i] in ("--arch", "--hidden", "--activation", "--leaky-slope", "--dropout"):
            kept += flags[i:i + 2]
        if flags[i] not in ("--batch-norm", "--augment"):
            i += 1
        i += 1
    return kept


def fcnlab(dll, args, cwd):
    result = subprocess.run(["dotnet", dll, *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{dll} {' '.join(args)}: exit {result.returncode}\n{result.stderr}{result.stdout}")
    return result.stdout


def compare_runs(c, name, old_dir, new_dir, arch):
    def text(d, f):
        return open(os.path.join(d, f)).read()
    c.same(f"{name}: metrics.csv (but seconds)",
           *[[line.rsplit(",", 1)[0] for line in text(d, "metrics.csv").splitlines()] for d in (old_dir, new_dir)])
    for f in ("steps.csv", "confusion.csv"):
        c.same(f"{name}: {f}", text(old_dir, f), text(new_dir, f))
    timings = {"train_seconds", "seconds_per_epoch"}
    c.same(f"{name}: summary.json (but timings)", *[without(json.loads(text(d, "summary.json")), timings) for d in (old_dir, new_dir)])
    stamps = {"started_at", "finished_at", "host", "resumes", "version"}
    c.same(f"{name}: config.json (but times and host)", *[without(json.loads(text(d, "config.json")), stamps) for d in (old_dir, new_dir)])
    (ov, oh, op), (nv, nh, np_) = sealed(os.path.join(old_dir, "model.fcnlab")), sealed(os.path.join(new_dir, "model.fcnlab"))
    c.same(f"{name}: model.fcnlab tensors (format {ov} -> {nv})", op, np_)
    oj, nj = json.loads(oh), json.loads(nh)
    c.same(f"{name}: model.fcnlab tensor names and shapes", oj["tensors"], nj["tensors"])
    c.same(f"{name}: model.fcnlab normalization and class names", (oj["normalization"], oj["class_names"]), (nj["normalization"], nj["class_names"]))
    if arch:
        c.same(f"{name}: model.fcnlab header (an --arch network: the same text)", oh, nh)
    c.same(f"{name}: checkpoint.fcnlab payload", sealed(os.path.join(old_dir, "checkpoint.fcnlab"))[2], sealed(os.path.join(new_dir, "checkpoint.fcnlab"))[2])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--data", help="a data set directory (default: a tiny one written here)")
    parser.add_argument("--dataset", default="tiny")
    parser.add_argument("--keep", help="keep the runs in this directory")
    parser.add_argument("--epochs", help="epochs of every run (default 3; the resumed run goes on to one more than this)")
    parser.add_argument("--only", nargs="+", choices=[*CONFIGS, "resumed"], help="these configs only")
    args = parser.parse_args()
    if args.epochs:
        COMMON[COMMON.index("--epochs") + 1] = args.epochs
    epochs = int(COMMON[COMMON.index("--epochs") + 1])
    work = args.keep or tempfile.mkdtemp(prefix="fcnlab-compare-")
    os.makedirs(work, exist_ok=True)
    data = args.data or os.path.join(work, "data")
    if not args.data:
        write_data(data)
    c = Comparison()
    builds = {"old": os.path.abspath(args.old), "new": os.path.abspath(args.new)}
    try:
        for name, flags in CONFIGS.items():
            if args.only and name not in args.only:
                continue
            print(name)
            dirs = {}
            for build, dll in builds.items():
                out = os.path.join(work, build, name)
                shutil.rmtree(out, ignore_errors=True)
                fcnlab(dll, ["train", "--data", data, "--dataset", args.dataset, *with_common(flags), "--out", out,
                             "--store", os.path.join(work, build, "runs.db"), "--quiet"], work)
                dirs[build] = out
            compare_runs(c, name, dirs["old"], dirs["new"], "--arch" in flags)
            summaries = [fcnlab(dll, ["summary", *model_flags(flags), "--image-shape", "28x28", "--classes", "4"], work) for dll in builds.values()]
            c.same(f"{name}: fcnlab summary", *summaries)
            exports = []
            for build, dll in builds.items():
                target = os.path.join(work, build, name + ".safetensors")
                fcnlab(dll, ["export", "--model", dirs[build], "--format", "safetensors", "--out", target], work)
                exports.append([hashlib.sha256(open(target + ext, "rb").read()).hexdigest() for ext in ("", ".json")])
            c.same(f"{name}: safetensors export and sidecar", *exports)
        dirs = {}
        for build, dll in (builds.items() if not args.only or "resumed" in args.only else []):
            out = os.path.join(work, build, "resumed")
            shutil.rmtree(out, ignore_errors=True)
            store = ["--store", os.path.join(work, build, "runs.db")]
            fcnlab(dll, ["train", "--data", data, "--dataset", args.dataset, *with_common(RESUMED + ["--epochs", str(epochs)]), "--out", out, *store, "--quiet"], work)
            fcnlab(dll, ["train", "--resume", out, "--epochs", str(epochs + 1), *store, "--quiet"], work)
            dirs[build] = out
        if dirs:
            print("resumed")
            compare_runs(c, "resumed", dirs["old"], dirs["new"], False)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{c.checked} comparisons, {len(c.differences)} different")
    sys.exit(1 if c.differences else 0)


if __name__ == "__main__":
    main()
