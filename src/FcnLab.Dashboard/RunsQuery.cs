using FcnLab.Engine.Training;
using Microsoft.AspNetCore.Http;
using FcnLab.Lab.Reports;
using FcnLab.Lab.Store;

namespace FcnLab.Dashboard;

/// <summary>
/// The runs table's view of the store: text filter (trial id, sweep, settings, error), status and sweep filters,
/// the sort column and direction, and the page. Applied in memory to the store's trial list (10,000 runs sort in
/// milliseconds; the store's read is the cost, see docs/dashboard.md).
/// </summary>
internal sealed record RunsQuery(string Text, string Status, string Sweep, string Sort, bool Descending, int Page, int PageSize)
{
    public const int DefaultPageSize = 50;

    public static readonly string[] Columns = ["id", "sweep", "trial", "status", "settings", "test", "bestval", "epochs", "spe", "started", "duration"];

    public static RunsQuery From(IQueryCollection q)
    {
        string sort = q["sort"].ToString();
        if (!Columns.Contains(sort)) sort = "id";
        int page = int.TryParse(q["page"], out int p) && p > 0 ? p : 1;
        int size = int.TryParse(q["size"], out int s) && s is > 0 and <= 1000 ? s : DefaultPageSize;
        bool desc = q.ContainsKey("desc") ? q["desc"] == "1" : sort == "id"; // newest runs first by default
        return new RunsQuery(q["q"].ToString(), q["status"].ToString(), q["sweep"].ToString(), sort, desc, page, size);
    }

    /// <summary>This query for the store (<see cref="IRunStore.ListRuns"/>); null for a sort the store does not do (duration), which <see cref="Apply"/> does in memory.</summary>
    public RunListQuery? ForStore(bool allRows = false)
    {
        RunListSort? sort = Sort switch
        {
            "id" => RunListSort.RunId, "sweep" => RunListSort.Sweep, "trial" => RunListSort.TrialId, "status" => RunListSort.Status,
            "settings" => RunListSort.Settings, "test" => RunListSort.TestAccuracy, "bestval" => RunListSort.BestValAccuracy,
            "epochs" => RunListSort.EpochsRun, "spe" => RunListSort.SecondsPerEpoch, "started" => RunListSort.StartedAt,
            _ => null,
        };
        if (sort == null) return null;
        RunStatus? status = RunStatusText.TryParse(Status, out var s) ? s : null;
        return new RunListQuery
        {
            Text = Text.Length > 0 ? Text : null,
            Status = status,
            Sweep = Sweep.Length == 0 ? null : Sweep == "-" ? "" : Sweep,
            Sort = sort.Value,
            Descending = Descending,
            Offset = allRows ? 0 : (Page - 1) * PageSize,
            Limit = allRows ? int.MaxValue : PageSize,
        };
    }

    /// <summary>The page from the store when it can sort this way, else from every trial sorted here; and the total before paging.</summary>
    public (IReadOnlyList<TrialRecord> Page, int Total) Read(IRunStore store, bool allRows = false)
    {
        if (ForStore(allRows) is { } query && (Status.Length == 0 || query.Status != null))
        {
            var page = store.ListRuns(query);
            return (page.Runs, page.Total);
        }
        return (allRows ? this with { Page = 1, PageSize = int.MaxValue } : this).Apply(store.ListTrials());
    }

    /// <summary>The trials that pass the filters, sorted, and the total before paging.</summary>
    public (IReadOnlyList<TrialRecord> Page, int Total) Apply(IReadOnlyList<TrialRecord> all)
    {
        IEnumerable<TrialRecord> rows = all;
        if (Status.Length > 0) rows = rows.Where(t => StatusName(t.Status) == Status);
        if (Sweep.Length > 0) rows = rows.Where(t => (t.Sweep ?? "") == (Sweep == "-" ? "" : Sweep));
        if (Text.Length > 0)
            rows = rows.Where(t => t.TrialId.Contains(Text, StringComparison.OrdinalIgnoreCase)
                || (t.Sweep ?? "").Contains(Text, StringComparison.OrdinalIgnoreCase)
                || SettingsOf(t).Contains(Text, StringComparison.OrdinalIgnoreCase)
                || (t.Error ?? "").Contains(Text, StringComparison.OrdinalIgnoreCase));
        var list = rows.ToList();
        Comparison<TrialRecord> compare = Sort switch
        {
            "sweep" => (a, b) => string.CompareOrdinal(a.Sweep, b.Sweep),
            "trial" => (a, b) => string.CompareOrdinal(a.TrialId, b.TrialId),
            "status" => (a, b) => string.CompareOrdinal(StatusName(a.Status), StatusName(b.Status)),
            "settings" => (a, b) => string.CompareOrdinal(SettingsOf(a), SettingsOf(b)),
            "test" => (a, b) => Nullable.Compare(a.Summary?.TestAccuracy, b.Summary?.TestAccuracy),
            "bestval" => (a, b) => Nullable.Compare(a.Summary?.BestValAccuracy, b.Summary?.BestValAccuracy),
            "epochs" => (a, b) => Nullable.Compare(a.Summary?.EpochsRun, b.Summary?.EpochsRun),
            "spe" => (a, b) => Nullable.Compare(a.Summary?.SecondsPerEpoch, b.Summary?.SecondsPerEpoch),
            "started" => (a, b) => Nullable.Compare(a.StartedAt, b.StartedAt),
            "duration" => (a, b) => Nullable.Compare(DurationOf(a), DurationOf(b)),
            _ => (a, b) => a.RunId.CompareTo(b.RunId),
        };
        // Ties fall back to the run id so a page boundary is stable.
        list.Sort((a, b) => compare(a, b) is var c && c != 0 ? (Descending ? -c : c) : (Descending ? b.RunId.CompareTo(a.RunId) : a.RunId.CompareTo(b.RunId)));
        return (list.Skip((Page - 1) * PageSize).Take(PageSize).ToList(), list.Count);
    }

    /// <summary>This query with one parameter changed, as a URL of the runs page.</summary>
    public string Link(string? sort = null, bool? desc = null, int? page = null)
    {
        var parts = new List<string>();
        void Add(string k, string v) { if (v.Length > 0) parts.Add(k + "=" + Html.Url(v)); }
        Add("q", Text);
        Add("status", Status);
        Add("sweep", Sweep);
        Add("sort", sort ?? Sort);
        Add("desc", (desc ?? Descending) ? "1" : "0");
        if ((page ?? Page) > 1) Add("page", (page ?? Page).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (PageSize != DefaultPageSize) Add("size", PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return "/?" + string.Join("&", parts);
    }

    public static string StatusName(RunStatus s) => s.ToText();

    public static string SettingsOf(TrialRecord t) => SweepTableRow.PointLabel(t.Definition.Point);

    public static TimeSpan? DurationOf(TrialRecord t) =>
        t.StartedAt is { } s ? (t.FinishedAt ?? (t.Status == RunStatus.Running ? DateTime.UtcNow : t.Heartbeat ?? s)) - s : null;
}
