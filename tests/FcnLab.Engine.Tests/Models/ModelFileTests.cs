using FcnLab.Engine.Data;
using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Tests.Models;

public class ModelFileTests
{
    private static readonly ModelSpec Spec = new()
    {
        InputShape = [1, 5, 5],
        Classes = 3,
        Hidden = [7, 4],
        Activation = Activation.LeakyReLU,
        LeakySlope = 0.2f,
        BatchNorm = true,
        Dropout = 0.25f,
    };

    private static readonly Normalization Norm = new(NormalizeKind.Standardize, 72.5f, 88.25f);

    private static (WorkerPool Pool, FcnLab.Engine.Layers.Sequential Net) Build(ulong seed)
    {
        var pool = new WorkerPool(1);
        var net = NetworkBuilder.Build(Spec, new Gemm(pool), new Rng(0));
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
        Assert.Equal(Spec.Hidden, contents.Spec.Hidden);
        Assert.Equal(Spec.InputShape, contents.Spec.InputShape);
        Assert.Equal(Spec with { Hidden = contents.Spec.Hidden, InputShape = contents.Spec.InputShape }, contents.Spec);
        Assert.Equal(Norm, contents.Normalization);
        Assert.Equal(["a", "b", "c"], contents.ClassNames);

        var (pool2, other) = Build(99);
        using var __ = pool2;
        ModelFile.LoadInto(other, contents, "m.fcnlab");
        Assert.Equal(net.Parameters.Values.ToArray(), other.Parameters.Values.ToArray());
        Assert.Equal(net.Buffers().SelectMany(b => b.Value.ToArray()), other.Buffers().SelectMany(b => b.Value.ToArray()));
        Assert.Equal(bytes, ModelFile.Serialize(Spec, Norm, ["a", "b", "c"], other));
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
        var otherSpec = Spec with { Hidden = [7, 5] };
        var other = NetworkBuilder.Build(otherSpec, new Gemm(pool), new Rng(0));
        Assert.Contains("shape", Assert.Throws<FcnLabException>(() => ModelFile.LoadInto(other, contents, "m")).Message);
    }

    [Fact]
    public void AnArchitectureSpec_IsWrittenAsVersion2_WhileDenseModelsStayVersion1()
    {
        var (pool, dense) = Build(3);
        using var _ = pool;
        Assert.Equal(1, BitConverter.ToInt32(ModelFile.Serialize(Spec, Norm, ["a", "b", "c"], dense), 8));

        var spec = new ModelSpec { InputShape = [1, 6, 6], Classes = 3, Hidden = [], Arch = "conv(4,3) batchnorm relu maxpool(2) flatten dense(3)" };
        var net = NetworkBuilder.Build(spec, new Gemm(pool), new Rng(0));
        NetworkBuilder.Initialize(net, spec, InitScheme.Default, 1, new Rng(5));
        var bytes = ModelFile.Serialize(spec, Norm, ["a", "b", "c"], net);
        Assert.Equal(2, BitConverter.ToInt32(bytes, 8));
        var contents = ModelFile.Parse(bytes, "cnn.fcnlab");
        Assert.Equal(spec.Arch, contents.Spec.Arch);
        Assert.Equal(spec.InputShape, contents.Spec.InputShape);
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "5.weight", "5.bias"], contents.Tensors.Keys);
        Assert.Equal([4, 1, 3, 3], contents.Tensors["0.weight"].Shape);
        var other = NetworkBuilder.Build(contents.Spec, new Gemm(pool), new Rng(0));
        ModelFile.LoadInto(other, contents, "cnn.fcnlab");
        Assert.Equal(bytes, ModelFile.Serialize(contents.Spec, Norm, ["a", "b", "c"], other));
    }
}
