using System.Runtime.InteropServices;

namespace FcnLab.Cli;

/// <summary>
/// While a command trains: Ctrl-C, SIGTERM (what a batch system such as Slurm or Kubernetes sends before it kills) and
/// SIGHUP (the terminal closed) cancel a token instead of ending the process, so the run finishes its step, saves its
/// checkpoint and is recorded interrupted; the command then exits 130. A second one ends the process at once with 130:
/// files are replaced by rename, so the previous checkpoint is left whole. Dispose it when the command ends.
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly ConsoleCancelEventHandler _onCtrlC;
    private readonly PosixSignalRegistration[] _onSignals;
    private int _signals;

    /// <param name="external">Cancels as Ctrl-C does (tests use it).</param>
    /// <param name="stderr">Where the second signal's note goes.</param>
    public Interruption(TextWriter stderr, CancellationToken external = default)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(external);
        _onCtrlC = (_, e) =>
        {
            e.Cancel = true;
            Signalled(stderr);
        };
        Console.CancelKeyPress += _onCtrlC;
        _onSignals = OperatingSystem.IsWindows() ? [] :
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Signalled(stderr); }),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; Signalled(stderr); }),
        ];
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>The first signal asks the run to stop after its step; a second one stops the process now.</summary>
    private void Signalled(TextWriter stderr)
    {
        if (Interlocked.Increment(ref _signals) == 1)
        {
            _cancel.Cancel();
            return;
        }
        stderr.WriteLine("Stopped at once (a second interrupt): the last checkpoint saved is kept; continue from it as the first interrupt would have.");
        stderr.Flush();
        Environment.Exit(ExitCodes.Interrupted);
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= _onCtrlC;
        foreach (var registration in _onSignals) registration.Dispose();
        _cancel.Dispose();
    }
}
