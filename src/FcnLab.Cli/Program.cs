using FcnLab.Engine.IO;

namespace FcnLab.Cli;

public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses and runs a command; the only place library exceptions become exit codes.</summary>
    /// <param name="cancel">Acts as Ctrl-C does (tests use it; the console's Ctrl-C is handled by the commands).</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancel = default)
    {
        var root = new RootCommand("FcnLab: train and study neural networks on small image data sets.")
        {
            TrainCommand.Create(stdout, stderr, cancel),
            EvalCommand.Create(stdout, stderr),
            PredictCommand.Create(stdout, stderr),
            GradcheckCommand.Create(stdout, stderr),
            BenchCommand.Create(stdout, stderr),
            SummaryCommand.Create(stdout, stderr),
            SweepCommand.Create(stdout, stderr),
            WorkerCommand.Create(stdout, stderr),
            StatusCommand.Create(stdout, stderr),
            BenchStoreCommand.Create(stdout, stderr),
            RunsCommand.Create(stdout, stderr),
            ShowCommand.Create(stdout, stderr),
            ReportCommand.Create(stdout, stderr),
            ReproduceCommand.Create(stdout, stderr),
            ExportCommand.Create(stdout, stderr),
            ImportCommand.Create(stdout, stderr),
            ServeCommand.Create(stdout, stderr, cancel),
            BenchDashboardCommand.Create(stdout, stderr),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) stderr.WriteLine($"error: {Explain(error.Message, parse, args)}");
            stderr.WriteLine("Run 'fcnlab --help' or 'fcnlab COMMAND --help' for usage.");
            return ExitCodes.BadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (FcnLabException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("Interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (FileFault.Is(e))
        {
            // A read or write the library did not attribute to a path of its own: still one line, no stack trace.
            stderr.WriteLine($"error: {FileFault.Unattributed(e)}");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>
    /// A value after a switch (--batch-norm maybe) is only "an unrecognized argument" to System.CommandLine;
    /// name the switch and what it takes instead.
    /// </summary>
    private static string Explain(string message, ParseResult parse, string[] args)
    {
        foreach (string token in parse.UnmatchedTokens)
        {
            if (message != $"Unrecognized command or argument '{token}'.") continue;
            for (int i = 0; i < args.Length; i++)
            {
                // "--switch value" or "--switch=value".
                string? flag = args[i] == token && i > 0 ? args[i - 1]
                    : args[i].EndsWith("=" + token, StringComparison.Ordinal) ? args[i][..^(token.Length + 1)]
                    : null;
                if (flag != null && parse.CommandResult.Command.Options.Any(o => o is Option<bool> && (o.Name == flag || o.Aliases.Contains(flag))))
                    return $"{flag} is a switch and takes no value (got '{token}'): give {flag} alone to turn it on.";
            }
        }
        return message;
    }
}
