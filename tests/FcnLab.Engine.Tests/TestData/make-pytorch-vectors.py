#!/usr/bin/python3
"""Writes pytorch-vectors.json: PyTorch 1.13 float32 reference values for FcnLab's dense layers
(Linear, the activations, BatchNorm1d), the softmax cross-entropy loss, three steps of each optimizer,
nn.Linear's default initialization bound, and one SGD step of a small MLP with batch norm.

Run with Debian's python3-torch and commit the JSON; the tests read only the JSON:
    /usr/bin/python3 tests/FcnLab.Engine.Tests/TestData/make-pytorch-vectors.py
With PyTorch 1.13 on x86-64 it rewrites the committed file byte for byte. Tensors are flattened
row-major; shapes are given separately. Linear weights have PyTorch's layout [out, in].
"""
import json
import math
import os

import torch

torch.manual_seed(1234)
cases = {}


def r(v):
    # Nine decimals: float32 values keep their meaning, and the file stays stable across platforms.
    return round(float(v), 9)


def flat(t):
    return [r(v) for v in t.detach().reshape(-1).tolist()]


# Linear: y = x W^T + b and its three gradients.
x = torch.randn(4, 5, requires_grad=True)
linear = torch.nn.Linear(5, 3)
y = linear(x)
gy = torch.randn_like(y)
y.backward(gy)
cases["linear"] = {"x": flat(x), "x_shape": list(x.shape), "weight": flat(linear.weight), "weight_shape": list(linear.weight.shape),
                   "bias": flat(linear.bias), "grad_y": flat(gy), "y": flat(y), "grad_x": flat(x.grad),
                   "grad_weight": flat(linear.weight.grad), "grad_bias": flat(linear.bias.grad)}

# Activations on fixed inputs that cover negative, zero and positive values (ReLU's gradient at 0 is 0).
for name, activation in [("act_relu", torch.nn.ReLU()), ("act_sigmoid", torch.nn.Sigmoid()), ("act_tanh", torch.nn.Tanh()),
                         ("act_leaky_relu_0.01", torch.nn.LeakyReLU(0.01)), ("act_leaky_relu_0.1", torch.nn.LeakyReLU(0.1))]:
    x = torch.tensor([-2.0, -0.5, 0.0, 0.3, 1.7], requires_grad=True)
    gy = torch.tensor([0.1, -0.2, 0.3, 0.4, -0.5])
    y = activation(x)
    y.backward(gy)
    cases[name] = {"x": flat(x), "grad_y": flat(gy), "y": flat(y), "grad_x": flat(x.grad)}

# BatchNorm1d: a training step (output, gradients, running statistics), then eval on other inputs.
x = (torch.randn(6, 4) * 2 + 1).requires_grad_(True)
bn = torch.nn.BatchNorm1d(4, momentum=0.1, eps=1e-5)
with torch.no_grad():
    bn.weight.copy_(torch.tensor([1.0, 0.5, 2.0, -1.0]))
    bn.bias.copy_(torch.tensor([0.0, 0.1, -0.2, 0.3]))
y = bn(x)
gy = torch.randn_like(y)
y.backward(gy)
bn.eval()
ex = torch.randn(2, 4)
ey = bn(ex)
cases["batchnorm1d"] = {"x": flat(x), "x_shape": list(x.shape), "gamma": flat(bn.weight), "beta": flat(bn.bias), "momentum": 0.1, "eps": 1e-5,
                        "grad_y": flat(gy), "y": flat(y), "grad_x": flat(x.grad), "grad_gamma": flat(bn.weight.grad),
                        "grad_beta": flat(bn.bias.grad), "running_mean": flat(bn.running_mean), "running_var": flat(bn.running_var),
                        "eval_x": flat(ex), "eval_y": flat(ey)}

