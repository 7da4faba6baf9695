namespace FcnLab.Lab.Store;

/// <summary>A sweep as stored: its name and the spec text it was last run with.</summary>
public sealed record SweepRecord(string Name, string SpecText, DateTime CreatedAt, DateTime UpdatedAt);
