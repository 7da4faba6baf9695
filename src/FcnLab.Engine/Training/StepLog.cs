using System.Globalization;
using System.Text;
using FcnLab.Engine.IO;

namespace FcnLab.Engine.Training;

/// <summary>
/// The run directory's steps.csv: every training step's mean batch loss (what the step minimized:
/// cross-entropy plus --l2's penalty) and learning rate, as Lightning logs train_loss per step. Kept
/// in arrays made once per epoch, so recording a step allocates nothing; the file is rewritten
/// atomically whenever the run saves its state, and a resumed run takes up the rows up to its
/// checkpoint, so its steps.csv equals an uninterrupted run's.
/// </summary>
internal sealed class StepLog
{
    public const string FileName = "steps.csv";
    private const string Header = "epoch,step,loss,lr";

    // Per epoch (epochs in order, from _firstEpoch): the losses and rates of its steps, and how many are recorded.
    private readonly List<double[]> _losses = [];
    private readonly List<double[]> _lrs = [];
    private readonly List<int> _counts = [];
    // The first step recorded of each epoch (0-based): 0, but for an epoch resumed from a damaged log.
    private readonly List<int> _starts = [];
    private int _firstEpoch = 1;

    /// <summary>Makes room for epoch <paramref name="epoch"/>'s <paramref name="steps"/> steps (the next epoch after those logged).</summary>
    public void BeginEpoch(int epoch, int steps)
    {
        if (_counts.Count == 0) _firstEpoch = epoch;
        if (epoch != _firstEpoch + _counts.Count)
            throw new InvalidOperationException($"Step log: epoch {epoch} begun after epoch {_firstEpoch + _counts.Count - 1}.");
        _losses.Add(new double[steps]);
        _lrs.Add(new double[steps]);
        _counts.Add(0);
        _starts.Add(0);
    }

    /// <summary>Records step <paramref name="step"/> (1-based) of the epoch begun last.</summary>
    public void Record(int step, double loss, double lr)
    {
        int e = _counts.Count - 1;
        _losses[e][step - 1] = loss;
        _lrs[e][step - 1] = lr;
        _counts[e] = step;
    }

    public void Write(string runDir)
    {
        var sb = new StringBuilder(Header).Append('\n');
        for (int e = 0; e < _counts.Count; e++)
        {
            int epoch = _firstEpoch + e;
            for (int s = _starts[e]; s < _counts[e]; s++)
                sb.Append(CultureInfo.InvariantCulture, $"{epoch},{s + 1},{_losses[e][s].ToString("R", CultureInfo.InvariantCulture)},{_lrs[e][s].ToString("R", CultureInfo.InvariantCulture)}\n");
        }
        AtomicFile.WriteAllText(Path.Combine(runDir, FileName), sb.ToString());
    }

    /// <summary>
    /// The log of a run resumed after <paramref name="epochsDone"/> epochs and, when <paramref name="inEpoch"/>,
    /// <paramref name="stepsDone"/> steps of the next, each epoch <paramref name="steps"/> steps: the rows of runDir's steps.csv up to
    /// there (rows after it were written by steps the checkpoint does not hold, and are redone). When the
    /// file lacks some of them (deleted, damaged), <paramref name="note"/> says so and the log starts at
    /// the resume point.
    /// </summary>
    public static StepLog Resume(string runDir, int epochsDone, bool inEpoch, int stepsDone, int steps, out string? note)
    {
        note = null;
        var log = new StepLog();
        string path = Path.Combine(runDir, FileName);
        string[] lines = File.Exists(path) ? File.ReadAllLines(path) : [];
        int needed = epochsDone * steps + stepsDone;
        if (ReadRows(lines, needed, steps) is not { } rows)
        {
            note = $"{path} is missing or does not hold the {needed} steps before the checkpoint; the resumed run's step log starts at epoch {epochsDone + 1}, step {stepsDone + 1}.";
            log._firstEpoch = epochsDone + 1;
            if (inEpoch)
            {
                // The epoch in progress is logged from its resume point on; its earlier steps are unknown.
                log.BeginEpoch(epochsDone + 1, steps);
                log._counts[0] = log._starts[0] = stepsDone;
            }
            return log;
        }
        for (int i = 0; i < needed; i++)
        {
            int epoch = i / steps + 1, step = i % steps + 1;
            if (step == 1) log.BeginEpoch(epoch, steps);
            log.Record(step, rows[i].Loss, rows[i].Lr);
        }
        // An epoch begun (its rows shuffled) but without a step done yet.
        if (inEpoch && stepsDone == 0) log.BeginEpoch(epochsDone + 1, steps);
        return log;
    }

    /// <summary>The first <paramref name="needed"/> rows if they are there, in order (epoch e, step s, ... each epoch <paramref name="steps"/> steps); else null.</summary>
    private static (double Loss, double Lr)[]? ReadRows(string[] lines, int needed, int steps)
    {
        if (lines.Length == 0 || lines[0] != Header || lines.Length - 1 < needed) return null;
        var rows = new (double, double)[needed];
        for (int i = 0; i < needed; i++)
        {
            var parts = lines[i + 1].Split(',');
            if (parts.Length != 4
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch) || epoch != i / steps + 1
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int step) || step != i % steps + 1
                || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double loss)
                || !double.TryParse(parts[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double lr))
                return null;
            rows[i] = (loss, lr);
        }
        return rows;
    }
}
