using System.Text.Json.Serialization;
using FcnLab.Engine.Layers;

namespace FcnLab.Engine.Training;

/// <summary>
/// Early stopping (--patience) and --restore-best: the best validation loss so far, the epochs since it,
/// and the weights (parameters and batch-norm buffers) of that best epoch. Part of a run's
/// <see cref="TrainingState"/>: the two numbers travel in the checkpoint's JSON, the best weights as its
/// "best/..." tensors.
/// </summary>
public sealed class EarlyStopping
{
    private readonly List<float[]> _bestBuffers = [];

    /// <summary>The lowest validation loss so far (+infinity before the first).</summary>
    public double BestValLoss { get; set; } = double.PositiveInfinity;

    /// <summary>Epochs since <see cref="BestValLoss"/> improved (counted only under --patience).</summary>
    public int EpochsSinceBest { get; set; }

    /// <summary>The parameters of the best epoch; null until one is kept.</summary>
    [JsonIgnore]
    public float[]? BestParameters { get; private set; }

    /// <summary>
    /// Records an epoch's validation loss; keeps the network's weights when it is the best so far and
    /// <paramref name="keepBest"/>. Returns true when the run should stop: <paramref name="patience"/>
    /// epochs without improvement.
    /// </summary>
    public bool EpochEnded(double valLoss, int? patience, Sequential network, bool keepBest)
    {
        if (valLoss < BestValLoss)
        {
            BestValLoss = valLoss;
            EpochsSinceBest = 0;
            if (keepBest) KeepBest(network);
            return false;
        }
        return patience is { } p && ++EpochsSinceBest >= p;
    }

    /// <summary>Puts the best epoch's weights into <paramref name="network"/>; false when none was kept.</summary>
    public bool RestoreBest(Sequential network)
    {
        if (BestParameters == null) return false;
        BestParameters.CopyTo(network.Parameters.Values.Span);
        int i = 0;
        foreach (var (_, value) in network.Buffers()) _bestBuffers[i++].CopyTo(value.Span);
        return true;
    }

    /// <summary>
    /// The best weights as named tensors, "best/parameters" and "best/buffer/{layer}.{name}", once there
    /// are any: the checkpoint writes them and a resume fills them (see <see cref="Allocate"/>).
    /// </summary>
    public IEnumerable<(string Name, Memory<float> Values)> Tensors(Sequential network)
    {
        if (BestParameters == null) yield break;
        yield return ("best/parameters", BestParameters);
        int i = 0;
        foreach (var (name, _) in network.Buffers()) yield return ($"best/buffer/{name}", _bestBuffers[i++]);
    }

    /// <summary>Makes room for best weights of <paramref name="network"/>'s shapes (a resume whose checkpoint holds some).</summary>
    public void Allocate(Sequential network)
    {
        BestParameters ??= new float[network.Parameters.Count];
        int i = 0;
        foreach (var (_, value) in network.Buffers())
            if (_bestBuffers.Count <= i++) _bestBuffers.Add(new float[value.Length]);
    }

    private void KeepBest(Sequential network)
    {
        Allocate(network);
        network.Parameters.Values.Span.CopyTo(BestParameters);
        int i = 0;
        foreach (var (_, value) in network.Buffers()) value.Span.CopyTo(_bestBuffers[i++]);
    }
}
