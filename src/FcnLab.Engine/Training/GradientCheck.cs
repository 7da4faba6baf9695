using FcnLab.Engine.Layers;
using FcnLab.Engine.Losses;
using FcnLab.Engine.Optim;
using FcnLab.Engine.Tensors;

namespace FcnLab.Engine.Training;

/// <summary>
/// The numpy study's gradient check, for any network: on a handful of examples (one per class), for
/// the first, middle and last element of every parameter (Linear, Conv2d and batch-norm weights and
/// biases), compare backprop's dE/dw with the central difference (E(w+eps) - E(w-eps)) / 2eps; they
/// must agree within eps^2. Where the function has a kink between w-eps and w+eps (an input of a
/// ReLU-family activation changes sign, or a max-pool window changes its winner) the difference
/// quotient is meaningless, and the row is marked and not judged.
/// </summary>
public static class GradientCheck
{
    /// <param name="x">[examples, features] or [examples, ...the network's input shape], already normalized</param>
    public static IReadOnlyList<GradCheckRow> Run(Sequential network, Tensor x, int[] labels, double l2 = 0, double eps = 1e-2)
    {
        if (AllLayers(network.Layers).Any(l => l is Dropout))
            throw new FcnLabException("gradcheck needs a deterministic forward pass: use --dropout 0, or leave dropout out of --arch.");
        // Flat rows in, as the data sets hand them over; walked layer by layer below, so viewed here as
        // the network's samples ([batch, channels, height, width] for a convolutional one).
        if (x.Rank != network.InputShape.Length + 1) x = x.Reshape([x.Rows, .. network.InputShape]);
        var loss = new SoftmaxCrossEntropy();
        var parameters = network.Parameters;

        // E(w) for the current weights; records where the function may have kinks into probe when given.
        double Objective(KinkProbe? probe)
        {
            double e = loss.Forward(Forward(network, x, probe), labels);
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
        var plus = new KinkProbe();
        var minus = new KinkProbe();
        int linears = network.Layers.Count(l => l is Linear), linear = 0, conv = 0, norm = 0, block = 0;
        foreach (var layer in network.Layers)
        {
            if (layer.Parameters.Count == 0) continue;
            // The numpy study's names for dense layers; the others counted by kind.
            string layerName = layer switch
            {
                Linear => ++linear == linears ? "Output layer" : $"Hidden layer {linear}",
                Conv2d => $"Conv layer {++conv}",
                BatchNormBase => $"Batch norm {++norm}",
                Residual => $"Res block {++block}",
                _ => layer.Describe(),
            };
            // A block's parameters by their names in it ("body.0.weight"), every one of them (both branches).
            foreach (var (name, p) in layer.NamedParameters)
            {
                foreach (int index in new[] { 0, p.Length / 2, p.Length - 1 }.Distinct())
                {
                    int flat = p.Offset + index;
                    float original = parameters.Values[flat];
                    parameters.Values[flat] = (float)(original + eps);
                    double ePlus = Objective(plus);
                    parameters.Values[flat] = (float)(original - eps);
                    double eMinus = Objective(minus);
                    parameters.Values[flat] = original;

                    bool kink = plus.Differs(minus);
                    double approx = (ePlus - eMinus) / (2 * eps);
                    double grad = analytic[flat];
                    string what = $"{layerName} {name} [{ElementIndex(layer, p, index)}]";
                    rows.Add(new GradCheckRow(what, grad, approx, kink, kink || Math.Abs(grad - approx) <= eps * eps));
                }
            }
        }
        return rows;
    }

    /// <summary>The element's index in PyTorch's layout: Linear weights [out, in] (FcnLab stores [in, out]), the rest as stored.</summary>
    private static string ElementIndex(Layer layer, Parameter p, int index)
    {
        if (layer is Linear l && p.Shape.Length == 2)
            return $"{index % l.OutFeatures},{index / l.OutFeatures}";
        var at = new int[p.Shape.Length];
        for (int d = p.Shape.Length - 1, rest = index; d >= 0; d--)
        {
            at[d] = rest % p.Shape[d];
            rest /= p.Shape[d];
        }
        return string.Join(",", at);
    }

    /// <summary>Training-mode forward; when <paramref name="probe"/> is given, records where the function may have kinks.</summary>
    private static Tensor Forward(Sequential network, Tensor x, KinkProbe? probe)
    {
        probe?.Clear();
        var h = x;
        foreach (var layer in network.Layers)
        {
            if (probe != null && layer is ReLU or LeakyReLU) probe.ActivationInputs.Add(h.ToArray());
            h = layer.Forward(h, training: true);
            if (probe != null && layer is MaxPool2d pool) probe.PoolWinners.Add(pool.LastArgmax.ToArray());
            if (probe != null && layer is Residual block) probe.Record(block);
        }
        return h;
    }

    /// <summary>The layers and, for res blocks, the layers inside them (depth first).</summary>
    private static IEnumerable<Layer> AllLayers(IEnumerable<Layer> layers) =>
        layers.SelectMany(l => l is Residual block ? AllLayers(block.Parts().Select(p => p.Layer)).Prepend(l) : [l]);

    /// <summary>The inputs of every ReLU-family activation and the winners of every max-pool window in one forward pass.</summary>
    private sealed class KinkProbe
    {
        public List<float[]> ActivationInputs { get; } = [];
        public List<int[]> PoolWinners { get; } = [];

        /// <summary>The kinks inside a block that has just run forward: its activations' inputs, its max pools' winners.</summary>
        public void Record(Residual block)
        {
            foreach (var layer in AllLayers(block.Parts().Select(p => p.Layer)))
            {
                if (layer is ReLU or LeakyReLU) ActivationInputs.Add(((ElementwiseLayer)layer).LastInput!.ToArray());
                if (layer is MaxPool2d pool) PoolWinners.Add(pool.LastArgmax.ToArray());
            }
        }

        public void Clear()
        {
            ActivationInputs.Clear();
            PoolWinners.Clear();
        }

        /// <summary>True when an activation input changed sign or a pool window changed its winner between the two passes.</summary>
        public bool Differs(KinkProbe other)
        {
            for (int l = 0; l < ActivationInputs.Count; l++)
                for (int i = 0; i < ActivationInputs[l].Length; i++)
                    if (ActivationInputs[l][i] > 0 != other.ActivationInputs[l][i] > 0) return true;
            for (int l = 0; l < PoolWinners.Count; l++)
                if (!PoolWinners[l].AsSpan().SequenceEqual(other.PoolWinners[l])) return true;
            return false;
        }
    }
}
