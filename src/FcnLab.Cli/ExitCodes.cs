namespace FcnLab.Cli;

/// <summary>The exit codes every command keeps (DESIGN.md, "Contracts").</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int CheckFailed = 1;
    public const int BadInput = 2;
    public const int Diverged = 3;
    public const int TrialsFailed = 4;
    public const int Interrupted = 130;
}
