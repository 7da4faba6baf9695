using Spectre.Console;

namespace FcnLab.Cli;

/// <summary>The terminal's live progress bars (description, bar, percentage, time left), cleared when the work ends.</summary>
public static class LiveProgress
{
    /// <summary>True when progress goes to an interactive terminal (stdout is the console, not redirected).</summary>
    public static bool IsTerminal(TextWriter stdout) => ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;

    public static T Run<T>(Func<ProgressContext, T> work)
    {
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx => result = work(ctx));
        return result;
    }
}
