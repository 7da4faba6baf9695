namespace FcnLab.Engine.Optim;

/// <summary>Learning-rate schedule settings (epoch-wise, as PyTorch's lr_scheduler stepped once per epoch).</summary>
public sealed record ScheduleConfig
{
    public ScheduleKind Kind { get; init; } = ScheduleKind.Constant;
    public int StepSize { get; init; } = 10;
    public double Gamma { get; init; } = 0.1;
    public double Factor { get; init; } = 0.1;
    public int PlateauPatience { get; init; } = 10;
}
