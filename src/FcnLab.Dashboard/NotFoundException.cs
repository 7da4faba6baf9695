namespace FcnLab.Dashboard;

/// <summary>A run, sweep or chart the URL names is not in the store (404).</summary>
internal sealed class NotFoundException(string message) : Exception(message);
