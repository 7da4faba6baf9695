using System.Text.Json;

namespace FcnLab.Interop.Tests.Onnx;

/// <summary>
/// Checks an exported ONNX file with Debian's onnx 1.12 (checker with full_check, strict shape
/// inference with type checks) and evaluates its graph with a small numpy interpreter of its own, in
/// float64: an evaluation that shares no code with FcnLab's layers or with the exporter.
/// </summary>
internal static class OnnxNumpyCheck
{
    /// <summary>
    /// The script: python3 check.py MODEL.onnx INPUTS.json, where INPUTS.json is a list of
    /// {"shape": [...], "data": [...]} fed to "input" in turn. Prints one JSON document: the checked
    /// model's IR version, opsets, producer, metadata, the inferred graph inputs and outputs (a
    /// dimension is its dim_param string or its dim_value), and per input every graph output.
    /// Each op honors the attributes FcnLab could set and fails on any it does not implement.
    /// </summary>
    public const string Script = """
        import json
        import sys

        import numpy as np
        import onnx
        from onnx import helper, numpy_helper, shape_inference

        model = onnx.load(sys.argv[1])
        onnx.checker.check_model(model, full_check=True)
        inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)


        def attributes(node, allowed):
            a = {x.name: helper.get_attribute_value(x) for x in node.attribute}
            unknown = set(a) - set(allowed)
            if unknown:
                raise ValueError(f"{node.name}: attributes {sorted(unknown)} are not implemented here")
            return {**allowed, **a}


        def windows(x, kernel, strides, pads, value):
            # x [N, C, H, W] padded by pads [top, left, bottom, right] (ONNX order) -> [N, C, oH, oW, kh, kw]
            top, left, bottom, right = pads
            x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=value)
            n, c, h, w = x.shape
            kh, kw = kernel
            sh, sw = strides
            oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
            out = np.empty((n, c, oh, ow, kh, kw))
            for i in range(kh):
                for j in range(kw):
                    out[..., i, j] = x[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
            return out


        def pool_geometry(node, x, extra):
            a = attributes(node, {"kernel_shape": None, "strides": None, "pads": None, "ceil_mode": 0,
                                  "auto_pad": b"NOTSET", "dilations": None, **extra})
            assert a["auto_pad"] == b"NOTSET" and a["ceil_mode"] == 0, node.name
            assert a["dilations"] is None or all(d == 1 for d in a["dilations"]), node.name
            kernel = list(a["kernel_shape"])
            strides = list(a["strides"] or [1, 1])
            pads = list(a["pads"] or [0, 0, 0, 0])
            return a, kernel, strides, pads


        def run(node, inputs):
            op = node.op_type
            x = inputs[0]
            if op == "Sub":
                attributes(node, {})
                return x - inputs[1]
            if op == "Div":
                attributes(node, {})
                return x / inputs[1]
            if op == "Gemm":
                a = attributes(node, {"alpha": 1.0, "beta": 1.0, "transA": 0, "transB": 0})
                A = x.T if a["transA"] else x
                B = inputs[1].T if a["transB"] else inputs[1]
                y = a["alpha"] * (A @ B)
                return y + a["beta"] * inputs[2] if len(inputs) > 2 else y
            if op == "Relu":
                attributes(node, {})
                return np.maximum(x, 0)
            if op == "Sigmoid":
                attributes(node, {})
                return 1 / (1 + np.exp(-x))
            if op == "Tanh":
                attributes(node, {})
                return np.tanh(x)
            if op == "LeakyRelu":
                a = attributes(node, {"alpha": 0.01})
                return np.where(x >= 0, x, a["alpha"] * x)
            if op == "BatchNormalization":
                a = attributes(node, {"epsilon": 1e-5, "momentum": 0.9, "training_mode": 0})
                assert a["training_mode"] == 0, node.name
                scale, bias, mean, var = (v.reshape([-1] + [1] * (x.ndim - 2)) for v in inputs[1:5])
                return (x - mean) / np.sqrt(var + a["epsilon"]) * scale + bias
            if op == "Conv":
                a, kernel, strides, pads = pool_geometry(node, x, {"group": 1})
                assert a["group"] == 1, node.name
                w = inputs[1]
                assert list(w.shape[2:]) == kernel and w.shape[1] == x.shape[1], node.name
                y = np.einsum("ncpqij,ocij->nopq", windows(x, kernel, strides, pads, 0.0), w)
                return y + inputs[2].reshape(1, -1, 1, 1) if len(inputs) > 2 else y
            if op == "MaxPool":
                a, kernel, strides, pads = pool_geometry(node, x, {"storage_order": 0})
                assert len(node.output) == 1, node.name
                return windows(x, kernel, strides, pads, -np.inf).max(axis=(4, 5))
            if op == "AveragePool":
                a, kernel, strides, pads = pool_geometry(node, x, {"count_include_pad": 0})
                sums = windows(x, kernel, strides, pads, 0.0).sum(axis=(4, 5))
                if a["count_include_pad"]:
                    return sums / (kernel[0] * kernel[1])
                counts = windows(np.ones_like(x), kernel, strides, pads, 0.0).sum(axis=(4, 5))
                return sums / counts
            if op == "Add":
                attributes(node, {})
                assert x.shape == inputs[1].shape, node.name
                return x + inputs[1]
            if op == "GlobalAveragePool":
                attributes(node, {})
                return x.mean(axis=(2, 3), keepdims=True)
            if op == "Flatten":
                a = attributes(node, {"axis": 1})
                return x.reshape(int(np.prod(x.shape[:a["axis"]])), -1)
            if op == "Softmax":
                a = attributes(node, {"axis": -1})
                e = np.exp(x - x.max(axis=a["axis"], keepdims=True))
                return e / e.sum(axis=a["axis"], keepdims=True)
            raise ValueError(f"{node.name}: op {op} is not implemented here")


        def dims(value):
            return [d.dim_param if d.HasField("dim_param") else d.dim_value for d in value.type.tensor_type.shape.dim]


        initializers = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
        results = []
        with open(sys.argv[2]) as f:
            for sample in json.load(f):
                values = dict(initializers)
                values[model.graph.input[0].name] = np.array(sample["data"], dtype=np.float32).reshape(sample["shape"]).astype(np.float64)
                for node in model.graph.node:
                    assert len(node.output) == 1, node.name
                    values[node.output[0]] = run(node, [values[name] for name in node.input])
                results.append({o.name: values[o.name].tolist() for o in model.graph.output})

        print(json.dumps({
            "ir_version": model.ir_version,
            "opsets": {o.domain: o.version for o in model.opset_import},
            "producer": [model.producer_name, model.producer_version],
            "metadata": {p.key: p.value for p in model.metadata_props},
            "inputs": {v.name: dims(v) for v in inferred.graph.input},
            "outputs": {v.name: dims(v) for v in inferred.graph.output},
            "ops": [n.op_type for n in model.graph.node],
            "results": results,
        }))
        """;

    /// <summary>Runs <see cref="Script"/> on <paramref name="modelPath"/> with <paramref name="inputs"/> (each [batch, ...sample shape]); returns its JSON.</summary>
    public static JsonElement Run(string modelPath, IEnumerable<(int[] Shape, float[] Data)> inputs)
    {
        string inputsPath = Path.Combine(Path.GetDirectoryName(modelPath)!, "inputs.json");
        File.WriteAllText(inputsPath, JsonSerializer.Serialize(inputs.Select(i => new { shape = i.Shape, data = i.Data })));
        string stdout = Python.Run(Script, modelPath, inputsPath);
        using var doc = JsonDocument.Parse(stdout);
        return doc.RootElement.Clone();
    }
}
