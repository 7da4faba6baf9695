using System.Diagnostics;
using FcnLab.Lab.Runs;
using FcnLab.Lab.Store;

namespace FcnLab.Lab.Tests.Runs;

public class ProgressTrackerTests
{
    /// <summary>Feeds steps <paramref name="from"/>..<paramref name="to"/> of an epoch whose step k has loss losses[k-1], as the trainer reports them: the running mean.</summary>
    private static void Feed(ProgressTracker tracker, int epoch, double[] losses, int from, int to, long timestamp = 0)
    {
        for (int k = from; k <= to; k++)
            tracker.Step(epoch, 3, k, losses.Length, losses[..k].Average(), timestamp);
    }

    [Fact]
    public void Windows_AreTheMeanLossOfTheStepsBetweenTwoTakes()
    {
        double[] losses = [2.5, 2.0, 1.75, 1.5, 1.25, 1.0, 0.875, 0.75, 0.625, 0.5];
        var tracker = new ProgressTracker();
        Assert.False(tracker.TryTake(out _, out _, out _));

        Feed(tracker, 1, losses, 1, 4);
        Assert.True(tracker.TryTake(out var position, out var window, out bool first));
        Assert.True(first);
        Assert.Equal((1, 3, 4, 10), (position.Epoch, position.Epochs, position.Step, position.Steps));
        Assert.Equal(losses[..4].Average(), position.RunningLoss, 12);
        Assert.Equal((1, 4, 4), (window!.Value.Epoch, window.Value.Step, window.Value.Steps));
        Assert.Equal(losses[..4].Average(), window.Value.Loss, 12);

        // Nothing new: nothing to publish.
        Assert.False(tracker.TryTake(out _, out _, out _));

        Feed(tracker, 1, losses, 5, 10);
        Assert.True(tracker.TryTake(out position, out window, out first));
        Assert.False(first);
        Assert.Equal((1, 10, 6), (window!.Value.Epoch, window.Value.Step, window.Value.Steps));
        Assert.Equal(losses[4..].Average(), window.Value.Loss, 12);
        Assert.Equal(10, position.Step);

        // The next epoch's windows start at its first step.
        Feed(tracker, 2, losses, 1, 3);
        Assert.True(tracker.TryTake(out position, out window, out _));
        Assert.Equal((2, 3, 3), (window!.Value.Epoch, window.Value.Step, window.Value.Steps));
        Assert.Equal(losses[..3].Average(), window.Value.Loss, 12);
        Assert.Equal(17, position.StepsLeft); // the rest of epoch 2 and all of epoch 3
    }

    [Fact]
    public void AnEpochResumedMidway_StartsItsFirstWindowAfterItsFirstStep()
    {
        double[] losses = [2.5, 2.0, 1.75, 1.5, 1.25, 1.0, 0.875, 0.75, 0.625, 0.5];
        var tracker = new ProgressTracker();
        Feed(tracker, 2, losses, 5, 5);
        // The first take of the attempt: its position, but no loss window (the steps before step 5 are not known here).
        Assert.True(tracker.TryTake(out var position, out var window, out bool first));
        Assert.True(first);
        Assert.Null(window);
        Assert.Equal((2, 5), (position.Epoch, position.Step));

        Feed(tracker, 2, losses, 6, 8);
        Assert.True(tracker.TryTake(out _, out window, out _));
        Assert.Equal((2, 8, 3), (window!.Value.Epoch, window.Value.Step, window.Value.Steps));
        Assert.Equal(losses[5..8].Average(), window.Value.Loss, 12);
    }

    [Fact]
    public void ThePace_IsStepsPerSecondSinceTheAttemptsFirstStep()
    {
        double[] losses = [1, 1, 1, 1, 1];
        var tracker = new ProgressTracker();
        long t0 = Stopwatch.GetTimestamp();
        tracker.Step(1, 1, 1, 5, 1.0, t0);
        Assert.True(tracker.TryTake(out var position, out _, out _));
        Assert.Null(position.StepsPerSecond);
        Assert.Null(position.Remaining);
        for (int k = 2; k <= 5; k++) tracker.Step(1, 1, k, 5, 1.0, t0 + (k - 1) * Stopwatch.Frequency / 2);
        Assert.True(tracker.TryTake(out position, out _, out _));
        Assert.Equal(2.0, position.StepsPerSecond!.Value, 9);
        Assert.Equal(TimeSpan.Zero, position.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(5), new ProgressPosition(1, 2, 0, 5, 1.0, 2.0).Remaining);
    }

    [Fact]
    public void AStep_AllocatesNothing()
    {
        var tracker = new ProgressTracker();
        tracker.Step(1, 3, 1, 100_000, 1.0, 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 2; k <= 10_000; k++) tracker.Step(1, 3, k, 100_000, 1.0 / k, k);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
