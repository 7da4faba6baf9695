using System.Text;
using FcnLab.Engine.Data;
using FcnLab.Engine.IO;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Tests.Models;

public class ModelFileTests
{
    private static readonly ModelSpec Spec = new(new DenseShorthand([7, 4], Activation.LeakyReLU, 0.2f, BatchNorm: true, Dropout: 0.25f).ToArchSpec(), [1, 5, 5], 3);

    private static readonly Normalization Norm = new(NormalizeKind.Standardize, 72.5f, 88.25f);

    private static (WorkerPool Pool, FcnLab.Engine.Layers.Sequential Net) Build(ulong seed)
    {
        var pool = new WorkerPool(1);
        var net = NetworkBuilder.Build(Spec, pool, new Rng(0));
        NetworkBuilder.Initialize(net, Spec, InitScheme.KaimingNormal, 1, new Rng(seed));
        // Give the batch-norm buffers non-default values so the round trip is meaningful.
        foreach (var (_, t) in net.Buffers()) for (int i = 0; i < t.Length; i++) t[i] = 0.5f + i;
        return (pool, net);
    }

    [Fact]
    public void RoundTrip_RestoresSpecNormalizationNamesAndEveryTensor()
    {
        var (pool, net) = Build(3);
        using var _ = pool;
        var bytes = ModelFile.Serialize(Spec, Norm, ["a", "b", "c"], net);
        var contents = ModelFile.Parse(bytes, "m.fcnlab");
        Assert.Equal("dense(7) batchnorm leaky-relu(0.2) dropout(0.25) dense(4) batchnorm leaky-relu(0.2) dropout(0.25) dense(3)", contents.Spec.Arch.Text);
        Assert.Equal(Spec.Arch.Text, contents.Spec.Arch.Text);
        Assert.Equal(Spec.InputShape, contents.Spec.InputShape);
        Assert.Equal(Spec.Classes, contents.Spec.Classes);
        // The layers spell the dense shorthand, so it is recognized (the model summary says "dense: 25-7-4-3").
        Assert.Equal([7, 4], contents.Spec.Arch.Shorthand!.Hidden);
        Assert.Equal((Activation.LeakyReLU, 0.2f, true, 0.25f), (contents.Spec.Arch.Shorthand.Activation, contents.Spec.Arch.Shorthand.LeakySlope,
            contents.Spec.Arch.Shorthand.BatchNorm, contents.Spec.Arch.Shorthand.Dropout));
        Assert.Equal(Norm, contents.Normalization);
        Assert.Equal(["a", "b", "c"], contents.ClassNames);

        var (pool2, other) = Build(99);
        using var __ = pool2;
        ModelFile.LoadInto(other, contents, "m.fcnlab");
        Assert.Equal(net.Parameters.Values.ToArray(), other.Parameters.Values.ToArray());
        Assert.Equal(net.Buffers().SelectMany(b => b.Value.ToArray()), other.Buffers().SelectMany(b => b.Value.ToArray()));
        Assert.Equal(bytes, ModelFile.Serialize(Spec, Norm, ["a", "b", "c"], other));
        Assert.Equal(bytes, ModelFile.Serialize(contents.Spec, Norm, ["a", "b", "c"], other));
    }

    [Fact]
    public void CorruptFiles_AreRefusedWithClearMessages()
    {
        var (pool, net) = Build(3);
        using var _ = pool;
        var good = ModelFile.Serialize(Spec, Norm, ["a", "b", "c"], net);

        var flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 1;
        Assert.Contains("checksum", Assert.Throws<FcnLabException>(() => ModelFile.Parse(flipped, "x")).Message);

        Assert.Contains("checksum", Assert.Throws<FcnLabException>(() => ModelFile.Parse(good[..^10], "x")).Message);
        Assert.Contains("truncated", Assert.Throws<FcnLabException>(() => ModelFile.Parse(good[..12], "x")).Message);
        Assert.Contains("magic", Assert.Throws<FcnLabException>(() => ModelFile.Parse("PK\u0003\u0004 zip file"u8.ToArray(), "x")).Message);
        Assert.Contains("magic", Assert.Throws<FcnLabException>(() => ModelFile.Parse([], "x")).Message);

        var future = (byte[])good.Clone();
        future[8] = 9;
        Assert.Contains("format version 9", Assert.Throws<FcnLabException>(() => ModelFile.Parse(future, "x")).Message);
    }

