#!/usr/bin/python3
"""Writes normalize-vectors.json: PyTorch 1.13 float32 values of torchvision's usual pipeline
ToTensor() then Normalize((0.5,), (0.5,)) for every 8-bit pixel value 0..255: x / 255, then
(t - 0.5) / 0.5, as torchvision computes them (tensor.div(255) on a float32 tensor, then sub_ and div_).
FcnLab's `--normalize symmetric` is held to these values.

Run once with Debian's python3-torch and commit the JSON; the tests read only the JSON:
    /usr/bin/python3 tests/FcnLab.Engine.Tests/TestData/make-normalize-vectors.py
"""
import json
import os

import torch

pixels = torch.arange(256, dtype=torch.uint8)
t = pixels.to(torch.float32).div(255)          # ToTensor
t = t.sub_(torch.tensor(0.5)).div_(torch.tensor(0.5))  # Normalize((0.5,), (0.5,))
out = {"cases": {"symmetric": {"pixels": list(range(256)), "values": [float(f"{v:.9g}") for v in t.tolist()]}}}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "normalize-vectors.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(path)
