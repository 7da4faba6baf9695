#!/usr/bin/python3
"""PyTorch half of the FcnLab-vs-PyTorch training-speed comparison on FashionMNIST.

A measuring tool only: PyTorch is never a dependency of FcnLab. The script trains the same two
networks FcnLab builds, on the same data pipeline, and times exactly the span FcnLab's `seconds`
covers (an epoch's shuffle plus all its training steps).

Run it with Debian's python3 (which has the python3-torch and python3-numpy packages), NOT a pyenv
or other `python3` that may come first on PATH, and without OpenBLAS overrides in the environment:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch_bench.py --model both --epochs 3 --threads 2 --json

Quick test (two epochs on 6000 images):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch_bench.py --epochs 2 --subset 6000

Models (as FcnLab builds them; PyTorch default initialization; nn.CrossEntropyLoss, mean):
  default  784-1200-2000-800-10, Linear->ReLU per hidden layer, then Linear; SGD lr 0.025, batch 512
  bn-adam  784-1000-2000-1000-1000-10, Linear->BatchNorm1d->ReLU per hidden layer, then Linear;
           Adam lr 0.0001, batch 512
  lenet5   FcnLab's --arch lenet5 on 1x28x28 images: Conv2d(1,6,5,padding=2)->ReLU->MaxPool2d(2)->
           Conv2d(6,16,5)->ReLU->MaxPool2d(2)->Flatten->Linear(400,120)->ReLU->Linear(120,84)->ReLU->
           Linear(84,10); Adam lr 0.001, batch 128 (convolutions run through oneDNN)
  cnn      FcnLab's --preset cnn: Conv2d(1,32,3,padding=1)->BatchNorm2d->ReLU->MaxPool2d(2)->
           Conv2d(32,64,3,padding=1)->BatchNorm2d->ReLU->MaxPool2d(2)->Flatten->Linear(3136,128)->ReLU->
           Dropout(0.3)->Linear(128,10); Adam lr 0.002, batch 128 (the preset's cosine schedule changes
           the learning rate once per epoch, outside the timed span, so it is left out)
--model both is default and bn-adam; --model all adds lenet5 and cnn.

Timing: per epoch, time.perf_counter() around the shuffle (torch.randperm with a seeded generator)
and every step including the last partial batch (index the in-memory tensor, zero_grad, forward,
loss, backward, optimizer step, plus the running loss/accuracy sums FcnLab also keeps). Validation,
test and data loading are outside the timed span. seconds_per_epoch is the median of epochs 2..N
(epoch 1 carries warm-up), or epoch 1 when N == 1.

Environment checks: the script reports the torch version, the BLAS PyTorch was built against
(BLAS_INFO/LAPACK_INFO of torch.__config__.show()) and the OpenBLAS actually loaded (found in
/proc/self/maps, queried through ctypes: openblas_get_corename/_config/_num_threads). It refuses to
run (exit code 2) when no OpenBLAS is loaded, e.g. Debian's reference libblas3 is selected by the
alternatives system: install libopenblas0-pthread. It warns loudly when OPENBLAS_CORETYPE or
OPENBLAS_L2_SIZE is set (they override OpenBLAS's CPU detection), and when OpenBLAS fell back to
pre-AVX2 kernels on a CPU that has AVX2/AVX-512 (OpenBLAS 0.3.21 does not know every new CPU model;
such a run understates PyTorch's speed; the warning names the OPENBLAS_CORETYPE that fits the CPU).

With --json, stdout carries exactly one JSON document; progress and warnings go to stderr.
"""

from __future__ import annotations

import argparse
import ctypes
import gzip
import json
import os
import re
import statistics
import struct
import sys
import time

EXPECTED_PYTHON = "/usr/bin/python3"
INTENDED_COMMAND = (
    "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch_bench.py "
    "--model both --epochs 3 --threads 2 --json"
)
EXIT_ENVIRONMENT = 2  # refused: wrong interpreter, no torch, or no OpenBLAS behind PyTorch

BATCH_SIZES = {"default": 512, "bn-adam": 512, "lenet5": 128, "cnn": 128}
EVAL_BATCH_SIZE = 1000  # FcnLab's evaluation batch size (only affects the untimed validation pass)
VAL_FRACTION = 0.1

