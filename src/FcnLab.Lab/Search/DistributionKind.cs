namespace FcnLab.Lab.Search;

/// <summary>
/// How a search parameter's values are distributed, as a sweep spec's <c>space</c> block writes it
/// (<c>{log_uniform: [1e-5, 1e-1]}</c> etc.). The names match Optuna's: uniform and log_uniform are
/// <c>suggest_float(low, high, log=...)</c>, int and int_log are <c>suggest_int(low, high, log=...)</c>,
/// choice is <c>suggest_categorical</c>.
/// </summary>
public enum DistributionKind
{
    /// <summary>A real number in [low, high], uniform.</summary>
    Uniform,
    /// <summary>A real number in [low, high], 0 &lt; low, uniform in log(value).</summary>
    LogUniform,
    /// <summary>A whole number in [low, high], each equally likely.</summary>
    Int,
    /// <summary>A whole number in [low, high], 1 &lt;= low, uniform in log(value) (rounded).</summary>
    IntLog,
    /// <summary>One of a list of values (texts as the spec writes them), unordered.</summary>
    Choice,
}
