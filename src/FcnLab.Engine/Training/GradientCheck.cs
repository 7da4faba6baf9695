using FcnLab.Engine.Layers;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Training;

/// <summary>One checked parameter element: backprop's gradient against (E(w+eps) - E(w-eps)) / 2eps.</summary>
public sealed record GradCheckRow(string Description, double Analytic, double Approximate, bool Kink, bool Agrees)
{
    public double Difference => Math.Abs(Analytic - Approximate);
}

/// <summary>
/// The numpy study's gradient check: on a handful of examples (one per class), for the first, middle
/// and last element of every weight and bias, compare backprop's dE/dw with the central difference
/// (E(w+eps) - E(w-eps)) / 2eps; they must agree within eps^2. Where an input of a ReLU-family
/// activation changes sign between w-eps and w+eps the function has a kink there, the difference
/// quotient is meaningless, and the row is marked and not judged.
/// </summary>
public static class GradientCheck
{
    /// <param name="x">[examples, features], already normalized</param>
    public static IReadOnlyList<GradCheckRow> Run(Sequential network, Tensor x, int[] labels, double l2 = 0, double eps = 1e-2)
    {
        if (network.Layers.Any(l => l is Dropout))
            throw new FcnLabException("gradcheck needs a deterministic forward pass: use --dropout 0.");
        var loss = new SoftmaxCrossEntropy();
        var parameters = network.Parameters;

        // E(w) for the current weights; records the ReLU-family inputs into kinkInputs when given.
        double Objective(List<float[]>? kinkInputs)
        {
            double e = loss.Forward(Forward(network, x, kinkInputs), labels);
            // AddL2 also adds to the gradients; harmless here, backprop's were copied before.
            if (l2 > 0) e += GradientTools.AddL2(parameters, l2);
            return e;
        }

        // Backprop's gradients at the unperturbed weights.
        parameters.ZeroGrad();
        loss.Forward(Forward(network, x, null), labels);
        if (l2 > 0) GradientTools.AddL2(parameters, l2);
        network.Backward(loss.Backward());
        var analytic = parameters.Grads.ToArray();

        var rows = new List<GradCheckRow>();
        var linears = network.Layers.OfType<Linear>().ToList();
        var kinkInputsPlus = new List<float[]>();
        var kinkInputsMinus = new List<float[]>();
        for (int li = 0; li < linears.Count; li++)
        {
            var linear = linears[li];
            string layerName = li == linears.Count - 1 ? "Output layer" : $"Hidden layer {li + 1}";
            foreach (var (p, isWeight) in new[] { (linear.Weight, true), (linear.Bias, false) })
            {
                foreach (int index in new[] { 0, p.Length / 2, p.Length - 1 }.Distinct())
                {
                    int flat = p.Offset + index;
                    float original = parameters.Values[flat];
                    parameters.Values[flat] = (float)(original + eps);
                    double plus = Objective(kinkInputsPlus);
                    parameters.Values[flat] = (float)(original - eps);
                    double minus = Objective(kinkInputsMinus);
                    parameters.Values[flat] = original;

                    bool kink = SignsDiffer(kinkInputsPlus, kinkInputsMinus);
                    double approx = (plus - minus) / (2 * eps);
                    double grad = analytic[flat];
                    string what = isWeight
                        ? $"{layerName} weight [{index % linear.OutFeatures},{index / linear.OutFeatures}]"
                        : $"{layerName} bias [{index}]";
                    rows.Add(new GradCheckRow(what, grad, approx, kink, kink || Math.Abs(grad - approx) <= eps * eps));
                }
            }
        }
        return rows;
    }

    /// <summary>Training-mode forward; when <paramref name="kinkInputs"/> is given, records the input of every ReLU-family layer.</summary>
    private static Tensor Forward(Sequential network, Tensor x, List<float[]>? kinkInputs)
    {
        kinkInputs?.Clear();
        var h = x;
        foreach (var layer in network.Layers)
        {
            if (kinkInputs != null && layer is ReLU or LeakyReLU) kinkInputs.Add(h.ToArray());
            h = layer.Forward(h, training: true);
        }
        return h;
    }

    private static bool SignsDiffer(List<float[]> a, List<float[]> b)
    {
        for (int l = 0; l < a.Count; l++)
            for (int i = 0; i < a[l].Length; i++)
                if (a[l][i] > 0 != b[l][i] > 0) return true;
        return false;
    }
}