# OpenBLAS core names whose SGEMM kernels use AVX2 or better; anything else on an AVX2 CPU is a
# fallback (typically "Prescott", SSE3) that leaves most of the CPU's floating-point width unused.
AVX2_CORES = {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids", "excavator"}


# ----------------------------------------------------------------------------- output helpers

class Output:
    """Human-readable lines go to stdout, or to stderr under --json (stdout then holds only JSON)."""

    def __init__(self, json_mode: bool):
        self.json_mode = json_mode

    def info(self, text: str = "") -> None:
        print(text, file=sys.stderr if self.json_mode else sys.stdout, flush=True)

    @staticmethod
    def warn(text: str) -> None:
        bar = "!" * 78
        print(f"{bar}\nWARNING: {text}\n{bar}", file=sys.stderr, flush=True)


def die(text: str, code: int = EXIT_ENVIRONMENT) -> None:
    print(f"pytorch_bench: {text}", file=sys.stderr, flush=True)
    sys.exit(code)


# ----------------------------------------------------------------------------- arguments

def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time PyTorch training of FcnLab's FashionMNIST networks (the PyTorch half of the comparison).",
        epilog=f"Run it as: {INTENDED_COMMAND}",
    )
    parser.add_argument("--model", choices=["default", "bn-adam", "lenet5", "cnn", "both", "all"], default="both",
                        help="which network to train: both = default and bn-adam; all = those, lenet5 and cnn (default: both)")
    parser.add_argument("--epochs", type=positive_int, default=3, help="epochs per model (default: 3)")
    parser.add_argument("--threads", type=positive_int, default=os.cpu_count() or 1,
                        help="intra-op threads for PyTorch and OpenBLAS (default: os.cpu_count())")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                        help="directory with the FashionMNIST IDX .gz files")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document with the results on stdout and nothing else there")
    parser.add_argument("--subset", type=positive_int, default=None,
                        help="use only the first N training images (before the 90/10 split), for quick tests")
    parser.add_argument("--seed", type=int, default=1, help="seed for split, initialization and shuffles (default: 1)")
    args = parser.parse_args(argv)
    if args.subset is not None and args.subset < 20:
        parser.error("--subset must be at least 20 images (so both splits are non-empty)")
    return args


# ----------------------------------------------------------------------------- environment

def check_interpreter() -> None:
    """Refuse anything but Debian's python3: another python3 on PATH (pyenv) has no torch, or a different one."""
    if os.path.realpath(sys.executable) != os.path.realpath(EXPECTED_PYTHON):
        die(f"run this script with {EXPECTED_PYTHON} (Debian's python3 with python3-torch), not {sys.executable}.\n"
            f"  {INTENDED_COMMAND}")


def openblas_env_warnings(corename: str | None, suggested: str | None) -> list[str]:
    """Warnings for environment variables that override OpenBLAS's own CPU detection."""
    warnings = []
    core = os.environ.get("OPENBLAS_CORETYPE")
    if core is not None:
        text = (f"OPENBLAS_CORETYPE={core} is set: it overrides OpenBLAS's CPU detection "
                f"(kernels in effect: {corename or 'unknown'}).")
        if corename and suggested and corename.lower() != suggested.lower():
            text += f" That is not the best kernel set for this CPU ({suggested}), so PyTorch runs slower than it could."
        text += f" Reference runs unset it: {INTENDED_COMMAND}"
        warnings.append(text)
    l2 = os.environ.get("OPENBLAS_L2_SIZE")
    if l2 is not None:
        warnings.append(f"OPENBLAS_L2_SIZE={l2} is set: it overrides the L2 cache size OpenBLAS detects "
                        f"(which changes its blocking and can change its kernel choice). "
                        f"Reference runs unset it: {INTENDED_COMMAND}")
    return warnings


def cpu_flags() -> tuple[str, set[str]]:
    """The CPU's model name and feature flags from /proc/cpuinfo (empty when unreadable)."""
    fields: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.strip():
                    break  # first processor only
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    model = f"{fields.get('model name', 'unknown')} (family {fields.get('cpu family', '?')} model {fields.get('model', '?')})"
    return model, set(fields.get("flags", "").split())


