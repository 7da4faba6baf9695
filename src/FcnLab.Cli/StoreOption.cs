using System.CommandLine;
using FcnLab.Lab.Store;

namespace FcnLab.Cli;

/// <summary>--store, taken by every command that reads or writes the run store.</summary>
public static class StoreOption
{
    public static Option<string> Create() => new("--store")
    {
        Description = $"Run store: a SQLite file. Default: ${RunStores.EnvironmentVariable}, else {RunStores.DefaultLocation}.",
        HelpName = "path",
    };
}
