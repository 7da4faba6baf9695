namespace FcnLab.Dashboard;

/// <summary>The run store could not be read just now; the page shows the message as a banner and tries again.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
