#!/usr/bin/python3
"""Writes pytorch-cnn-vectors.json: PyTorch 1.13 float32 reference values for FcnLab's convolutional
layers (Conv2d, MaxPool2d, AvgPool2d, BatchNorm2d) and one SGD step of a small CNN.

Run once with Debian's python3-torch and commit the JSON; the tests read only the JSON:
    /usr/bin/python3 tests/FcnLab.Engine.Tests/TestData/make-pytorch-cnn-vectors.py
Tensors are flattened row-major (NCHW); shapes are given separately. Conv2d weights have PyTorch's
(and FcnLab's) layout [out, in, k, k].
"""
import json
import os

import torch

torch.manual_seed(0)
cases = {}


def flat(t):
    return [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]


def conv_case(name, batch, cin, cout, h, w, k, stride, pad, bias):
    conv = torch.nn.Conv2d(cin, cout, k, stride=stride, padding=pad, bias=bias)
    x = torch.randn(batch, cin, h, w, requires_grad=True)
    y = conv(x)
    gy = torch.randn_like(y)
    y.backward(gy)
    c = {"x": flat(x), "x_shape": list(x.shape), "weight": flat(conv.weight), "weight_shape": list(conv.weight.shape),
         "stride": stride, "padding": pad, "y": flat(y), "y_shape": list(y.shape), "grad_y": flat(gy),
         "grad_x": flat(x.grad), "grad_weight": flat(conv.weight.grad)}
    if bias:
        c["bias"] = flat(conv.bias)
        c["grad_bias"] = flat(conv.bias.grad)
    cases[name] = c


def pool_case(name, pool, batch, ch, h, w):
    # Distinct values, so no window has a tie (PyTorch and FcnLab both take the first maximum anyway).
    x = (torch.randperm(batch * ch * h * w).float() / 7 - 20).reshape(batch, ch, h, w).requires_grad_(True)
    y = pool(x)
    gy = torch.randn_like(y)
    y.backward(gy)
    cases[name] = {"x": flat(x), "x_shape": list(x.shape), "kernel": pool.kernel_size, "stride": pool.stride,
                   "padding": pool.padding, "y": flat(y), "y_shape": list(y.shape), "grad_y": flat(gy), "grad_x": flat(x.grad)}


conv_case("conv2d_stride2_pad1", 2, 3, 4, 7, 6, 3, 2, 1, True)
conv_case("conv2d_lenet_first", 3, 1, 5, 9, 9, 5, 1, 2, True)
conv_case("conv2d_k2_no_bias", 1, 2, 3, 5, 6, 2, 1, 0, False)
pool_case("maxpool2d_2", torch.nn.MaxPool2d(2), 2, 3, 7, 7)
pool_case("maxpool2d_3_s2_p1", torch.nn.MaxPool2d(3, stride=2, padding=1), 2, 2, 7, 6)
pool_case("avgpool2d_3_s2_p1", torch.nn.AvgPool2d(3, stride=2, padding=1), 2, 2, 7, 6)
pool_case("avgpool2d_2", torch.nn.AvgPool2d(2), 1, 3, 5, 6)

# BatchNorm2d: a training step (output, gradients, running statistics), then eval on other inputs.
bn = torch.nn.BatchNorm2d(3, momentum=0.1, eps=1e-5)
with torch.no_grad():
    bn.weight.copy_(torch.randn(3))
    bn.bias.copy_(torch.randn(3))
x = (torch.randn(4, 3, 5, 6) * 2 + 0.5).requires_grad_(True)
y = bn(x)
gy = torch.randn_like(y)
y.backward(gy)
bn.eval()
ex = torch.randn(2, 3, 5, 6)
ey = bn(ex)
cases["batchnorm2d"] = {"x": flat(x), "x_shape": list(x.shape), "momentum": 0.1, "eps": 1e-5,
                        "gamma": flat(bn.weight), "beta": flat(bn.bias), "y": flat(y), "grad_y": flat(gy),
                        "grad_x": flat(x.grad), "grad_gamma": flat(bn.weight.grad), "grad_beta": flat(bn.bias.grad),
                        "running_mean": flat(bn.running_mean), "running_var": flat(bn.running_var),
                        "eval_x": flat(ex), "eval_y": flat(ey)}