def suggested_coretype(flags: set[str]) -> str | None:
    """The OpenBLAS 0.3.21 core type that matches the CPU's widest floating-point features."""
    if "avx512_bf16" in flags and "avx512f" in flags:
        return "Cooperlake"
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= flags:
        return "SkylakeX"
    if "avx2" in flags and "fma" in flags:
        return "Haswell"
    return None


def mapped_libraries() -> list[str]:
    """Paths of the shared objects mapped into this process, in first-seen order."""
    paths: dict[str, None] = {}
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split(maxsplit=5)
            if len(parts) == 6 and parts[5].startswith("/") and ".so" in parts[5]:
                paths.setdefault(parts[5].strip(), None)
    return list(paths)


class DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def sgemm_provider(libraries: list[str]) -> str | None:
    """The file that defines the sgemm_ libtorch_cpu resolves (searching libtorch_cpu and its dependencies)."""
    torch_cpu = next((p for p in libraries if os.path.basename(p).startswith("libtorch_cpu.so")), None)
    if torch_cpu is None:
        return None
    try:
        handle = ctypes.CDLL(torch_cpu, mode=os.RTLD_NOLOAD)
        address = ctypes.cast(handle.sgemm_, ctypes.c_void_p)
        info = DlInfo()
        libc = ctypes.CDLL(None)
        if libc.dladdr(address, ctypes.byref(info)) and info.dli_fname:
            return os.path.realpath(info.dli_fname.decode())
    except (OSError, AttributeError):
        pass
    return None


def find_openblas(libraries: list[str]):
    """The first mapped library that exports openblas_get_corename, as (path, ctypes handle), or (None, None)."""
    for path in libraries:
        if "blas" not in os.path.basename(path).lower():
            continue
        try:
            handle = ctypes.CDLL(path, mode=os.RTLD_NOLOAD)  # already loaded: never load anything new
            handle.openblas_get_corename  # noqa: B018 - raises AttributeError when absent
        except (OSError, AttributeError):
            continue
        return path, handle
    return None, None


def inspect_blas(torch, threads: int) -> dict:
    """Report PyTorch's BLAS and the OpenBLAS core in effect; exit 2 when no OpenBLAS is behind PyTorch."""
    config = torch.__config__.show()
    blas_info = re.search(r"BLAS_INFO=([^,\s]+)", config)
    lapack_info = re.search(r"LAPACK_INFO=([^,\s]+)", config)
    blas = blas_info.group(1) if blas_info else "unknown"
    lapack = lapack_info.group(1) if lapack_info else ("enabled" if "LAPACK is enabled" in config else "unknown")

    # One matrix product so that the BLAS is certainly loaded and initialized before we look.
    a = torch.ones(64, 64)
    _ = (a @ a).sum().item()

    libraries = mapped_libraries()
    blas_libraries = [p for p in libraries if re.search(r"blas|lapack", os.path.basename(p), re.I)]
    provider = sgemm_provider(libraries)
    path, handle = find_openblas(libraries)

    corename = config_text = None
    threads_before = threads_after = None
    if handle is not None:
        handle.openblas_get_corename.restype = ctypes.c_char_p
        handle.openblas_get_config.restype = ctypes.c_char_p
        handle.openblas_get_num_threads.restype = ctypes.c_int
        raw = handle.openblas_get_corename()
        corename = raw.decode(errors="replace").strip() if raw else None
        raw = handle.openblas_get_config()
        config_text = raw.decode(errors="replace").strip() if raw else None
        threads_before = handle.openblas_get_num_threads()
        # PyTorch's set_num_threads only sizes its OpenMP pool; the pthread OpenBLAS keeps its own
        # pool (all cores by default), so size it too: both sides of the comparison get N threads.
        handle.openblas_set_num_threads(ctypes.c_int(threads))
        threads_after = handle.openblas_get_num_threads()

    refusal = None
    if handle is None:
        refusal = "no OpenBLAS is loaded into PyTorch's process"
    elif not corename:
        refusal = f"the OpenBLAS core name cannot be read from {path}"
    elif provider is not None and "openblas" not in provider.lower():
        refusal = f"PyTorch's sgemm_ comes from {provider}, not from OpenBLAS"
    if refusal:
        die(f"refusing to compare: {refusal}.\n"
            f"  PyTorch's BLAS is BLAS_INFO={blas}; libraries mapped: {', '.join(blas_libraries) or 'none'}.\n"
            f"  PyTorch's matrix products would run on the slow reference BLAS (Debian's libblas3), which is no fair\n"
            f"  comparison. Install OpenBLAS, which Debian's alternatives then select for libblas.so.3:\n"
            f"      apt-get install libopenblas0-pthread\n"
            f"  (if it is installed, check that libblas.so.3 selects it: update-alternatives --display libblas.so.3-x86_64-linux-gnu,\n"
            f"  and that LD_LIBRARY_PATH/LD_PRELOAD do not bring in another libblas.so.3)")

    return {
        "blas": blas, "lapack": lapack, "blas_libraries": blas_libraries, "sgemm_provider": provider,
        "openblas_library": path, "openblas_corename": corename, "openblas_config": config_text,
        "openblas_num_threads_default": threads_before, "openblas_num_threads": threads_after,
    }


