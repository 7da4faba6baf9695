using System.Diagnostics;
using System.Text;

namespace FcnLab.Cli.Tests;

/// <summary>`fcnlab` as a child process (the build beside the tests), its output collected as it comes.</summary>
public sealed class FcnlabProcess : IDisposable
{
    private readonly StringBuilder _output = new();

    public Process Process { get; }

    public FcnlabProcess(params string[] args) : this(args, workingDirectory: null)
    {
    }

    /// <summary>The fcnlab executable the tests run (the build beside them).</summary>
    public static string Executable => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "fcnlab.exe" : "fcnlab");

    /// <param name="workingDirectory">Where it runs (null: the tests' own working directory).</param>
    /// <param name="asNobody">Run it as user nobody (uid and gid 65534, through setpriv, which needs root): file modes then apply, as they do not to root.</param>
    public FcnlabProcess(string[] args, string? workingDirectory, bool asNobody = false)
    {
        // Through env --default-signal: a test host started under nohup (or by a CI runner that ignores SIGHUP) passes an
        // ignored SIGHUP on to its children, and .NET leaves a signal ignored at start ignored; fcnlab is then tested as
        // run from a terminal. setpriv and env execute the next program in their own process (no fork), so Id and
        // signals are fcnlab's.
        var start = new ProcessStartInfo(asNobody ? "setpriv" : "env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory != null) start.WorkingDirectory = workingDirectory;
        if (asNobody) foreach (var a in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", "--", "env"]) start.ArgumentList.Add(a);
        foreach (var a in (string[])["--default-signal=HUP,INT,TERM", Executable]) start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        Process = Process.Start(start)!;
        Id = Process.Id;
        Process.OutputDataReceived += (_, e) => Append(e.Data);
        Process.ErrorDataReceived += (_, e) => Append(e.Data);
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public int Id { get; }

    /// <summary>Set once the process has exited (through <see cref="WaitForExit"/> or <see cref="Kill"/>).</summary>
    public int? ExitCode { get; private set; }

    /// <summary>stdout and stderr so far, interleaved as they came.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line == null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>Waits for the exit (and the last of its output); false on timeout.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!Process.WaitForExit(timeout)) return false;
        Process.WaitForExit(); // drains the redirected output
        ExitCode = Process.ExitCode;
        return true;
    }

    /// <summary>SIGKILL: no handler runs, nothing is flushed or released.</summary>
    public void Kill()
    {
        Process.Kill(entireProcessTree: true);
        Process.WaitForExit();
        ExitCode = Process.ExitCode;
    }

    public void Dispose()
    {
        if (ExitCode == null && !Process.HasExited) Kill();
        Process.Dispose();
    }
}
