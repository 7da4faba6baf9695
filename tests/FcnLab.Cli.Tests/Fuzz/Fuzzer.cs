using System.Diagnostics;
using System.Globalization;
using FcnLab.Engine;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace FcnLab.Cli.Tests.Fuzz;

/// <summary>
/// Runs one format's fuzz property with FsCheck: each case is a <see cref="MutationPlan"/> applied to
/// valid bytes, and parsing the result must either succeed or throw <see cref="FcnLabException"/>. Any
/// other exception, a case slower than <see cref="CaseTimeLimit"/> (a hang) or one allocating more than
/// <see cref="AllocationLimit"/> (a length read from the input and trusted) fails the test with FsCheck's
/// report: the seed, the case number, the plan and the plan shrunk to the edits that matter.
/// <para>
/// FCNLAB_FUZZ_CASES sets the cases per format (default <see cref="DefaultCases"/>, what CI runs);
/// FCNLAB_FUZZ_SEED sets the seed (default <see cref="DefaultSeed"/>, so CI is repeatable).
/// </para>
/// </summary>
public static class Fuzzer
{
    public const int DefaultCases = 300;
    public const ulong DefaultSeed = 20251123;

    /// <summary>No parse of a few-KB input takes this long unless it loops.</summary>
    public static readonly TimeSpan CaseTimeLimit = TimeSpan.FromSeconds(5);

    /// <summary>Far above what a parse of a few-KB input needs, far below what a trusted 2^31 length asks for.</summary>
    public const long AllocationLimit = 64L << 20;

    public static int Cases => Environment.GetEnvironmentVariable("FCNLAB_FUZZ_CASES") is { Length: > 0 } s
        ? int.Parse(s, CultureInfo.InvariantCulture)
        : DefaultCases;

    public static ulong Seed => Environment.GetEnvironmentVariable("FCNLAB_FUZZ_SEED") is { Length: > 0 } s
        ? ulong.Parse(s, CultureInfo.InvariantCulture)
        : DefaultSeed;

    /// <summary>
    /// Checks that <paramref name="parse"/> only ever throws <see cref="FcnLabException"/> on the cases
    /// <paramref name="cases"/> generates (<paramref name="shrink"/> makes a failing case smaller).
    /// Returns what happened, for the test's output.
    /// </summary>
    public static FuzzStats Check<T>(string format, Gen<T> cases, Func<T, IEnumerable<T>> shrink, Action<T> parse)
    {
        var stats = new FuzzStats(format);
        var clock = Stopwatch.StartNew();
        var property = Prop.ForAll(Arb.From(cases, shrink), (T c) =>
        {
            stats.Cases++;
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var caseClock = Stopwatch.StartNew();
            try
            {
                parse(c);
                stats.Accepted++;
            }
            catch (FcnLabException)
            {
                stats.Refused++;
            }
            // Any other exception escapes to FsCheck, which reports it with the case.
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            if (allocated > AllocationLimit)
                throw new FuzzFailure($"{format}: parsing allocated {allocated:N0} bytes (limit {AllocationLimit:N0}): a length from the input was trusted before it was checked.");
            if (caseClock.Elapsed > CaseTimeLimit)
                throw new FuzzFailure($"{format}: parsing took {caseClock.Elapsed.TotalSeconds:F1} s (limit {CaseTimeLimit.TotalSeconds} s): it hangs or loops on this input.");
        });
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(Cases)
            .WithName(format)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(Seed, 0x9E3779B97F4A7C15), null)));
        try
        {
            FsCheck.Check.One(config, property);
        }
        catch (Exception e)
        {
            // FsCheck's message has the case number, the replay seed and the plan, original and shrunk.
            throw new FuzzFailure($"Fuzzing {format} with FCNLAB_FUZZ_SEED={Seed} failed:\n{e.Message}");
        }
        stats.Seconds = clock.Elapsed.TotalSeconds;
        return stats;
    }

    /// <summary><see cref="Check"/> for a single input and plans of the given edits.</summary>
    public static FuzzStats Check(string format, byte[] input, Gen<Mutation> edit, Action<byte[]> parse) =>
        Check(format, MutationPlan.Of(edit), plan => plan.Shrink(), (MutationPlan plan) => parse(plan.Apply(input)));
}

/// <summary>A fuzz property that does not hold (with everything needed to reproduce it in the message).</summary>
public sealed class FuzzFailure(string message) : Exception(message);

/// <summary>What one format's run did: cases, how many parsed and how many were refused, and the time.</summary>
public sealed class FuzzStats(string format)
{
    public string Format { get; } = format;
    public int Cases { get; set; }
    public int Accepted { get; set; }
    public int Refused { get; set; }
    public double Seconds { get; set; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"fuzz {Format}: {Cases} cases (seed {Fuzzer.Seed}), {Accepted} parsed, {Refused} refused with FcnLabException, 0 other exceptions, {Seconds:F1} s");
}
