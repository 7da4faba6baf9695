using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Benchmarks.Compute;

/// <summary>Buffers for every Linear layer of a network at one batch size, and the GEMMs a training step issues.</summary>
public sealed unsafe class NetworkProducts
{
    /// <summary>The default network, 784-1200-2000-800-10: the one `fcnlab bench` and the GEMM suite time.</summary>
    public static readonly int[] DefaultWidths = [784, 1200, 2000, 800, 10];

    private readonly int _batch;
    private readonly int[] _widths;
    private readonly Tensor[] _x, _dY, _dX, _w, _dW, _bias;

    public NetworkProducts(int[] widths, int batch)
    {
        _widths = widths;
        _batch = batch;
        var rng = new Rng(1);
        int layers = widths.Length - 1;
        _x = new Tensor[widths.Length];
        _w = new Tensor[layers];
        _dW = new Tensor[layers];
        _bias = new Tensor[layers];
        _dY = new Tensor[widths.Length];
        _dX = new Tensor[widths.Length];
        for (int i = 0; i < widths.Length; i++)
        {
            _x[i] = RandomTensor(rng, batch, widths[i]);
            _dY[i] = RandomTensor(rng, batch, widths[i]);
            _dX[i] = Tensor.Zeros(batch, widths[i]);
        }
        for (int l = 0; l < layers; l++)
        {
            _w[l] = RandomTensor(rng, widths[l], widths[l + 1]);
            _dW[l] = Tensor.Zeros(widths[l], widths[l + 1]);
            _bias[l] = RandomTensor(rng, widths[l + 1]);
        }
    }

    private static Tensor RandomTensor(Rng rng, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = rng.NextFloat() - 0.5f;
        return t;
    }

    public int Layers => _widths.Length - 1;

    /// <summary>Floating-point operations (2 m n k) of one product over all layers.</summary>
    public double Flops(Product product)
    {
        double f = 0;
        for (int l = 0; l < Layers; l++) f += Flops(product, l);
        return f;
    }

    /// <summary>Floating-point operations of one product of one layer (0 for the first layer's input gradient, which is never issued).</summary>
    public double Flops(Product product, int layer) =>
        product == Product.InputGradient && layer == 0 ? 0 : 2.0 * _batch * _widths[layer] * _widths[layer + 1];

    /// <summary>Issues one product for every layer. Gradients are fixed random inputs and separate outputs, so repeated runs keep values bounded.</summary>
    public void Run(Gemm gemm, Product product)
    {
        for (int l = 0; l < Layers; l++) Run(gemm, product, l);
    }

    /// <summary>Issues one product of one layer.</summary>
    public void Run(Gemm gemm, Product product, int l)
    {
        {
            int input = _widths[l], output = _widths[l + 1];
            float* x = _x[l].Pointer, y = _x[l + 1].Pointer, dy = _dY[l + 1].Pointer, w = _w[l].Pointer;
            switch (product)
            {
                case Product.Forward:
                    gemm.Multiply(false, false, _batch, output, input, x, input, w, output, y, output, bias: _bias[l].Pointer);
                    break;
                case Product.WeightGradient:
                    gemm.Multiply(true, false, input, output, _batch, x, input, dy, output, _dW[l].Pointer, output, accumulate: true);
                    break;
                case Product.InputGradient:
                    if (l > 0) gemm.Multiply(false, true, _batch, input, output, dy, output, w, output, _dX[l].Pointer, input);
                    break;
            }
        }
    }
}