# Softmax cross-entropy (mean over the batch), with logits large enough to need the max shift.
logits = (torch.randn(4, 10) * 3).requires_grad_(True)
labels = torch.tensor([3, 0, 9, 3])  # the first and the last class, and one twice
loss = torch.nn.functional.cross_entropy(logits, labels)
loss.backward()
cases["softmax_cross_entropy"] = {"logits": flat(logits), "logits_shape": list(logits.shape), "labels": labels.tolist(),
                                  "loss": r(loss), "grad_logits": flat(logits.grad)}

# Optimizers: three steps from the same parameters with the same fixed gradients.
params0 = [0.5, -1.0, 2.0, 0.0, -0.3]
grads = [[0.1, -0.2, 0.3, 0.0, 0.5], [-0.3, 0.2, 0.1, 0.4, -0.1], [0.05, 0.05, -0.4, 0.2, 0.3]]
for name, make, options in [
    ("optim_sgd", torch.optim.SGD, {"lr": 0.1}),
    ("optim_sgd_momentum", torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
    ("optim_sgd_nesterov", torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("optim_sgd_weight_decay", torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
    ("optim_rmsprop", torch.optim.RMSprop, {"lr": 0.01}),
    ("optim_rmsprop_momentum", torch.optim.RMSprop, {"lr": 0.01, "momentum": 0.9}),
    ("optim_rmsprop_weight_decay", torch.optim.RMSprop, {"lr": 0.01, "weight_decay": 0.01}),
    ("optim_adam", torch.optim.Adam, {"lr": 0.001}),
    ("optim_adam_lr_0.1", torch.optim.Adam, {"lr": 0.1}),
    ("optim_adam_weight_decay", torch.optim.Adam, {"lr": 0.01, "weight_decay": 0.01}),
    ("optim_adamw", torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.01}),
]:
    p = torch.tensor(params0, requires_grad=True)
    optimizer = make([p], **options)
    after = []
    for g in grads:
        p.grad = torch.tensor(g)
        optimizer.step()
        after.append(flat(p))
    cases[name] = {"options": options, "params0": flat(torch.tensor(params0)), "grads": [flat(torch.tensor(g)) for g in grads],
                   "params_after_each_step": after}

# nn.Linear's default initialization: U(-bound, bound) for weight and bias.
cases["linear_default_init"] = {"fan_in": 784, "weight_bound": r(1 / math.sqrt(784)), "bias_bound": r(1 / math.sqrt(784)),
                                "note": "kaiming_uniform_(a=sqrt(5)) gives bound = gain*sqrt(3/fan_in) with gain = sqrt(2/(1+5)) = 1/sqrt(3), i.e. 1/sqrt(fan_in)"}

# One SGD step of Linear -> BatchNorm1d -> ReLU -> Linear, cross-entropy (mean), from a seed of its own.
torch.manual_seed(7)
net = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.BatchNorm1d(5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
x = torch.randn(8, 6)
labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
before = {k: flat(v) for k, v in net.state_dict().items() if "num_batches" not in k}
optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
optimizer.zero_grad()
loss = torch.nn.functional.cross_entropy(net(x), labels)
loss.backward()
optimizer.step()
loss_after = torch.nn.functional.cross_entropy(net(x), labels)
after = {k: flat(v) for k, v in net.state_dict().items() if "num_batches" not in k}
cases["mlp_bn_sgd_step"] = {"layers": "Linear(6,5) BatchNorm1d(5) ReLU Linear(5,3)", "x": flat(x), "x_shape": list(x.shape),
                            "labels": labels.tolist(), "state_before": before, "lr": 0.5, "loss_before": r(loss),
                            "loss_after_one_step": r(loss_after), "state_after": after}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-vectors.json")
with open(out, "w") as f:
    json.dump({"about": f"PyTorch {'.'.join(torch.__version__.split('.')[:2])} float32 reference values. Tensors are flattened row-major; "
                        "shapes given separately. Linear weight has PyTorch's layout [out, in].",
               "cases": cases}, f, indent=1)
print(f"wrote {out}")