    [Fact]
    public void LoadInto_RefusesAnotherArchitecture()
    {
        var (pool, net) = Build(3);
        using var _ = pool;
        var contents = ModelFile.Parse(ModelFile.Serialize(Spec, Norm, ["a", "b", "c"], net), "m");
        var otherSpec = new ModelSpec(new DenseShorthand([7, 5], Activation.LeakyReLU, 0.2f, BatchNorm: true, Dropout: 0.25f).ToArchSpec(), [1, 5, 5], 3);
        var other = NetworkBuilder.Build(otherSpec, pool, new Rng(0));
        Assert.Contains("shape", Assert.Throws<FcnLabException>(() => ModelFile.LoadInto(other, contents, "m")).Message);
    }

    [Fact]
    public void EveryNetwork_IsWrittenAsVersion3_InOneLayout()
    {
        var (pool, dense) = Build(3);
        using var _ = pool;
        var denseBytes = ModelFile.Serialize(Spec, Norm, ["a", "b", "c"], dense);
        Assert.Equal(3, BitConverter.ToInt32(denseBytes, 8));
        Assert.Contains("\"architecture\":{\"input_shape\":[1,5,5],\"classes\":3,\"arch\":\"dense(7) batchnorm leaky-relu(0.2) dropout(0.25) dense(4)",
            Encoding.UTF8.GetString(denseBytes));

        var spec = new ModelSpec(ArchSpec.Parse("conv(4,3) batchnorm relu maxpool(2) flatten dense(classes)"), [1, 6, 6], 3);
        var net = NetworkBuilder.Build(spec, pool, new Rng(0));
        NetworkBuilder.Initialize(net, spec, InitScheme.Default, 1, new Rng(5));
        var bytes = ModelFile.Serialize(spec, Norm, ["a", "b", "c"], net);
        Assert.Equal(3, BitConverter.ToInt32(bytes, 8));
        var contents = ModelFile.Parse(bytes, "cnn.fcnlab");
        Assert.Equal("conv(4,3) batchnorm relu maxpool(2) flatten dense(3)", contents.Spec.Arch.Text);
        Assert.Equal(spec.InputShape, contents.Spec.InputShape);
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "5.weight", "5.bias"], contents.Tensors.Keys);
        Assert.Equal([4, 1, 3, 3], contents.Tensors["0.weight"].Shape);
        var other = NetworkBuilder.Build(contents.Spec, pool, new Rng(0));
        ModelFile.LoadInto(other, contents, "cnn.fcnlab");
        Assert.Equal(bytes, ModelFile.Serialize(contents.Spec, Norm, ["a", "b", "c"], other));
    }

    [Fact]
    public void ResidualNetwork_IsWrittenAsVersion4_WithTorchvisionNames_AndReadBackBitExactly()
    {
        using var pool = new WorkerPool(1);
        var spec = new ModelSpec(ArchSpec.Parse("conv(4,3,pad=1) res(conv(6,3,stride=2,pad=1,bias=false) batchnorm relu conv(6,3,pad=1) batchnorm) relu gap dense(classes)"), [1, 6, 6], 3);
        var net = NetworkBuilder.Build(spec, pool, new Rng(0));
        NetworkBuilder.Initialize(net, spec, InitScheme.Default, 1, new Rng(5));
        foreach (var (_, t) in net.Buffers()) for (int i = 0; i < t.Length; i++) t[i] = 0.25f + i;
        var bytes = ModelFile.Serialize(spec, Norm, ["a", "b", "c"], net);
        Assert.Equal(ModelFile.BlockFormatVersion, BitConverter.ToInt32(bytes, 8));
        var contents = ModelFile.Parse(bytes, "res.fcnlab");
        Assert.Equal(spec.Arch.Text, contents.Spec.Arch.Text);
        Assert.Equal(["0.weight", "0.bias", "1.body.0.weight", "1.body.1.weight", "1.body.1.bias", "1.body.3.weight", "1.body.3.bias", "1.body.4.weight", "1.body.4.bias",
            "1.downsample.0.weight", "1.downsample.1.weight", "1.downsample.1.bias",
            "1.body.1.running_mean", "1.body.1.running_var", "1.body.4.running_mean", "1.body.4.running_var", "1.downsample.1.running_mean", "1.downsample.1.running_var",
            "4.weight", "4.bias"], contents.Tensors.Keys);
        Assert.Equal([6, 4, 1, 1], contents.Tensors["1.downsample.0.weight"].Shape);
        var other = NetworkBuilder.Build(contents.Spec, pool, new Rng(0));
        ModelFile.LoadInto(other, contents, "res.fcnlab");
        Assert.Equal(net.Parameters.Values.ToArray(), other.Parameters.Values.ToArray());
        Assert.Equal(bytes, ModelFile.Serialize(contents.Spec, Norm, ["a", "b", "c"], other));
        // gap alone makes a version 4 file too: FcnLab before it could not build it.
        var gap = new ModelSpec(ArchSpec.Parse("conv(4,3) gap dense(classes)"), [1, 6, 6], 3);
        Assert.Equal(ModelFile.BlockFormatVersion, BitConverter.ToInt32(ModelFile.Serialize(gap, Norm, ["a", "b", "c"], NetworkBuilder.Build(gap, pool, new Rng(0))), 8));
    }

    /// <summary>
    /// Version 1 (the dense shorthand's settings) and version 2 (an --arch text), with headers as the
    /// builds before version 3 wrote them, read into the spec version 3 writes; and back out as version 3.
    /// (tests/FcnLab.Cli.Tests/ModelFiles holds such files written by that build, with what it printed for them.)
    /// </summary>
    [Fact]
    public void Versions1And2_ReadIntoTheSameSpec_AsVersion3()
    {
        var (pool, net) = Build(3);
        using var _ = pool;
        var v3 = ModelFile.Serialize(Spec, Norm, ["a", "b", "c"], net);
        string tensors = "\"tensors\":[{\"name\":\"0.weight\",\"shape\":[25,7]},{\"name\":\"0.bias\",\"shape\":[7]},{\"name\":\"1.weight\",\"shape\":[7]},"
            + "{\"name\":\"1.bias\",\"shape\":[7]},{\"name\":\"1.running_mean\",\"shape\":[7]},{\"name\":\"1.running_var\",\"shape\":[7]},"
            + "{\"name\":\"4.weight\",\"shape\":[7,4]},{\"name\":\"4.bias\",\"shape\":[4]},{\"name\":\"5.weight\",\"shape\":[4]},{\"name\":\"5.bias\",\"shape\":[4]},"
            + "{\"name\":\"5.running_mean\",\"shape\":[4]},{\"name\":\"5.running_var\",\"shape\":[4]},{\"name\":\"8.weight\",\"shape\":[4,3]},{\"name\":\"8.bias\",\"shape\":[3]}]}";
        string rest = "\"normalization\":{\"kind\":\"standardize\",\"mean\":72.5,\"std\":88.25},\"class_names\":[\"a\",\"b\",\"c\"]," + tensors;
        string v1 = "{\"format\":\"fcnlab-model\",\"architecture\":{\"input_shape\":[1,5,5],\"classes\":3,\"hidden\":[7,4],\"activation\":\"leaky-relu\","
            + "\"leaky_slope\":0.2,\"batch_norm\":true,\"dropout\":0.25}," + rest;
        string v2 = "{\"format\":\"fcnlab-model\",\"architecture\":{\"input_shape\":[1,5,5],\"classes\":3,"
            + "\"arch\":\"dense(7) batchnorm leaky-relu(0.2) dropout(0.25) dense(4) batchnorm leaky-relu(0.2) dropout(0.25) dense(3)\"}," + rest;
        foreach (var (version, header) in new[] { (1, v1), (2, v2) })
        {
            var contents = ModelFile.Parse(WithHeader(v3, version, header), $"v{version}.fcnlab");
            Assert.Equal(Spec.Arch.Text, contents.Spec.Arch.Text);
            Assert.Equal(Spec.InputShape, contents.Spec.InputShape);
            Assert.Equal(Spec.Classes, contents.Spec.Classes);
            Assert.Equal(Norm, contents.Normalization);
            var other = NetworkBuilder.Build(contents.Spec, pool, new Rng(0));
            ModelFile.LoadInto(other, contents, "m");
            Assert.Equal(v3, ModelFile.Serialize(contents.Spec, contents.Normalization, contents.ClassNames, other));
        }
        // Version 1 needs every setting of the shorthand.
        var e = Assert.Throws<FcnLabException>(() => ModelFile.Parse(WithHeader(v3, 1, v1.Replace("\"batch_norm\":true,", "")), "v1.fcnlab"));
        Assert.Contains("header is malformed", e.Message);
        Assert.Contains("batch_norm", e.Message);
    }

    /// <summary><paramref name="file"/>'s payload under another version and header, sealed again.</summary>
    private static byte[] WithHeader(byte[] file, int version, string header)
    {
        int headerLength = BitConverter.ToInt32(file, ChecksummedFile.MagicLength + 4);
        int payloadStart = ChecksummedFile.PrefixLength + headerLength;
        var payload = file.AsSpan(payloadStart, file.Length - payloadStart - ChecksummedFile.ChecksumLength).ToArray();
        return ChecksummedFile.Build(file.AsSpan(0, ChecksummedFile.MagicLength), version, Encoding.UTF8.GetBytes(header), payload.Length, s => s.Write(payload));
    }
}