# ----------------------------------------------------------------------------- data

def read_idx(path: str, np):
    """An IDX file (gzip-compressed, unsigned-byte data) as a numpy uint8 array of its declared shape."""
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        die(f"cannot read {path}: {e}", 1)
    if len(data) < 4:
        die(f"{path}: too short for an IDX header", 1)
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08 or ndim < 1:
        die(f"{path}: not an unsigned-byte IDX file (magic {data[:4].hex()})", 1)
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    offset = 4 + 4 * ndim
    count = 1
    for d in dims:
        count *= d
    if len(data) - offset != count:
        die(f"{path}: header declares {count} values but the file holds {len(data) - offset}", 1)
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims)


def load_data(torch, np, directory: str, subset: int | None, seed: int, out: Output):
    """Training/validation tensors: seeded 90/10 split, standardized with the training split's global mean/std."""
    images = read_idx(os.path.join(directory, "train-images-idx3-ubyte.gz"), np)
    labels = read_idx(os.path.join(directory, "train-labels-idx1-ubyte.gz"), np)
    if images.shape[0] != labels.shape[0]:
        die(f"{directory}: {images.shape[0]} training images but {labels.shape[0]} labels", 1)
    images = images.reshape(images.shape[0], -1)
    if subset is not None:
        if subset > images.shape[0]:
            die(f"--subset {subset} is more than the {images.shape[0]} training images", 1)
        images, labels = images[:subset], labels[:subset]

    # Seeded 90/10 split; both parts keep ascending image order, as FcnLab's split does.
    n = images.shape[0]
    n_val = int(round(n * VAL_FRACTION))
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).numpy()
    val_idx = np.sort(order[:n_val])
    train_idx = np.sort(order[n_val:])

    # One global mean/std over all pixels of the training split (population std), exact in float64
    # via the histogram of the 256 byte values.
    train_u8 = images[train_idx]
    counts = np.bincount(train_u8.ravel(), minlength=256).astype(np.float64)
    values = np.arange(256, dtype=np.float64)
    total = counts.sum()
    mean = float((counts * values).sum() / total)
    std = float(np.sqrt((counts * (values - mean) ** 2).sum() / total))
    mean32, std32 = np.float32(mean), np.float32(std)

    def tensor(idx):
        x = (images[idx].astype(np.float32) - mean32) / std32
        return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(labels[idx].astype(np.int64))

    x_train, y_train = tensor(train_idx)
    x_val, y_val = tensor(val_idx)
    out.info(f"data: {len(train_idx)} training / {len(val_idx)} validation images from {directory}"
             f"{f' (subset of the first {subset})' if subset else ''}; standardize mean {mean:.4f} std {std:.4f}")
    return x_train, y_train, x_val, y_val


# ----------------------------------------------------------------------------- models

