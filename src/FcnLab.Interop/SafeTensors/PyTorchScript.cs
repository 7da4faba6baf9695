using System.Globalization;
using System.Text;
using FcnLab.Engine.Layers;

namespace FcnLab.Interop.SafeTensors;

/// <summary>
/// The Python file written beside an exported safetensors file (<c>FILE.py</c> for <c>FILE.safetensors</c>):
/// the network as a torch.nn module, class <c>Network</c>, whose state_dict keys are the safetensors
/// file's ("0.weight", "3.body.0.weight", "3.downsample.1.running_mean"). A chain of torch.nn reprs
/// (the sidecar's layers) cannot say that a residual block adds its input back; this file can. It
/// needs only torch (1.13 or later; no safetensors package: it reads the format itself).
/// </summary>
public static class PyTorchScript
{
    /// <summary>The Python file's path for a safetensors file: its name with ".py" in place of its extension.</summary>
    public static string PathFor(string safetensorsPath) => Path.ChangeExtension(safetensorsPath, ".py");

    /// <summary>The file's source for <paramref name="network"/>, whose weights are in <paramref name="safetensorsName"/> and its sidecar.</summary>
    public static string Source(Sequential network, string safetensorsName)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $$""""
            """FcnLab's network as a torch.nn module, written by fcnlab export beside {{safetensorsName}}.

            Usage (the input normalization, shape and class names are in {{safetensorsName}}.json):

                import importlib.util, json, torch
                spec = importlib.util.spec_from_file_location("fcnlab_network", "{{Path.ChangeExtension(safetensorsName, ".py")}}")
                net = importlib.util.module_from_spec(spec); spec.loader.exec_module(net)
                model = net.Network()
                model.load_state_dict(net.load_safetensors("{{safetensorsName}}"), strict=True)
                model.eval()
                sidecar = json.load(open("{{safetensorsName}}.json"))
                x = (pixels / 255 - sidecar["input_mean"]) / sidecar["input_std"]  # [N] + sidecar["input_shape"]
                logits = model(x)
            """
            import json
            import struct

            import torch
            from torch.nn import *


            class Residual(Module):
                """FcnLab's res(...): body(x) + x, or body(x) + downsample(x) when the body changes the shape
                (a 1x1 convolution without bias and batch norm, as torchvision's BasicBlock downsample)."""

                def __init__(self, body, downsample=None):
                    super().__init__()
                    self.body = body
                    self.downsample = downsample

                def forward(self, x):
                    return self.body(x) + (x if self.downsample is None else self.downsample(x))


            class GlobalAvgPool2d(Module):
                """FcnLab's gap: each channel's mean over the image, [N, C, H, W] -> [N, C]
                (AdaptiveAvgPool2d(1) then Flatten())."""

                def forward(self, x):
                    return x.mean(dim=(2, 3))


            class Network(Sequential):
                """{{network.Describe().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "'", StringComparison.Ordinal)}}"""

                def __init__(self):
                    super().__init__(

            """");
        foreach (var layer in network.Layers) sb.Append("            ").Append(PyTorchModules.Describe(layer)).Append(",\n");
        sb.Append(""""
                    )

                def forward(self, x):
                    # x: [N] + the sidecar's input_shape, normalized
                    for layer in self:
                        x = layer(x)
                    return x


            def load_safetensors(path):
                """The tensors of a safetensors file by name (float32 and int64, as FcnLab writes them)."""
                data = open(path, "rb").read()
                n = struct.unpack("<Q", data[:8])[0]
                header = json.loads(data[8:8 + n])
                header.pop("__metadata__", None)
                body = data[8 + n:]
                dtypes = {"F32": torch.float32, "I64": torch.int64}
                tensors = {}
                for name, entry in header.items():
                    begin, end = entry["data_offsets"]
                    tensors[name] = torch.frombuffer(bytearray(body[begin:end]), dtype=dtypes[entry["dtype"]]).reshape(entry["shape"]).clone()
                return tensors

            """");
        return sb.ToString();
    }
}
