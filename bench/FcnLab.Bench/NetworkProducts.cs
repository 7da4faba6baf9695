using FcnLab.Engine.Tensors;

namespace FcnLab.Bench;

/// <summary>Which of a Linear layer's three GEMMs.</summary>
public enum Product
{
    /// <summary>Y[B,out] = X[B,in] W[in,out] + bias.</summary>
    Forward,
    /// <summary>dW[in,out] += X^T dY.</summary>
    WeightGradient,
    /// <summary>dX[B,in] = dY W^T (not issued for the first layer).</summary>
    InputGradient,
}

/// <summary>Buffers for every Linear layer of a network at one batch size, and the GEMMs a training step issues.</summary>
public sealed unsafe class NetworkProducts
{
    public static readonly int[] DefaultWidths = [784, 1200, 2000, 800, 10];

    private readonly int _batch;
    private readonly int[] _widths;
    private readonly Tensor[] _x, _dY, _dX, _w, _dW, _bias;

    public NetworkProducts(int[] widths, int batch)
    {
        _widths = widths;
        _batch = batch;
        var rng = new System.Random(1);
        int layers = widths.Length - 1;
        _x = new Tensor[widths.Length];
        _w = new Tensor[layers];
        _dW = new Tensor[layers];
        _bias = new Tensor[layers];
        _dY = new Tensor[widths.Length];
        _dX = new Tensor[widths.Length];
        for (int i = 0; i < widths.Length; i++)
        {
            _x[i] = Random(rng, batch, widths[i]);
            _dY[i] = Random(rng, batch, widths[i]);
            _dX[i] = Tensor.Zeros(batch, widths[i]);
        }
        for (int l = 0; l < layers; l++)
        {
            _w[l] = Random(rng, widths[l], widths[l + 1]);
            _dW[l] = Tensor.Zeros(widths[l], widths[l + 1]);
            _bias[l] = Random(rng, widths[l + 1]);
        }
    }

    private static Tensor Random(System.Random rng, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = (float)(rng.NextDouble() - 0.5);
        return t;
    }

    /// <summary>Floating-point operations (2 m n k) of one product over all layers.</summary>
    public double Flops(Product product)
    {
        double f = 0;
        for (int l = 0; l < _widths.Length - 1; l++)
            if (product != Product.InputGradient || l > 0) f += 2.0 * _batch * _widths[l] * _widths[l + 1];
        return f;
    }

    /// <summary>Issues one product for every layer. Gradients are fixed random inputs and separate outputs, so repeated runs keep values bounded.</summary>
    public void Run(Gemm gemm, Product product)
    {
        for (int l = 0; l < _widths.Length - 1; l++)
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