# One SGD step of conv -> batchnorm -> relu -> maxpool -> flatten -> linear, cross-entropy (mean).
net = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, padding=1), torch.nn.BatchNorm2d(3), torch.nn.ReLU(),
                          torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(3 * 3 * 3, 4))
with torch.no_grad():
    net[1].weight.copy_(torch.rand(3) + 0.5)
    net[1].bias.copy_(torch.randn(3) * 0.1)
x = torch.randn(5, 2, 6, 7)
labels = torch.tensor([0, 3, 1, 2, 3])
before = {k: flat(v) for k, v in net.state_dict().items() if "num_batches" not in k}
opt = torch.optim.SGD(net.parameters(), lr=0.1)
opt.zero_grad()
loss = torch.nn.functional.cross_entropy(net(x), labels)
loss.backward()
opt.step()
loss_after = torch.nn.functional.cross_entropy(net(x), labels)
after = {k: flat(v) for k, v in net.state_dict().items() if "num_batches" not in k}
cases["cnn_sgd_step"] = {"x": flat(x), "x_shape": list(x.shape), "labels": labels.tolist(), "lr": 0.1,
                         "state_before": before, "state_after": after,
                         "loss_before": float(loss), "loss_after_one_step": float(loss_after)}

# Global average pooling (FcnLab's gap): AdaptiveAvgPool2d(1) then Flatten.
gap = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
x = torch.randn(2, 3, 5, 4, requires_grad=True)
y = gap(x)
gy = torch.randn_like(y)
y.backward(gy)
cases["gap"] = {"x": flat(x), "x_shape": list(x.shape), "y": flat(y), "y_shape": list(y.shape), "grad_y": flat(gy), "grad_x": flat(x.grad)}


# A residual block as torchvision's BasicBlock without its last ReLU: body(x) + shortcut(x), the shortcut a
# 1x1 convolution (no bias, the block's stride) and BatchNorm2d when the shape changes; training mode.
class Block(torch.nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), torch.nn.BatchNorm2d(cout),
                                        torch.nn.ReLU(), torch.nn.Conv2d(cout, cout, 3, padding=1, bias=False), torch.nn.BatchNorm2d(cout))
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = torch.nn.Sequential(torch.nn.Conv2d(cin, cout, 1, stride=stride, bias=False), torch.nn.BatchNorm2d(cout))

    def forward(self, x):
        return self.body(x) + (x if self.downsample is None else self.downsample(x))


def residual_case(name, batch, cin, cout, h, w, stride):
    block = Block(cin, cout, stride)
    with torch.no_grad():
        for m in block.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.num_features) + 0.5)
                m.bias.copy_(torch.randn(m.num_features) * 0.1)
    x = torch.randn(batch, cin, h, w, requires_grad=True)
    state = {k: flat(v) for k, v in block.state_dict().items() if "num_batches" not in k}
    y = block(x)
    gy = torch.randn_like(y)
    y.backward(gy)
    cases[name] = {"x": flat(x), "x_shape": list(x.shape), "out_channels": cout, "stride": stride, "state": state,
                   "y": flat(y), "y_shape": list(y.shape), "grad_y": flat(gy), "grad_x": flat(x.grad),
                   "grads": {k: flat(v.grad) for k, v in block.named_parameters()},
                   "running": {k: flat(v) for k, v in block.state_dict().items() if "running" in k}}


residual_case("residual_projection", 2, 3, 4, 6, 5, 2)
residual_case("residual_identity", 2, 3, 3, 4, 4, 1)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch-cnn-vectors.json")
with open(out, "w") as f:
    json.dump({"about": f"PyTorch {torch.__version__} float32 reference values for the convolutional layers, "
                        "written by make-pytorch-cnn-vectors.py. Tensors flattened row-major (NCHW); shapes given separately; "
                        "Conv2d weight [out, in, k, k]. Linear weight in PyTorch's layout [out, in].",
               "cases": cases}, f, indent=1)
    f.write("\n")
print(f"wrote {out}")
