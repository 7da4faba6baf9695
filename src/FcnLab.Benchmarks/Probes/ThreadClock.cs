using System.Runtime.InteropServices;

namespace FcnLab.Benchmarks.Probes;

/// <summary>
/// CPU time of the calling thread (Linux clock_gettime(CLOCK_THREAD_CPUTIME_ID), nanosecond
/// resolution), in milliseconds: on a shared, busy machine the wall-clock time of single-threaded
/// work mostly measures the other processes; its CPU time does not.
/// </summary>
public static partial class ThreadClock
{
    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds, Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int clock_gettime(int clock, out TimeSpec time);

    public static bool Available { get; } = OperatingSystem.IsLinux();

    public static double Milliseconds() =>
        Available && clock_gettime(ClockThreadCpuTime, out var t) == 0 ? t.Seconds * 1e3 + t.Nanoseconds / 1e6 : double.NaN;
}
