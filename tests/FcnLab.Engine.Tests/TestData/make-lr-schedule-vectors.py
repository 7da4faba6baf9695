#!/usr/bin/python3
"""PyTorch's OneCycleLR and LinearLR rates, step by step, for LrScheduleTests (the C# schedule must match them).

Run with Debian's python3-torch (1.13), from the repository root:
  /usr/bin/python3 tests/FcnLab.Engine.Tests/TestData/make-lr-schedule-vectors.py > tests/FcnLab.Engine.Tests/TestData/lr-schedule-vectors.json
OneCycleLR with its defaults (pct_start 0.3, anneal 'cos', div_factor 25, final_div_factor 1e4, two phases) and
cycle_momentum=False, as FcnLab's --lr-schedule onecycle. LinearLR(start_factor=1/W, total_iters=W-1) is
FcnLab's warmup of W steps: (t + 1) / W at step t.
"""
import json
import torch

def rates(make, steps):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=1.0)
    sched = make(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])  # the rate this step uses
        opt.step()
        sched.step()
    return out

cases = []
for max_lr, epochs, steps in [(0.01, 3, 7), (0.1, 1, 5), (0.002, 15, 469), (1.0, 2, 1)]:
    def make(opt, max_lr=max_lr, epochs=epochs, steps=steps):
        for g in opt.param_groups:
            g["lr"] = max_lr
        return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=max_lr, epochs=epochs, steps_per_epoch=steps, cycle_momentum=False)
    cases.append({"kind": "onecycle", "lr": max_lr, "epochs": epochs, "steps_per_epoch": steps, "rates": rates(make, epochs * steps)})
for warmup in [4, 10]:
    def make(opt, warmup=warmup):
        return torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0 / warmup, end_factor=1.0, total_iters=warmup - 1)
    cases.append({"kind": "linear-warmup", "lr": 1.0, "warmup_steps": warmup, "rates": rates(make, warmup + 3)})
print(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1))
