using System.Buffers.Binary;
using System.Text;
using FcnLab.Engine.Data;
using FcnLab.Engine.Models;
using FcnLab.Engine.Png;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using FcnLab.Engine.Tests.Data;
using FcnLab.Engine.Tests.Png;
using FcnLab.Interop.SafeTensors;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace FcnLab.Cli.Tests.Fuzz;

/// <summary>
/// The interop readers under the same property as the others (docs/fuzzing.md): PNG files for
/// `predict`, safetensors files and their JSON sidecars for `import`. Parsing a mutated valid input
/// succeeds or throws FcnLabException, within the fuzzer's time and allocation limits.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class InteropFuzzTests(FuzzSeeds seeds, ITestOutputHelper output) : IClassFixture<FuzzSeeds>
{
    /// <summary>Raw: the bytes as edited. Sealed: PNG chunk CRCs recomputed, or the safetensors header edited as text with its length made right.</summary>
    public enum Sealing { Raw, Sealed }

    public sealed record Case(int Seed, Sealing Sealing, MutationPlan Plan)
    {
        public override string ToString() => $"seed {Seed}, {Sealing}: {Plan}";
    }

    private static Gen<Case> Cases(int seedCount, Gen<Mutation> sealedEdit) =>
        from seed in Gen.Choose(0, seedCount - 1)
        from sealing in Gen.Elements(Sealing.Raw, Sealing.Sealed)
        from plan in MutationPlan.Of(sealing == Sealing.Sealed ? sealedEdit : MutationPlan.ByteEdit)
        select new Case(seed, sealing, plan);

    private static IEnumerable<Case> Shrink(Case c) => c.Plan.Shrink().Select(p => c with { Plan = p });

    /// <summary>Gray 8-bit with every filter, RGB 16-bit, palette with transparency, gray+alpha interlaced, RGBA.</summary>
    private static byte[][] PngSeeds()
    {
        int[] Samples(int count, int depth) => [.. Enumerable.Range(0, count).Select(i => i * 37 % (1 << depth))];
        return
        [
            PngTestFiles.Encode(Samples(7 * 5, 8), 7, 5, colorType: 0, bitDepth: 8, filters: [0, 1, 2, 3, 4]),
            PngTestFiles.Encode(Samples(4 * 3 * 3, 16), 4, 3, colorType: 2, bitDepth: 16, filters: [4]),
            PngTestFiles.Encode(Samples(6 * 6, 2), 6, 6, colorType: 3, bitDepth: 2, palette: [0, 0, 0, 90, 90, 90, 180, 180, 180, 255, 255, 255], trns: [255, 128]),
            PngTestFiles.Encode(Samples(9 * 9 * 2, 8), 9, 9, colorType: 4, bitDepth: 8, filters: [1, 3], interlace: true),
            PngTestFiles.Encode(Samples(5 * 4 * 4, 8), 5, 4, colorType: 6, bitDepth: 8, filters: [2]),
        ];
    }

    [Fact]
    public void PngSeeds_Decode_AndResealing_KeepsThemValid()
    {
        foreach (var png in PngSeeds())
            Assert.Equal(PngDecoder.Decode(png, "seed.png").Pixels, PngDecoder.Decode(ResealPng(png), "seed.png").Pixels);
    }

    [Fact]
    public void Png()
    {
        var valid = PngSeeds();
        output.WriteLine(Fuzzer.Check("png", Cases(valid.Length, MutationPlan.ByteEdit), Shrink, c =>
        {
            byte[] png = c.Plan.Apply(valid[c.Seed]);
            if (c.Sealing == Sealing.Sealed) png = ResealPng(png);
            // What predict does with a picture: decode, then fit it to a 28x28 model.
            var image = PngDecoder.Decode(png, "fuzz.png");
            ImageInputs.Resize(image.Pixels, image.Height, image.Width, 28, 28);
        }).ToString());
    }

    [Fact]
    public void ZlibsOwnErrorCode_IsACorruptImageError()
    {
        // Found: seed 14, case 7,028, plan Sealed: [SetByte(at 801616998, 0x20)]: zlib's ZLibException
        // (an IOException, not the InvalidDataException the decoder caught) escaped.
        var png = PngSeeds()[0];
        png[801616998 % png.Length] = 0x20;
        var e = Assert.Throws<FcnLab.Engine.FcnLabException>(() => PngDecoder.Decode(ResealPng(png), "fuzz.png"));
        Assert.Contains("the compressed image data (zlib) is corrupt", e.Message);
    }

    /// <summary>Every whole chunk's CRC recomputed, so an edit reaches the decoder instead of stopping at the checksum.</summary>
    private static byte[] ResealPng(byte[] png)
    {
        var bytes = (byte[])png.Clone();
        for (long at = 8; at + 12 <= bytes.Length;)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan((int)at));
            if (at + 12 + length > bytes.Length) break;
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan((int)(at + 8 + length)), PngCrc32.Compute(bytes.AsSpan((int)at + 4, (int)(4 + length))));
            at += 12 + length;
        }
        return bytes;
    }

    /// <summary>The safetensors exports of the fuzz seeds' dense (batch norm) and convolutional models, and those models.</summary>
    private (byte[] Bytes, ModelContents Model)[] SafeTensorsSeeds() =>
        [.. new[] { seeds.Model, seeds.ArchModel }.Select(m => ModelFile.Parse(m, "model.fcnlab")).Select(m => (SafeTensorsExporter.Export(m).Bytes, m))];

    [Fact]
    public void SafeTensors()
    {
        var valid = SafeTensorsSeeds();
        using var pool = new WorkerPool(1);
        output.WriteLine(Fuzzer.Check("safetensors", Cases(valid.Length, MutationPlan.TextEdit), Shrink, c =>
        {
            var (bytes, model) = valid[c.Seed];
            bytes = c.Sealing == Sealing.Raw ? c.Plan.Apply(bytes) : WithHeader(bytes, c.Plan.Apply(Header(bytes)));
            // What import does: read the file, then load it into the network --arch builds.
            var (tensors, _) = SafeTensorsFile.Parse(bytes, "fuzz.safetensors");
            SafeTensorsImporter.LoadInto(NetworkBuilder.Build(model.Spec, pool, new Rng(0)), tensors, "fuzz.safetensors");
        }).ToString());
    }

    [Fact]
    public void SafeTensorsHeader_RoundTrips()
    {
        foreach (var (bytes, _) in SafeTensorsSeeds())
            Assert.Equal(bytes, WithHeader(bytes, Header(bytes)));
    }

    private static byte[] Header(byte[] file) => file[8..(8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(file))];

    private static byte[] WithHeader(byte[] file, byte[] header)
    {
        int old = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var result = new byte[8 + header.Length + file.Length - 8 - old];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)header.Length);
        header.CopyTo(result, 8);
        file.AsSpan(8 + old).CopyTo(result.AsSpan(8 + header.Length));
        return result;
    }

    [Fact]
    public void Sidecar()
    {
        var valid = SafeTensorsSeeds().Select(s => Encoding.UTF8.GetBytes(SafeTensorsExporter.Export(s.Model).Sidecar.ToJson())).ToArray();
        string path = seeds.Harness.Path_("fuzz.safetensors.json");
        output.WriteLine(Fuzzer.Check("sidecar", Cases(valid.Length, MutationPlan.TextEdit), Shrink, c =>
        {
            File.WriteAllBytes(path, c.Plan.Apply(valid[c.Seed]));
            // What import does with a sidecar and no --arch: read it, then build the architecture its layers describe.
            var sidecar = SafeTensorsSidecar.Read(path);
            if (sidecar.Layers != null && (sidecar.FcnLabInputShape ?? sidecar.InputShape) is { } shape)
                PyTorchLayerParser.ToModelSpec(sidecar.Layers, shape, sidecar.ClassNames?.Count ?? 3);
        }).ToString());
    }
}
