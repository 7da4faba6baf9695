using System.Diagnostics;
using Spectre.Console;

namespace FcnLab.Cli;

/// <summary>A live progress bar (steps/s, running loss) for a terminal, with a line per finished epoch above it.</summary>
public sealed class LiveObserver(ProgressContext context, bool quietHeader = false) : ITrainingObserver
{
    private ProgressTask? _task;
    private readonly Stopwatch _clock = new();
    private long _lastRender;
    private int _epoch, _epochs;

    public void RunStarted(RunInfo info)
    {
        if (quietHeader) return;
        if (info.Summary != null) AnsiConsole.Write(new Text(info.Summary));
        else AnsiConsole.MarkupLineInterpolated($"[grey]model:[/] {info.Model}");
        AnsiConsole.MarkupLineInterpolated($"[grey]{info.Parameters:N0} parameters; train {info.TrainCount}, validation {info.ValCount}, test {info.TestCount}; {info.Threads} threads; data {info.DataDirectory}[/]");
    }

    public void EpochStarted(int epoch, int epochs, int steps)
    {
        (_epoch, _epochs) = (epoch, epochs);
        _task ??= context.AddTask("training", maxValue: steps);
        _task.MaxValue = steps;
        _task.Value = 0;
        _task.Description = $"epoch {epoch}/{epochs}";
        _clock.Restart();
        _lastRender = 0;
    }

    public void StepCompleted(int epoch, int step, int steps, double runningLoss)
    {
        // Throttled: the bar is refreshed a few times a second, not once per step.
        long now = _clock.ElapsedMilliseconds;
        if (now - _lastRender < 200 && step != steps) return;
        _lastRender = now;
        double rate = step / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        _task!.Value = step;
        _task.Description = string.Format(CultureInfo.InvariantCulture, "epoch {0}/{1}  loss {2:F4}  {3:F1} steps/s", _epoch, _epochs, runningLoss, rate);
    }

    public void EpochCompleted(EpochMetrics metrics, int epochs)
    {
        if (!quietHeader) AnsiConsole.WriteLine(Reporting.EpochLine(metrics, epochs));
    }

    public void Note(string message) => AnsiConsole.WriteLine(message);
}
