using FcnLab.Engine;
using FcnLab.Engine.Models;
using FcnLab.Engine.Tensors;
using FcnLab.Engine.Tests.IO;
using FsCheck.Fluent;

namespace FcnLab.Cli.Tests.Fuzz;

/// <summary>
/// The defects fuzzing found (docs/fuzzing.md has the seeds and cases), and their neighbours found by
/// reading the same code, each as one plain edit of a valid file: every one must be refused with a
/// FcnLabException that says what is wrong, not crash or allocate what the header asks for.
/// </summary>
public sealed class FuzzRegressionTests(FuzzSeeds seeds) : IClassFixture<FuzzSeeds>
{
    private static string Refused(Action parse) => Assert.Throws<FcnLabException>(parse).Message;

    private static string ModelRefused(byte[] bytes) => Refused(() =>
    {
        // What eval does: parse, build the network the header describes, load the weights.
        var contents = ModelFile.Parse(bytes, "model.fcnlab");
        using var pool = new WorkerPool(1);
        ModelFile.BuildNetwork(contents, pool, "model.fcnlab");
    });

    [Theory]
    // Found: seed 20251123, case 257 (a tensor name null: ArgumentNullException from the dictionary).
    [InlineData(@"""name"":""0.bias""", @"""name"":null", "header is malformed")]
    // Found: seed 1, case 3432 (an activation null: NullReferenceException).
    [InlineData(@"""activation"":""leaky-relu""", @"""activation"":null", "header is malformed")]
    // Found: seed 2, case 6113 (OutOfMemoryException building a network 10^9 wide) and seed 3, case 872
    // (132 MB for a width with 65536 inserted): the architecture is now checked against the file's values.
    // (A width of 10^9 is now refused earlier still: more parameters than one model can hold.)
    [InlineData(@"""hidden"":\[12,8\]", @"""hidden"":[1000000000,8]", "parameters; FcnLab holds at most 2,147,483,647")]
    [InlineData(@"""hidden"":\[12,8\]", @"""hidden"":[4655364,8]", "parameters but the file holds only")]
    [InlineData(@"""hidden"":\[12,8\]", @"""hidden"":[12,0]", "--hidden widths must be positive integers")]
    // Read from the same code: a shape whose size in bytes wraps around to 4 (2^62 + 1 values: the
    // array allocation threw OverflowException), an input shape too big for int, values the shared
    // checks refuse (now said with the file's name), a tensor listed twice.
    [InlineData(@"""shape"":\[64,12\]", @"""shape"":[5,5581,8681,49477,384773]", "does not fit in the file")]
    [InlineData(@"""input_shape"":\[1,8,8\]", @"""input_shape"":[65536,65536,65536]", "more pixels than FcnLab can hold")]
    [InlineData(@"""input_shape"":\[1,8,8\]", @"""input_shape"":[1,-5,-5]", "one to three positive sizes")]
    [InlineData(@"""classes"":4", @"""classes"":0", "needs from 2 to 10000 classes")]
    [InlineData(@"""name"":""0.bias""", @"""name"":""0.weight""", "listed twice")]
    public void ModelHeader_Version1(string pattern, string replacement, string expected)
    {
        string message = ModelRefused(SealedFiles.EditHeader(seeds.ModelVersion1, pattern, replacement));
        Assert.StartsWith("'model.fcnlab' is not a valid FcnLab model file", message);
        Assert.Contains(expected, message);
    }

    // The same damage in the header this build writes (version 3: the architecture as a spec's text).
    [Theory]
    [InlineData(@"""name"":""0.bias""", @"""name"":null", "header is malformed")]
    [InlineData(@"""arch"":""[^""]*""", @"""arch"":null", "header is malformed")]
    [InlineData(@"dense\(4\)", @"dense(1000000000)", "parameters; FcnLab holds at most 2,147,483,647")]
    [InlineData(@"dense\(4\)", @"dense(4655364)", "parameters but the file holds only")]
    [InlineData(@"dense\(4\) batchnorm", @"maxpool(9) batchnorm", "maxpool(9) gets [1, 5, 5] per sample")]
    [InlineData(@"dense\(3\)", @"dense(3", "is not closed")]
    [InlineData(@"""shape"":\[25,4\]", @"""shape"":[5,5581,8681,49477,384773]", "does not fit in the file")]
    [InlineData(@"""input_shape"":\[1,5,5\]", @"""input_shape"":[65536,65536,65536]", "more pixels than FcnLab can hold")]
    [InlineData(@"""input_shape"":\[1,5,5\]", @"""input_shape"":[1,-5,-5]", "one to three positive sizes")]
    [InlineData(@"""classes"":3", @"""classes"":0", "needs from 2 to 10000 classes")]
    [InlineData(@"""name"":""0.bias""", @"""name"":""0.weight""", "listed twice")]
    public void ModelHeader(string pattern, string replacement, string expected)
    {
        string message = ModelRefused(SealedFiles.EditHeader(seeds.Model, pattern, replacement));
        Assert.StartsWith("'model.fcnlab' is not a valid FcnLab model file", message);
        Assert.Contains(expected, message);
    }

    [Fact]
    public void ModelValueCount_Huge()
    {
        // 2^62 + the real count: times 4 bytes, it wraps around to the data's length. The parameter check
        // above relies on this count, so it must be the real one.
        var bytes = (byte[])seeds.Model.Clone();
        int payload = FcnLab.Engine.IO.ChecksummedFile.PrefixLength + SealedFiles.Header(bytes).Length;
        long count = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(payload));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(payload), (1L << 62) + count);
        Assert.Contains("it declares", ModelRefused(SealedFiles.Reseal(bytes)));
    }

    [Theory]
    // Found: seed 1, case 4957; seed 5, case 4442; seed 6, case 9938 (a config value null: NullReferenceException).
    [InlineData(@"""lr"": ""0.01""", @"""lr"": null", "header is malformed")]
    [InlineData(@"""status"": ""completed""", @"""status"": null", "header is malformed")]
    [InlineData(@"""name"": ""parameters""", @"""name"": null", "header is malformed")]
    // Read from the code: a labels hash too short for the message that shows its first 12 digits.
    [InlineData(@"""labels_sha256"": ""[0-9a-f]+""", @"""labels_sha256"": ""ab""", "not a SHA-256")]
    public void CheckpointHeader(string pattern, string replacement, string expected)
    {
        string message = Refused(() => Engine.Training.Checkpoint.Parse(SealedFiles.EditHeader(seeds.Checkpoint, pattern, replacement), "checkpoint.fcnlab"));
        Assert.StartsWith("'checkpoint.fcnlab' is not a valid FcnLab checkpoint file", message);
        Assert.Contains(expected, message);
    }
}

/// <summary>The fuzzer itself: a parser that throws another exception or trusts a length must fail the property, with the seed and the case.</summary>
[Trait("Category", "Fuzz")]
public sealed class FuzzerTests
{
    private static readonly byte[] Input = [.. Enumerable.Range(0, 64).Select(i => (byte)i)];

    [Fact]
    public void AnotherExceptionType_FailsWithTheSeedAndTheCase()
    {
        var failure = Assert.Throws<FuzzFailure>(() => Fuzzer.Check("test", Input, MutationPlan.ByteEdit, bytes =>
        {
            if (bytes.Length != Input.Length) throw new IndexOutOfRangeException("a length was not checked");
            throw new FcnLabException("refused");
        }));
        Assert.Contains($"FCNLAB_FUZZ_SEED={Fuzzer.Seed}", failure.Message);
        Assert.Contains("Falsifiable, after", failure.Message);
        Assert.Contains("IndexOutOfRangeException: a length was not checked", failure.Message);
    }

    [Fact]
    public void AGiantAllocation_Fails()
    {
        var failure = Assert.Throws<FuzzFailure>(() => Fuzzer.Check("test", Input, MutationPlan.ByteEdit, bytes =>
        {
            var trusted = new byte[Fuzzer.AllocationLimit + 1];
            trusted[^1] = bytes[0];
        }));
        Assert.Contains("allocated", failure.Message);
    }

    [Fact]
    public void EveryEdit_IsMade_ChangesTheInput_AndAPlanReplays()
    {
        byte[] text = "name: x\naxes:\n  lr: [0.1, \"0.01\"]\n"u8.ToArray();
        var plans = Gen.Sample(MutationPlan.Of(MutationPlan.TextEdit), 2000);
        Assert.Equal(Enum.GetValues<Edit>().Order(), plans.SelectMany(p => p.Edits).Select(e => e.Edit).Distinct().Order());
        foreach (var plan in plans.Take(200))
            Assert.Equal(plan.Apply(text), plan.Apply(text));
        int changed = plans.Count(p => !p.Apply(text).SequenceEqual(text));
        Assert.True(changed > 1800, $"{changed} of 2000 plans changed the input");
    }
}
