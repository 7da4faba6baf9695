namespace FcnLab.Engine.Training;

/// <summary>A resume of a run (config.json's "resumes"): it went on at step Step of epoch Epoch (steps done), to Epochs in total, on Threads threads, at time At (UTC).</summary>
public sealed record ResumeRecord(int Epoch, int Step, int Epochs, int Threads, string At);
