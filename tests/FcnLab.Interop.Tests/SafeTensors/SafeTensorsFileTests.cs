using System.Buffers.Binary;
using System.Text;
using FcnLab.Engine;
using FcnLab.Interop.SafeTensors;

namespace FcnLab.Interop.Tests.SafeTensors;

/// <summary>The safetensors reader and writer: round trips, the layout, and every defect the reader must refuse.</summary>
public class SafeTensorsFileTests
{
    private static byte[] Sample() => SafeTensorsFile.Serialize(
        [
            SafeTensor.Float32("0.weight", [2, 3], [1, 2, 3, 4, 5, 6]),
            SafeTensor.Float32("0.bias", [2], [-1.5f, float.Epsilon]),
            SafeTensor.Int64("1.num_batches_tracked", [], [42]),
        ],
        new Dictionary<string, string> { ["format"] = "pt" });

    [Fact]
    public void RoundTrip_KeepsNamesShapesValuesAndMetadata()
    {
        var (tensors, metadata) = SafeTensorsFile.Parse(Sample(), "sample");
        Assert.Equal(["0.weight", "0.bias", "1.num_batches_tracked"], tensors.Select(t => t.Name));
        Assert.Equal([2, 3], tensors[0].Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], tensors[0].Floats());
        Assert.Equal([-1.5f, float.Epsilon], tensors[1].Floats());
        Assert.Equal(SafeTensorsDType.I64, tensors[2].DType);
        Assert.Empty(tensors[2].Shape);
        Assert.Equal(42L, BinaryPrimitives.ReadInt64LittleEndian(tensors[2].Data));
        Assert.Equal("pt", metadata["format"]);
    }

    [Fact]
    public void Header_IsPaddedWithSpacesToAMultipleOf8()
    {
        var bytes = Sample();
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.StartsWith("{", header);
        Assert.Matches("} *$", header);
        Assert.Equal(8 + n + 6 * 4 + 2 * 4 + 8, bytes.Length);
    }

    /// <summary>A file with the given header text (padded) and data bytes.</summary>
    private static byte[] File_(string header, int dataBytes, long? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, declaredLength ?? h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }

    private static string Error(byte[] bytes) => Assert.Throws<FcnLabException>(() => SafeTensorsFile.Parse(bytes, "bad.safetensors")).Message;

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, "", "")] // valid: the control case
    [InlineData("""{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}""", 4, "dtype F16", "model.float()")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}""", 8, "outside its 8 bytes", "")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,0]}}""", 8, "data_offsets [4, 0]", "")]
    [InlineData("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "needs 12 bytes", "data_offsets give 8")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "overlaps", "")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12, "bytes 4..8", "belong to no tensor")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8, "has 8 bytes but its tensors cover 4", "")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4, "not a size >= 0", "")]
    [InlineData("""{"a":{"dtype":"F32","shape":[65536,65536],"data_offsets":[0,4]}}""", 4, "needs more bytes", "")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1]}}""", 4, "no data_offsets", "")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[[],4]}}""", 4, "no data_offsets", "")] // found by the fuzzer: an InvalidOperationException before
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,"4"]}}""", 4, "no data_offsets", "")]
    [InlineData("""{"a":{"shape":[1],"data_offsets":[0,4]}}""", 4, "has no dtype", "")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "names 'a' twice", "")]
    [InlineData("""{"__metadata__":{"format":1}}""", 0, "not a string", "")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]""", 4, "not valid UTF-8 JSON", "")]
    [InlineData("""[1,2]""", 0, "not a JSON object", "")]
    public void Reader_RefusesDefects_SayingWhatIsWrong(string header, int dataBytes, string expected, string expected2)
    {
        var bytes = File_(header, dataBytes);
        if (expected.Length == 0)
        {
            Assert.Single(SafeTensorsFile.Parse(bytes, "good").Tensors);
            return;
        }
        string message = Error(bytes);
        Assert.Contains("bad.safetensors", message);
        Assert.Contains(expected, message);
        Assert.Contains(expected2, message);
    }

    [Fact]
    public void Reader_RefusesBadLengthsAndEncodings()
    {
        Assert.Contains("fewer than the 8", Error([1, 2, 3]));
        Assert.Contains("header length is 1000000000 bytes (at most", Error(File_("{}", 0, declaredLength: 1_000_000_000)));
        // Issue 14, point 7: the length is unsigned; a raw negative (long.MinValue) is never printed.
        Assert.Contains("header length is 18446744073709551611 bytes (at most 100000000 allowed); the file is damaged", Error(File_("{}", 0, declaredLength: -5)));
        string minValue = Error(File_("{}", 0, declaredLength: long.MinValue));
        Assert.Contains("header length is 9223372036854775808 bytes (at most 100000000 allowed)", minValue);
        Assert.DoesNotContain("-", minValue.Replace("bad.safetensors", "", StringComparison.Ordinal));
        Assert.Contains("header length is 0 bytes; a header is a JSON object, at least the 2 bytes of {}", Error(File_("{}", 0, declaredLength: 0)));
        Assert.Contains("but only 2 follow", Error(File_("{}", 0, declaredLength: 40)));
        var bytes = File_("{\"\u00e9\":{}}", 0);
        bytes[10] = 0xFF; // not UTF-8
        Assert.Contains("not valid UTF-8 JSON", Error(bytes));
    }

    [Fact]
    public void Read_MissingFile_SaysSo()
    {
        var e = Assert.Throws<FcnLabException>(() => SafeTensorsFile.Read("/nonexistent/x.safetensors"));
        Assert.Contains("does not exist", e.Message);
    }
}
