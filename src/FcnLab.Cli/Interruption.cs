using System.Runtime.InteropServices;

namespace FcnLab.Cli;

/// <summary>
/// While a command trains: Ctrl-C (and SIGTERM where asked, as a batch system or Kubernetes sends it) cancels a token
/// instead of ending the process, so the run finishes its step, saves its checkpoint and is recorded interrupted; the
/// command then exits 130. Dispose it when the command ends.
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly ConsoleCancelEventHandler _onCtrlC;
    private readonly PosixSignalRegistration? _onTerm;

    /// <param name="external">Cancels as Ctrl-C does (tests use it).</param>
    public Interruption(CancellationToken external = default, bool sigterm = false)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(external);
        var cancel = _cancel;
        _onCtrlC = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += _onCtrlC;
        if (sigterm) _onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            cancel.Cancel();
        });
    }

    public CancellationToken Token => _cancel.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= _onCtrlC;
        _onTerm?.Dispose();
        _cancel.Dispose();
    }
}
