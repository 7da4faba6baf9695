using FcnLab.Interop.Onnx.Proto;
using Google.Protobuf;

namespace FcnLab.Interop.Tests.Onnx;

public class OnnxProtoTests
{
    [Fact]
    public void FieldNumbers_AreUpstreams()
    {
        // ir_version is field 1 (varint), graph field 7, opset_import field 8, metadata_props field 14.
        var model = new ModelProto
        {
            IrVersion = 8,
            Graph = new GraphProto { Name = "g" },
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 13 } },
            MetadataProps = { new StringStringEntryProto { Key = "k", Value = "v" } },
        };
        byte[] bytes = model.ToByteArray();
        Assert.Equal(new byte[] { 0x08, 0x08 }, bytes[..2]);
        Assert.Contains(bytes.Select((b, i) => (b, i)), t => t.b == (7 << 3 | 2));
        Assert.Contains(bytes.Select((b, i) => (b, i)), t => t.b == (8 << 3 | 2));
        Assert.Contains(bytes.Select((b, i) => (b, i)), t => t.b == (14 << 3 | 2));
        var back = ModelProto.Parser.ParseFrom(bytes);
        Assert.Equal(model, back);
    }
}
