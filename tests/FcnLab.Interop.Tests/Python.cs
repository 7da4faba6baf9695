using System.Diagnostics;

namespace FcnLab.Interop.Tests;

/// <summary>
/// Runs Debian's python3 (with python3-torch, python3-onnx and numpy, which .ci/run installs) on a
/// script, to check FcnLab's exports against the tools users load them into. Never a dependency of
/// FcnLab itself.
/// </summary>
public static class Python
{
    public const string Executable = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> (Python source) with <paramref name="args"/>; returns its stdout, fails the test on a non-zero exit.</summary>
    public static string Run(string script, params string[] args)
    {
        string dir = Directory.CreateTempSubdirectory("fcnlab-py-").FullName;
        try
        {
            string path = Path.Combine(dir, "check.py");
            File.WriteAllText(path, script);
            var start = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(path);
            foreach (var a in args) start.ArgumentList.Add(a);
            // One thread: the checks are tiny, and the test run has the cores busy already.
            start.Environment["OMP_NUM_THREADS"] = "1";
            start.Environment["OPENBLAS_NUM_THREADS"] = "1";
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"python3 {string.Join(' ', args)} did not finish in 5 minutes.");
            }
            Assert.True(process.ExitCode == 0,
                $"python3 exited with {process.ExitCode} (is python3-torch / python3-onnx installed? .ci/run installs them).\nstdout:\n{stdout.Result}\nstderr:\n{stderr.Result}");
            return stdout.Result;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
