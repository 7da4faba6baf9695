using System.Diagnostics;
using FcnLab.Lab.Store;

namespace FcnLab.Lab.Runs;

/// <summary>
/// The training thread's side of progress publishing: each step writes the latest position into a few fields
/// under a lock (no allocation, no store); the publisher takes the position and the loss window since its last
/// take. The observer reports the epoch's running mean loss R(k) after step k, so the mean loss of steps j+1..k
/// is (k R(k) - j R(j)) / (k - j): exact while the batches are equal (all but an epoch's last may be smaller).
/// </summary>
internal sealed class ProgressTracker
{
    private readonly object _gate = new();
    private int _epoch, _epochs, _step, _steps;
    private double _runningLoss;
    // This attempt's pace: how many steps it has seen, and the times of its first and latest.
    private long _seen, _firstAt, _lastAt;
    // Where the window ends that was taken last: its epoch, step and the epoch's loss sum up to it (k R(k)).
    private int _windowEpoch, _windowStep;
    private double _windowSum;
    private bool _taken;

    /// <summary>Records step <paramref name="step"/> of <paramref name="steps"/> of epoch <paramref name="epoch"/> of <paramref name="epochs"/>.</summary>
    public void Step(int epoch, int epochs, int step, int steps, double runningLoss, long timestamp)
    {
        lock (_gate)
        {
            if (epoch != _windowEpoch)
            {
                // The first step seen of this epoch: from step 1 the window holds it; an epoch resumed midway
                // starts its first window after it (the loss of the steps before it is not known here).
                _windowEpoch = epoch;
                (_windowStep, _windowSum) = step == 1 ? (0, 0.0) : (step, runningLoss * step);
            }
            (_epoch, _epochs, _step, _steps, _runningLoss, _lastAt) = (epoch, epochs, step, steps, runningLoss, timestamp);
            if (_seen++ == 0) _firstAt = timestamp;
        }
    }

    /// <summary>
    /// The position now and the mean loss of the steps since the last take (null when there are none), moving the
    /// window on; false when no step is new since the last take, or none was seen yet. <paramref name="first"/> is
    /// true on this attempt's first take.
    /// </summary>
    public bool TryTake(out ProgressPosition position, out LossWindow? window, out bool first)
    {
        lock (_gate)
        {
            bool fresh = _epoch == _windowEpoch && _step > _windowStep;
            if (_seen == 0 || (_taken && !fresh))
            {
                (position, window, first) = (null!, null, false);
                return false;
            }
            double? pace = _seen > 1 && _lastAt > _firstAt ? (_seen - 1) / Stopwatch.GetElapsedTime(_firstAt, _lastAt).TotalSeconds : null;
            position = new ProgressPosition(_epoch, _epochs, _step, _steps, _runningLoss, pace);
            window = fresh ? new LossWindow(_epoch, _step, _step - _windowStep, (_runningLoss * _step - _windowSum) / (_step - _windowStep)) : null;
            (_windowStep, _windowSum) = (_step, _runningLoss * _step);
            first = !_taken;
            _taken = true;
            return true;
        }
    }
}