def build_model(torch, name: str):
    """The network and optimizer FcnLab builds for `name`, with PyTorch's default initialization."""
    nn = torch.nn
    layers = []
    if name == "default":
        sizes = [784, 1200, 2000, 800]
        for fan_in, fan_out in zip(sizes, sizes[1:]):
            layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        layers.append(nn.Linear(sizes[-1], 10))
        model = nn.Sequential(*layers)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.025)  # no momentum
        description = "784-1200-2000-800-10 Linear->ReLU, SGD lr 0.025"
    elif name == "bn-adam":
        sizes = [784, 1000, 2000, 1000, 1000]
        for fan_in, fan_out in zip(sizes, sizes[1:]):
            layers += [nn.Linear(fan_in, fan_out), nn.BatchNorm1d(fan_out), nn.ReLU()]
        layers.append(nn.Linear(sizes[-1], 10))
        model = nn.Sequential(*layers)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.0001)
        description = "784-1000-2000-1000-1000-10 Linear->BatchNorm1d->ReLU, Adam lr 0.0001"
    elif name == "lenet5":
        model = nn.Sequential(
            nn.Unflatten(1, (1, 28, 28)),  # the data is [n, 784]; a view, as FcnLab's input reshape
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
        description = "LeNet-5 (6 and 16 channels of 5x5, max pooling, 120-84-10, ReLU), Adam lr 0.001"
    elif name == "cnn":
        model = nn.Sequential(
            nn.Unflatten(1, (1, 28, 28)),
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))
        optimizer = torch.optim.Adam(model.parameters(), lr=0.002)
        description = "cnn (32 and 64 channels of 3x3 with batch norm and max pooling, 128 with dropout 0.3), Adam lr 0.002"
    else:
        raise ValueError(name)
    return model, optimizer, description


def evaluate(torch, model, x, y) -> float:
    """Accuracy on (x, y) in eval mode (untimed)."""
    model.eval()
    correct = 0
    with torch.inference_mode():
        for start in range(0, x.shape[0], EVAL_BATCH_SIZE):
            logits = model(x[start:start + EVAL_BATCH_SIZE])
            correct += int((logits.argmax(dim=1) == y[start:start + EVAL_BATCH_SIZE]).sum())
    model.train()
    return correct / x.shape[0]


def train_model(torch, name: str, data, epochs: int, seed: int, out: Output) -> dict:
    x_train, y_train, x_val, y_val = data
    torch.manual_seed(seed)  # initialization: the same for a model whether it runs alone or after the other
    model, optimizer, description = build_model(torch, name)
    loss_fn = torch.nn.CrossEntropyLoss()
    shuffle_gen = torch.Generator().manual_seed(seed + 1)

    n = x_train.shape[0]
    batch_size = BATCH_SIZES[name]
    # Like FcnLab: with batch norm, a last batch of one image cannot be normalized, so that image is dropped.
    has_bn = name in ("bn-adam", "cnn")
    usable = n - 1 if has_bn and n % batch_size == 1 else n
    steps = (usable + batch_size - 1) // batch_size
    out.info(f"\n[{name}] {description}, batch {batch_size}, {steps} steps per epoch "
             f"({sum(p.numel() for p in model.parameters()):,} parameters)")

    seconds, val_acc, train_loss, train_acc = [], [], [], []
    model.train()
    for epoch in range(1, epochs + 1):
        # ---- timed span: shuffle + every training step (FcnLab's `seconds`) ----
        start_time = time.perf_counter()
        order = torch.randperm(n, generator=shuffle_gen)
        loss_sum, correct_sum = 0.0, 0
        for step in range(steps):
            idx = order[step * batch_size:min((step + 1) * batch_size, usable)]
            xb, yb = x_train[idx], y_train[idx]
            optimizer.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            optimizer.step()
            # The running sums FcnLab keeps per step (its progress line); tiny next to the step itself.
            loss_sum += loss.item() * idx.shape[0]
            correct_sum += int((logits.detach().argmax(dim=1) == yb).sum())
        elapsed = time.perf_counter() - start_time
        # ---- end of timed span ----

        seconds.append(elapsed)
        train_loss.append(loss_sum / usable)
        train_acc.append(correct_sum / usable)
        val_acc.append(evaluate(torch, model, x_val, y_val))
        out.info(f"[{name}] epoch {epoch}/{epochs}: {elapsed:.3f} s, train loss {train_loss[-1]:.4f}, "
                 f"train acc {100 * train_acc[-1]:.2f}%, val acc {100 * val_acc[-1]:.2f}%")

    per_epoch = statistics.median(seconds[1:]) if len(seconds) > 1 else seconds[0]
    out.info(f"[{name}] seconds_per_epoch {per_epoch:.3f} "
             f"({'median of epochs 2..' + str(epochs) if epochs > 1 else 'epoch 1'})")
    return {
        "epochs": seconds, "seconds_per_epoch": per_epoch, "val_accuracy": val_acc,
        "train_loss": train_loss, "train_accuracy": train_acc,
        "description": description, "batch_size": batch_size, "steps_per_epoch": steps,
        "train_samples": usable, "val_samples": int(x_val.shape[0]),
    }


