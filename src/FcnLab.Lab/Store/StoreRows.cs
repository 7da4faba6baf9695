using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FcnLab.Engine;
using FcnLab.Engine.Training;
using FcnLab.Lab.Sweeps;

namespace FcnLab.Lab.Store;

/// <summary>
/// What the SQLite and PostgreSQL stores share: the trial columns, how a row becomes a <see cref="TrialRecord"/>,
/// and the JSON forms of a grid point and a confusion matrix. Both stores keep one row layout, so the same
/// results read back the same from either.
/// </summary>
internal static class StoreRows
{
    public const string TrialColumns = """
        run_id, trial_id, sweep, point, repeat, seed, config_json, run_dir, status, owner, heartbeat, attempts,
        created_at, started_at, finished_at, error,
        test_accuracy, test_loss, start_val_accuracy, best_val_accuracy, best_val_epoch, lowest_train_loss,
        lowest_train_loss_epoch, epochs_run, diverged_epoch, diverged_step, train_seconds, seconds_per_epoch, parameters
        """;

    public const string EpochColumns = "epoch, train_loss, train_accuracy, val_loss, val_accuracy, lr, seconds";

    /// <summary>Reads the trial at the reader's row; <paramref name="time"/> reads a time column (text in SQLite, timestamptz in PostgreSQL).</summary>
    public static TrialRecord ReadTrial(DbDataReader r, Func<DbDataReader, int, DateTime> time) => new()
    {
        RunId = r.GetInt64(r.GetOrdinal("run_id")),
        Definition = new TrialDefinition
        {
            TrialId = r.GetString(r.GetOrdinal("trial_id")),
            Sweep = NullableString(r, "sweep"),
            Point = ParsePoint(r.GetString(r.GetOrdinal("point"))),
            Repeat = r.GetInt32(r.GetOrdinal("repeat")),
            Seed = r.GetInt64(r.GetOrdinal("seed")),
            ConfigJson = r.GetString(r.GetOrdinal("config_json")),
            RunDir = r.GetString(r.GetOrdinal("run_dir")),
        },
        Status = ReadStatus(r),
        Owner = NullableString(r, "owner"),
        Heartbeat = NullableTime(r, "heartbeat", time),
        Attempts = r.GetInt32(r.GetOrdinal("attempts")),
        CreatedAt = time(r, r.GetOrdinal("created_at")),
        StartedAt = NullableTime(r, "started_at", time),
        FinishedAt = NullableTime(r, "finished_at", time),
        Error = NullableString(r, "error"),
        Summary = ReadSummary(r),
    };

    /// <summary>The summary columns of a trial that finished with results; null for any other status.</summary>
    public static RunSummary? ReadSummary(DbDataReader r)
    {
        var status = ReadStatus(r);
        if (!status.HasResults()) return null;
        return new RunSummary
        {
            Status = status,
            TestAccuracy = NullableDouble(r, r.GetOrdinal("test_accuracy")),
            TestLoss = NullableDouble(r, r.GetOrdinal("test_loss")),
            StartValAccuracy = NullableDouble(r, r.GetOrdinal("start_val_accuracy")),
            BestValAccuracy = NullableDouble(r, r.GetOrdinal("best_val_accuracy")),
            BestValEpoch = NullableInt(r, "best_val_epoch"),
            LowestTrainLoss = NullableDouble(r, r.GetOrdinal("lowest_train_loss")),
            LowestTrainLossEpoch = NullableInt(r, "lowest_train_loss_epoch"),
            EpochsRun = r.GetInt32(r.GetOrdinal("epochs_run")),
            DivergedEpoch = NullableInt(r, "diverged_epoch"),
            DivergedStep = NullableInt(r, "diverged_step"),
            TrainSeconds = RequiredDouble(r, r.GetOrdinal("train_seconds")),
            SecondsPerEpoch = RequiredDouble(r, r.GetOrdinal("seconds_per_epoch")),
            Parameters = r.GetInt64(r.GetOrdinal("parameters")),
            PruneReason = status == RunStatus.Pruned ? NullableString(r, "error") : null,
        };
    }

    /// <summary>The row's status column (the store's CHECK constraint admits only the statuses' strings).</summary>
    public static RunStatus ReadStatus(DbDataReader r) => RunStatusText.Parse(r.GetString(r.GetOrdinal("status")));

    /// <summary>One row of <see cref="EpochColumns"/>.</summary>
    public static EpochMetrics ReadEpoch(DbDataReader r) =>
        new(r.GetInt32(0), RequiredDouble(r, 1), RequiredDouble(r, 2), NullableDouble(r, 3), NullableDouble(r, 4), RequiredDouble(r, 5), RequiredDouble(r, 6));

    /// <summary>The parameters of an epoch row, named as <see cref="EpochColumns"/> with '@'.</summary>
    public static (string Name, object? Value)[] EpochParameters(long runId, EpochMetrics m) =>
    [
        ("@run_id", runId), ("@epoch", m.Epoch), ("@train_loss", m.TrainLoss), ("@train_accuracy", m.TrainAccuracy),
        ("@val_loss", m.ValLoss), ("@val_accuracy", m.ValAccuracy), ("@lr", m.Lr), ("@seconds", m.Seconds),
    ];

