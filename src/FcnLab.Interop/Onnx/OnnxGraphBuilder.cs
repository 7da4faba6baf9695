using System.Buffers.Binary;
using FcnLab.Interop.Onnx.Proto;
using Google.Protobuf;

namespace FcnLab.Interop.Onnx;

/// <summary>
/// Collects an ONNX graph's nodes and initializers in order: float32 tensors as little-endian
/// raw_data, attributes typed as ONNX wants them, and every node and value named.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    public GraphProto Graph { get; } = new();

    /// <summary>Adds a float32 initializer [shape] named <paramref name="name"/>; returns the name, for node inputs.</summary>
    public string Initializer(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> values)
    {
        long count = 1;
        foreach (int d in shape) count *= d;
        if (count != values.Length)
            throw new InvalidOperationException($"Initializer {name}: shape [{string.Join(", ", shape.ToArray())}] holds {count} values, not {values.Length}.");
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(bytes) };
        foreach (int d in shape) tensor.Dims.Add(d);
        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds node <paramref name="name"/> (op <paramref name="opType"/>, default domain) with one output; returns the output's name.</summary>
    public string Node(string name, string opType, string output, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { Name = name, OpType = opType, Domain = "" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A float32 tensor value [batch, ...sampleShape]: the batch dimension symbolic (dim_param), the rest fixed.</summary>
    public static ValueInfoProto BatchedFloat(string name, string batch, ReadOnlySpan<int> sampleShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        foreach (int d in sampleShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
