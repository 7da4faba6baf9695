using System.Data.Common;
using FcnLab.Engine;
using FcnLab.Lab.Store;

namespace FcnLab.Dashboard;

/// <summary>
/// The dashboard's one connection to the run store, opened on first use and opened again after an error, so a
/// store that was unreachable (a server restarted, a file not yet written) recovers without restarting `fcnlab serve`.
/// A SQLite store that does not exist yet is not created: the dashboard reads, it changes nothing.
/// </summary>
internal sealed class StoreAccess(string location) : IDisposable
{
    private readonly object _gate = new();
    private IRunStore? _store;

    public string Location => location;

    /// <summary>Runs <paramref name="read"/> on the store; a store error closes the connection (the next call opens it again) and comes back as <see cref="StoreUnavailableException"/>.</summary>
    public T Read<T>(Func<IRunStore, T> read)
    {
        IRunStore store;
        lock (_gate)
        {
            if (_store == null)
            {
                if (!RunStores.IsPostgres(location) && !File.Exists(location))
                    throw new StoreUnavailableException($"There is no run store at {Path.GetFullPath(location)} yet (nothing has been trained into it); this page refreshes itself once there is.");
                try
                {
                    _store = RunStores.Open(location);
                }
                catch (Exception e) when (e is FcnLabException or DbException or IOException or InvalidOperationException)
                {
                    throw new StoreUnavailableException($"The run store {location} cannot be read: {e.Message}", e);
                }
            }
            store = _store;
        }
        try
        {
            return read(store);
        }
        catch (Exception e) when (e is FcnLabException or DbException or IOException or InvalidOperationException)
        {
            lock (_gate)
            {
                if (ReferenceEquals(_store, store)) { _store = null; store.Dispose(); }
            }
            throw new StoreUnavailableException($"The run store {store.Location} cannot be read: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _store?.Dispose();
            _store = null;
        }
    }
}
