using System.Globalization;
using System.Text.Json;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;
using FcnLab.Interop.SafeTensors;
using FcnLab.Interop.Tests;

namespace FcnLab.Cli.Tests;

/// <summary>
/// Training parity with PyTorch 1.13: from the same PyTorch-initialized weights (imported with
/// fcnlab import), one epoch of `fcnlab train --init-from` with plain SGD and momentum, no shuffling,
/// no validation split, on a tiny IDX data set gives the same per-step losses (steps.csv) as PyTorch
/// doing the same steps on the same batches in the same order with the same normalization.
/// </summary>
public sealed class PyTorchParityTests : IDisposable
{
    // 240 training images of 8x8, 4 classes: 8 steps of 32, the last one 16 (FcnLab keeps a partial last batch;
    // with batch norm it drops only a last batch of one).
    private readonly CliHarness _h = new(train: 240, test: 60, size: 8, classes: 4);

    public void Dispose() => _h.Dispose();

    /// <summary>
    /// Reads the IDX training set, builds the Sequential from the layers with torch.manual_seed(0), saves
    /// its initial state_dict as safetensors, then trains one epoch as FcnLab does and prints each step's loss.
    /// </summary>
    private const string Script = Python.SafeTensorsFormat + """
        def idx(path):
            b = open(path, 'rb').read()
            magic = struct.unpack('>i', b[:4])[0]
            dims = struct.unpack('>' + 'i' * (magic & 0xFF), b[4:4 + 4 * (magic & 0xFF)])
            return torch.frombuffer(bytearray(b[4 + 4 * len(dims):]), dtype=torch.uint8).reshape(dims)

        data_dir, out_path, layers, input_shape = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
        lr, momentum, batch, mean, std = float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), float(sys.argv[8]), float(sys.argv[9])
        torch.manual_seed(0)
        model = Sequential(*[eval(layer) for layer in layers])
        save(out_path, model.state_dict())

        # FcnLab's normalization: (x - mean) / std on the raw 0..255 pixels, in float32.
        images = idx(data_dir + '/train-images-idx3-ubyte').float()
        x = ((images - mean) / std).reshape([images.shape[0]] + input_shape)
        y = idx(data_dir + '/train-labels-idx1-ubyte').long()
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        loss_fn = CrossEntropyLoss()
        model.train()
        losses = []
        for start in range(0, x.shape[0], batch):
            optimizer.zero_grad()
            loss = loss_fn(model(x[start:start + batch]), y[start:start + batch])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        print(json.dumps(losses))
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OneEpochOfSgd_FromImportedWeights_HasPyTorchsLossAtEveryStep(bool batchNorm)
    {
        // Without batch norm, the dense shorthand (flat input); with it, an architecture spec that flattens.
        string[] archFlags = batchNorm ? ["--arch", "flatten dense(24) batchnorm relu dense(12) relu dense(classes)"] : ["--hidden", "24,12"];
        var spec = batchNorm
            ? new ModelSpec(ArchSpec.Parse(archFlags[1]), [1, 8, 8], 4)
            : new ModelSpec(new DenseShorthand([24, 12], Activation.ReLU, 0.01f, BatchNorm: false, Dropout: 0).ToArchSpec(), [1, 8, 8], 4);
        using var pool = new WorkerPool(1);
        var network = NetworkBuilder.Build(spec, pool, new Rng(0));
        string layers = JsonSerializer.Serialize(network.Layers.Select(PyTorchModules.Describe));
        string inputShape = JsonSerializer.Serialize(network.InputShape);
        // transforms.Normalize(0.5, 0.25) on [0, 1] pixels is (x - 127.5) / 63.75 on 0..255, both exact in float32.
        const string lr = "0.05", momentum = "0.9", batch = "32", mean = "127.5", std = "63.75";

        string weights = _h.Path_("init.safetensors");
        string stdout = Python.Run(Script, _h.DataDir, weights, layers, inputShape, lr, momentum, batch, mean, std);
        var expected = JsonDocument.Parse(stdout).RootElement.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(8, expected.Length);

        string model = _h.Path_("init.fcnlab");
        var import = _h.Run(["import", "--from", weights, .. archFlags, "--data", _h.DataDir, "--dataset", "tiny", "--input-mean", "0.5", "--input-std", "0.25", "--out", model]);
        Assert.True(import.Code == 0, import.Err);

        string run = _h.Path_("run");
        var train = _h.Train(run, [.. archFlags, "--init-from", model, "--no-shuffle", "--optimizer", "sgd", "--lr", lr, "--momentum", momentum,
            "--epochs", "1", "--val-split", "0", "--batch-size", batch]);
        Assert.True(train.Code == 0, train.Err);

        var rows = File.ReadAllLines(Path.Combine(run, "steps.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(expected.Length, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            double loss = double.Parse(rows[i][2], CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(loss - expected[i]) <= 1e-3 * Math.Abs(expected[i]), $"step {i + 1}: FcnLab's loss {loss}, PyTorch's {expected[i]}");
        }
        // The steps really learn: the curve compared is not flat.
        Assert.True(expected[^1] < expected[0] * 0.9, $"PyTorch's losses {string.Join(", ", expected)}");
    }
}
