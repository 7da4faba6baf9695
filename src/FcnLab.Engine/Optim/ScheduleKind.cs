namespace FcnLab.Engine.Optim;

/// <summary>The learning-rate schedules (flag names: constant, step, cosine, plateau, onecycle; see <see cref="LrSchedule.ParseKind"/>).</summary>
public enum ScheduleKind
{
    Constant,
    Step,
    Cosine,
    Plateau,
    /// <summary>PyTorch's OneCycleLR, stepped after every optimizer step (not every epoch).</summary>
    OneCycle,
}
