#!/usr/bin/python3
"""Writes label-smoothing-vectors.json: PyTorch 1.13 float32 reference values of
nn.CrossEntropyLoss(label_smoothing=eps) (reduction "mean", on raw logits) and its gradient with
respect to the logits, for a few eps, batch sizes and class counts, one case with large logits.

Run once with Debian's python3-torch and commit the JSON; the tests read only the JSON:
    /usr/bin/python3 tests/FcnLab.Engine.Tests/TestData/make-label-smoothing-vectors.py
Logits are flattened row-major [batch, classes].
"""
import json
import os

import torch

torch.manual_seed(0)
cases = {}


def flat(t):
    return [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]


def case(name, batch, classes, eps, scale=1.0):
    # Round the logits to the digits written, so C# reads the very inputs PyTorch used.
    z = torch.tensor([float(f"{v:.9g}") for v in (torch.randn(batch * classes) * scale).tolist()], dtype=torch.float32)
    z = z.reshape(batch, classes).requires_grad_(True)
    labels = torch.randint(0, classes, (batch,))
    loss = torch.nn.CrossEntropyLoss(label_smoothing=eps)(z, labels)
    loss.backward()
    cases[name] = {"batch": batch, "classes": classes, "label_smoothing": eps, "logits": flat(z),
                   "labels": labels.tolist(), "loss": float(f"{loss.item():.9g}"), "grad_logits": flat(z.grad)}


case("eps0_b4_c10", 4, 10, 0.0)
case("eps0.1_b4_c10", 4, 10, 0.1)
case("eps0.2_b7_c3", 7, 3, 0.2)
case("eps0.05_b1_c2", 1, 2, 0.05)
case("eps0.5_b5_c10_large_logits", 5, 10, 0.5, scale=30.0)
case("eps1_b3_c4", 3, 4, 1.0)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "label-smoothing-vectors.json")
with open(path, "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f, indent=1)
    f.write("\n")
