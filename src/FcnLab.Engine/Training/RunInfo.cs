namespace FcnLab.Engine.Training;

/// <summary>Facts about a run known once data and model are ready, for progress output; Summary is the <see cref="Models.ModelSummary"/> table.</summary>
public sealed record RunInfo(string Model, long Parameters, int TrainCount, int ValCount, int TestCount, int StepsPerEpoch, string DataDirectory, int Threads, string? Summary = null);
