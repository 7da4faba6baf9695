namespace FcnLab.Engine.Layers;

/// <summary>
/// The slow, obviously correct convolution that <see cref="Conv2d"/> is tested against: the
/// definition written out as loops, summed in double. Layouts as Conv2d's: x [B, in, H, W],
/// weight [out, in, k, k], bias [out], y [B, out, oH, oW].
/// </summary>
public static class Conv2dReference
{
    public static int OutputSize(int size, int kernel, int stride, int padding) => (size + 2 * padding - kernel) / stride + 1;

    /// <summary>y[b, o, r, q] = bias[o] + sum_{c,i,j} w[o, c, i, j] * x[b, c, r*stride - pad + i, q*stride - pad + j] (0 outside the image).</summary>
    public static float[] Forward(float[] x, int batch, int inC, int h, int w, float[] weight, float[]? bias, int outC, int k, int stride, int pad)
    {
        int oh = OutputSize(h, k, stride, pad), ow = OutputSize(w, k, stride, pad);
        var y = new float[batch * outC * oh * ow];
        for (int b = 0; b < batch; b++)
            for (int o = 0; o < outC; o++)
                for (int r = 0; r < oh; r++)
                    for (int q = 0; q < ow; q++)
                    {
                        double sum = bias?[o] ?? 0;
                        for (int c = 0; c < inC; c++)
                            for (int i = 0; i < k; i++)
                                for (int j = 0; j < k; j++)
                                {
                                    int ih = r * stride - pad + i, iw = q * stride - pad + j;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                    sum += (double)weight[((o * inC + c) * k + i) * k + j] * x[((b * inC + c) * h + ih) * w + iw];
                                }
                        y[((b * outC + o) * oh + r) * ow + q] = (float)sum;
                    }
        return y;
    }

    /// <summary>The gradients of sum(y * dy): with respect to x, the weight and the bias.</summary>
    public static (float[] Dx, float[] DWeight, float[] DBias) Backward(float[] x, int batch, int inC, int h, int w, float[] weight, int outC, int k, int stride, int pad, float[] dy)
    {
        int oh = OutputSize(h, k, stride, pad), ow = OutputSize(w, k, stride, pad);
        var dx = new double[x.Length];
        var dw = new double[weight.Length];
        var db = new double[outC];
        for (int b = 0; b < batch; b++)
            for (int o = 0; o < outC; o++)
                for (int r = 0; r < oh; r++)
                    for (int q = 0; q < ow; q++)
                    {
                        double g = dy[((b * outC + o) * oh + r) * ow + q];
                        db[o] += g;
                        for (int c = 0; c < inC; c++)
                            for (int i = 0; i < k; i++)
                                for (int j = 0; j < k; j++)
                                {
                                    int ih = r * stride - pad + i, iw = q * stride - pad + j;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                    int xi = ((b * inC + c) * h + ih) * w + iw, wi = ((o * inC + c) * k + i) * k + j;
                                    dx[xi] += g * weight[wi];
                                    dw[wi] += g * x[xi];
                                }
                    }
        return (ToFloats(dx), ToFloats(dw), ToFloats(db));
    }

    private static float[] ToFloats(double[] values) => values.Select(v => (float)v).ToArray();
}
