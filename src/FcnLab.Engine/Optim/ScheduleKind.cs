namespace FcnLab.Engine.Optim;

/// <summary>The learning-rate schedules (flag names: constant, step, cosine, plateau; see <see cref="LrSchedule.ParseKind"/>).</summary>
public enum ScheduleKind
{
    Constant,
    Step,
    Cosine,
    Plateau,
}
