namespace FcnLab.Dashboard;

/// <summary>A request the dashboard cannot answer as asked, e.g. a comparison of one run (400).</summary>
internal sealed class BadRequestException(string message) : Exception(message);
