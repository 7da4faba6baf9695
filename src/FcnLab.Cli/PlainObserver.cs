namespace FcnLab.Cli;

/// <summary>One plain line per epoch: for redirected output (CI logs). Quiet prints nothing here.</summary>
public sealed class PlainObserver(TextWriter output, bool quiet) : ITrainingObserver
{
    public void RunStarted(RunInfo info)
    {
        if (quiet) return;
        if (info.Summary != null) output.Write(info.Summary);
        else output.WriteLine($"model: {info.Model}");
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0:N0} parameters; train {1}, validation {2}, test {3} examples; {4} steps per epoch; {5} threads; data {6}",
            info.Parameters, info.TrainCount, info.ValCount, info.TestCount, info.StepsPerEpoch, info.Threads, info.DataDirectory));
    }

    public void EpochCompleted(EpochMetrics metrics, int epochs)
    {
        if (!quiet) output.WriteLine(Reporting.EpochLine(metrics, epochs));
    }

    public void Note(string message)
    {
        if (!quiet) output.WriteLine(message);
    }
}
