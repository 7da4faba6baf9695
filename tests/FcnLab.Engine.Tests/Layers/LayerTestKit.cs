using System.Text.Json;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Tests.Layers;

/// <summary>Shared test helpers: the PyTorch reference vectors, random fills and a finite-difference gradient check.</summary>
internal static class LayerTestKit
{
    private static readonly Lazy<JsonElement> Cases = new(() => ReadCases("pytorch-vectors.json"));
    private static readonly Lazy<JsonElement> CnnCases = new(() => ReadCases("pytorch-cnn-vectors.json"));

    /// <summary>The "cases" object of a file in TestData.</summary>
    public static JsonElement ReadCases(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", file);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").Clone();
    }

    /// <summary>A case of pytorch-vectors.json (dense layers, losses, optimizers; made by make-pytorch-vectors.py).</summary>
    public static JsonElement Case(string name) => Cases.Value.GetProperty(name);

    /// <summary>A case of pytorch-cnn-vectors.json (convolutional layers; made by make-pytorch-cnn-vectors.py).</summary>
    public static JsonElement CnnCase(string name) => CnnCases.Value.GetProperty(name);

    public static float[] Floats(this JsonElement c, string name) =>
        c.GetProperty(name).EnumerateArray().Select(e => e.GetSingle()).ToArray();

    public static int[] Ints(this JsonElement c, string name) =>
        c.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <summary>PyTorch's Linear weight [out, in] as FcnLab's [in, out].</summary>
    public static float[] TransposeWeight(ReadOnlySpan<float> torchWeight, int outFeatures, int inFeatures)
    {
        var w = new float[inFeatures * outFeatures];
        for (int o = 0; o < outFeatures; o++)
            for (int i = 0; i < inFeatures; i++)
                w[i * outFeatures + o] = torchWeight[o * inFeatures + i];
        return w;
    }

    public static Gemm NewGemm(WorkerPool pool) => new(pool);

    /// <summary>Uniform in [-1, 1).</summary>
    public static void FillUniform(Span<float> values, Rng rng, float scale = 1f)
    {
        for (int i = 0; i < values.Length; i++) values[i] = scale * (2 * rng.NextFloat() - 1);
    }

    /// <summary>Uniform in +-[gap, 1): values a finite difference of size below gap cannot push across 0.</summary>
    public static void FillAwayFromZero(Span<float> values, Rng rng, float gap)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float magnitude = gap + (1 - gap) * rng.NextFloat();
            values[i] = rng.NextFloat() < 0.5f ? -magnitude : magnitude;
        }
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol = 1e-5, double rtol = 1e-5, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            Assert.True(Math.Abs(e - a) <= atol + rtol * Math.Abs(e), $"{what}[{i}]: expected {e:R}, got {a:R} (diff {Math.Abs(e - a):E2})");
        }
    }

    /// <summary>
    /// Finite-difference check of a layer's Backward. The objective is f = sum(output * R) for a fixed
    /// random R, computed in double; its gradient with respect to the output is R, so Backward(R) must
    /// give df/dx and add df/dparam. Central differences with step eps in float32.
    /// </summary>
    /// <param name="beforeForward">Called before every Forward (e.g. to restore a dropout generator).</param>
    public static void GradCheck(Layer layer, Tensor x, bool training = true, float eps = 1e-2f,
        double atol = 1e-3, double rtol = 1e-2, Action? beforeForward = null, int seed = 7)
    {
        var rng = new Rng((ulong)seed);
        beforeForward?.Invoke();
        var y0 = layer.Forward(x, training);
        var r = Tensor.Zeros(y0.Shape);
        FillUniform(r.Span, rng);

        double Objective()
        {
            beforeForward?.Invoke();
            var y = layer.Forward(x, training);
            double f = 0;
            for (int i = 0; i < y.Length; i++) f += (double)y[i] * r[i];
            return f;
        }

        foreach (var p in layer.Parameters) p.Grad.Clear();
        beforeForward?.Invoke();
        layer.Forward(x, training);
        var dx = layer.Backward(r);
        Assert.NotNull(dx);
        var analyticX = dx!.ToArray();
        var analyticParams = layer.Parameters.Select(p => p.Grad.ToArray()).ToArray();

        CheckTensor(x, analyticX, "dInput");
        for (int k = 0; k < layer.Parameters.Count; k++)
            CheckTensor(layer.Parameters[k].Value, analyticParams[k], "d" + layer.Parameters[k].Name);

        void CheckTensor(Tensor t, float[] analytic, string what)
        {
            for (int i = 0; i < t.Length; i++)
            {
                float saved = t[i];
                t[i] = saved + eps;
                double plus = Objective();
                t[i] = saved - eps;
                double minus = Objective();
                t[i] = saved;
                double numeric = (plus - minus) / (2.0 * eps);
                Assert.True(Math.Abs(numeric - analytic[i]) <= atol + rtol * Math.Abs(numeric),
                    $"{layer.Describe()} {what}[{i}]: finite difference {numeric:G6}, backward {analytic[i]:G6}");
            }
        }
    }

    /// <summary>Plain SGD, w -= lr * grad, as torch.optim.SGD without momentum.</summary>
    public static void SgdStep(ParameterSet parameters, float lr)
    {
        var values = parameters.Values.Span;
        ReadOnlySpan<float> grads = parameters.Grads.Span;
        for (int i = 0; i < values.Length; i++) values[i] -= lr * grads[i];
    }

    /// <summary>A ParameterSet bound to the layer's parameters (their storage), returned so tests can fill it.</summary>
    public static ParameterSet Bind(params Layer[] layers) => new(layers.SelectMany(l => l.Parameters));
}
