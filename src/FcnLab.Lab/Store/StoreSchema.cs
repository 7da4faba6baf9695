namespace FcnLab.Lab.Store;

/// <summary>What the SQLite and PostgreSQL schemas share, written once with each store's column types (<see cref="SqliteSchema"/>, <see cref="PostgresSchema"/>).</summary>
internal static class StoreSchema
{
    /// <summary>
    /// The statuses the trials table admits since version 2: every status DESIGN.md lists. Written out, not derived
    /// from the RunStatus enum: a schema is data, and changing it takes a new version.
    /// </summary>
    public const string Statuses = "'pending', 'running', 'completed', 'early-stopped', 'diverged', 'failed', 'pruned', 'interrupted'";

    /// <summary>
    /// Version 2's live progress: <c>progress</c>, where a training run stands (one row per run, rewritten as it trains), and
    /// <c>step_losses</c>, the mean training loss of the steps between two publishes, so a reader can draw the per-step
    /// loss curve while the run trains (steps.csv in the run directory has every step). <paramref name="id"/>,
    /// <paramref name="real"/> and <paramref name="time"/> are the store's types for a run id, a double and a time.
    /// </summary>
    public static string ProgressTables(string id, string real, string time) => $"""
        CREATE TABLE progress (
            run_id           {id} PRIMARY KEY REFERENCES trials (run_id) ON DELETE CASCADE,
            epoch            integer NOT NULL,
            epochs           integer NOT NULL,
            step             integer NOT NULL,
            steps            integer NOT NULL,
            running_loss     {real} NULL,
            steps_per_second {real} NULL,
            updated_at       {time} NOT NULL
        );
        CREATE TABLE step_losses (
            run_id  {id} NOT NULL REFERENCES trials (run_id) ON DELETE CASCADE,
            epoch   integer NOT NULL,
            step    integer NOT NULL,
            steps   integer NOT NULL,
            loss    {real} NULL,
            at      {time} NOT NULL,
            PRIMARY KEY (run_id, epoch, step)
        );
        """;
}