    /// <summary>The parameters of a completed trial's summary columns, named as the columns with '@'.</summary>
    public static (string Name, object? Value)[] OutcomeParameters(TrialOutcome outcome)
    {
        var s = outcome.Summary;
        if (!s.Status.HasResults())
            throw new ArgumentException($"A completed trial's summary status must be one with results (completed, early-stopped, diverged, pruned), not '{s.Status.ToText()}'.", nameof(outcome));
        return
        [
            ("@status", s.Status.ToText()), ("@test_accuracy", s.TestAccuracy), ("@test_loss", s.TestLoss),
            ("@start_val_accuracy", s.StartValAccuracy), ("@best_val_accuracy", s.BestValAccuracy), ("@best_val_epoch", s.BestValEpoch),
            ("@lowest_train_loss", s.LowestTrainLoss), ("@lowest_train_loss_epoch", s.LowestTrainLossEpoch),
            ("@epochs_run", s.EpochsRun), ("@diverged_epoch", s.DivergedEpoch), ("@diverged_step", s.DivergedStep),
            ("@train_seconds", s.TrainSeconds), ("@seconds_per_epoch", s.SecondsPerEpoch), ("@parameters", s.Parameters),
            ("@class_names", JsonSerializer.Serialize(outcome.ClassNames)), ("@confusion", ConfusionJson(outcome.Confusion)),
            // A pruned trial's reason goes in the error column, the trial's one note (see ARCHITECTURE.md, "A search in the store").
            ("@note", s.PruneReason),
        ];
    }

    /// <summary>The summary, confusion matrix and class names of a final trial's row (with class_names and confusion); null when it has no results.</summary>
    public static (RunSummary Summary, long[,]? Confusion, string[] ClassNames)? ReadOutcome(DbDataReader r, long runId, string location)
    {
        var summary = ReadSummary(r);
        if (summary == null) return null;
        string? classNames = NullableString(r, "class_names");
        var names = classNames == null ? [] : JsonSerializer.Deserialize<string[]>(classNames) ?? [];
        return (summary, ParseConfusion(NullableString(r, "confusion"), runId, location), names);
    }

    // A NaN is stored as NULL (SQLite has none, and PostgreSQL keeps the SQLite store's meaning). A field
    // that cannot be null therefore reads a NULL back as NaN; a nullable field reads it as null, as summary.json writes a NaN.
    public static double RequiredDouble(DbDataReader r, int i) => r.IsDBNull(i) ? double.NaN : r.GetDouble(i);

    public static double? NullableDouble(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    /// <summary>A parameter value as stored: null and NaN become NULL (see <see cref="RequiredDouble"/>).</summary>
    public static object DbValue(object? value) => value is null or double.NaN ? DBNull.Value : value;

    public static int? NullableInt(DbDataReader r, string column)
    {
        int i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetInt32(i);
    }

    public static string? NullableString(DbDataReader r, string column)
    {
        int i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetString(i);
    }

    private static DateTime? NullableTime(DbDataReader r, string column, Func<DbDataReader, int, DateTime> time)
    {
        int i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : time(r, i);
    }

    /// <summary>The grid point as an ordered JSON list of [name, value] pairs (an object would not promise order).</summary>
    public static string PointJson(IReadOnlyList<KeyValuePair<string, string>> point) =>
        JsonSerializer.Serialize(point.Select(p => new[] { p.Key, p.Value }));

    public static List<KeyValuePair<string, string>> ParsePoint(string json) =>
        (JsonSerializer.Deserialize<string[][]>(json) ?? []).Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList();

    /// <summary>The matrix as {"rows":R,"columns":C,"counts":[row-major]}: the shape survives even with no rows.</summary>
    public static string? ConfusionJson(long[,]? confusion)
    {
        if (confusion == null) return null;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"rows\":{confusion.GetLength(0)},\"columns\":{confusion.GetLength(1)},\"counts\":[");
        bool first = true;
        foreach (long count in confusion)
        {
            if (!first) sb.Append(',');
            sb.Append(count.ToString(CultureInfo.InvariantCulture));
            first = false;
        }
        return sb.Append("]}").ToString();
    }

    public static long[,]? ParseConfusion(string? json, long runId, string location)
    {
        if (json == null) return null;
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        int rows = root.GetProperty("rows").GetInt32(), columns = root.GetProperty("columns").GetInt32();
        var counts = root.GetProperty("counts");
        if (counts.GetArrayLength() != rows * columns)
            throw new FcnLabException($"The confusion matrix of run {runId.ToString(CultureInfo.InvariantCulture)} in the run store {location} is damaged ({counts.GetArrayLength().ToString(CultureInfo.InvariantCulture)} counts for {rows.ToString(CultureInfo.InvariantCulture)}x{columns.ToString(CultureInfo.InvariantCulture)}).");
        var matrix = new long[rows, columns];
        int k = 0;
        foreach (var c in counts.EnumerateArray())
        {
            matrix[k / columns, k % columns] = c.GetInt64();
            k++;
        }
        return matrix;
    }

    /// <summary>Why a trial whose holders kept stopping is failed rather than tried again.</summary>
    public static string AbandonedTooOften(TrialRecord t, int maxAttempts) =>
        string.Create(CultureInfo.InvariantCulture,
            $"given up after {t.Attempts} attempts (max attempts {maxAttempts}): each holder stopped without finishing it; the last, {t.Owner}, last beat at {t.Heartbeat:u}. A trial that keeps killing its worker (out of memory?) is not tried again: see that worker's log.");
}