# ----------------------------------------------------------------------------- main

def main(argv: list[str]) -> int:
    args = parse_args(argv)
    out = Output(args.json)
    check_interpreter()

    try:
        import numpy as np
        import torch
    except ImportError as e:
        die(f"cannot import {e.name}: install Debian's python3-torch and python3-numpy and run with "
            f"{EXPECTED_PYTHON}.\n  {INTENDED_COMMAND}")

    # Threads first, before any parallel work: N intra-op threads, one inter-op thread.
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError as e:  # only fails when inter-op work already ran
        out.warn(f"torch.set_num_interop_threads(1) failed: {e}")

    blas = inspect_blas(torch, args.threads)
    cpu_model, flags = cpu_flags()
    suggested = suggested_coretype(flags)
    env_warnings = openblas_env_warnings(blas["openblas_corename"], suggested)
    corename = blas["openblas_corename"]
    fallback = bool("avx2" in flags and corename and corename.lower() not in AVX2_CORES)
    if fallback:
        env_warnings.append(
            f"OpenBLAS is running its '{corename}' kernels on a CPU with "
            f"{'AVX-512' if 'avx512f' in flags else 'AVX2'} ({cpu_model}): OpenBLAS did not recognize this CPU model "
            f"and fell back to pre-AVX2 kernels, so PyTorch's matrix products run well below this CPU's speed and "
            f"a comparison flatters FcnLab. The kernels that fit this CPU are "
            f"OPENBLAS_CORETYPE={suggested or 'Haswell'} (setting it is the fair choice in this one case).")
    for text in env_warnings:
        out.warn(text)

    out.info(f"python {sys.version.split()[0]} ({sys.executable}), torch {torch.__version__}, "
             f"threads {torch.get_num_threads()} intra-op / {torch.get_num_interop_threads()} inter-op")
    out.info(f"BLAS: BLAS_INFO={blas['blas']} LAPACK_INFO={blas['lapack']}; OpenBLAS {blas['openblas_library']}")
    out.info(f"OpenBLAS core: {corename}; config: {blas['openblas_config']}; threads "
             f"{blas['openblas_num_threads']} (default was {blas['openblas_num_threads_default']})")
    out.info(f"CPU: {cpu_model}")

    data = load_data(torch, np, args.data, args.subset, args.seed, out)
    names = {"both": ["default", "bn-adam"], "all": ["default", "bn-adam", "lenet5", "cnn"]}.get(args.model, [args.model])
    models = {name: train_model(torch, name, data, args.epochs, args.seed, out) for name in names}

    if args.json:
        document = {
            "torch": torch.__version__,
            "blas": blas["blas"],
            "openblas_corename": corename,
            "openblas_config": blas["openblas_config"],
            "threads": args.threads,
            "env_warnings": env_warnings,
            "models": models,
            # Extra context, beyond the agreed shape.
            "lapack": blas["lapack"],
            "python": sys.executable,
            "openblas_library": blas["openblas_library"],
            "sgemm_provider": blas["sgemm_provider"],
            "openblas_num_threads": blas["openblas_num_threads"],
            "interop_threads": torch.get_num_interop_threads(),
            "openblas_env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
            "openblas_fallback_core": fallback,
            "suggested_coretype": suggested,
            "cpu": cpu_model,
            "epochs_requested": args.epochs,
            "subset": args.subset,
            "seed": args.seed,
        }
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print()
        for name, result in models.items():
            print(f"{name}: seconds_per_epoch {result['seconds_per_epoch']:.3f} "
                  f"(epochs {', '.join(f'{s:.3f}' for s in result['epochs'])}), "
                  f"val acc {100 * result['val_accuracy'][-1]:.2f}%")
        if env_warnings:
            print(f"({len(env_warnings)} environment warning(s) above: see stderr)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
