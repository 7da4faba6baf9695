namespace FcnLab.Engine.Optim;

/// <summary>
/// An epoch-wise learning-rate schedule with the semantics of PyTorch's lr_scheduler stepped once per
/// epoch: <see cref="LrForEpoch"/> gives the rate for an epoch (epochs count from 1), and
/// <see cref="EpochEnded"/> is called after each epoch's validation. Constant, StepLR, CosineAnnealingLR
/// (T_max = total epochs, eta_min 0) and ReduceLROnPlateau (mode min, threshold 1e-4 rel, cooldown 0,
/// min_lr 0). Cosine's T_max is the total given to <see cref="Create"/>: a run resumed with another
/// total builds its schedule with the new one, so cosine follows the new total from the resume on.
/// What the schedule carries between epochs lives in its <see cref="LrScheduleState"/> (a run's
/// training state holds it; the schedule updates it in place).
/// </summary>
public sealed class LrSchedule
{
    // ReduceLROnPlateau's fixed settings (PyTorch defaults).
    private const double PlateauThreshold = 1e-4;
    private const double PlateauMinLr = 0;
    private const int PlateauCooldown = 0;
    private const double PlateauEps = 1e-8; // reductions smaller than this are ignored

    private readonly LrScheduleState _state;

    private LrSchedule(ScheduleConfig config, double baseLr, int totalEpochs, LrScheduleState state)
    {
        Config = config;
        BaseLr = baseLr;
        TotalEpochs = totalEpochs;
        _state = state;
    }

    public ScheduleConfig Config { get; }
    public double BaseLr { get; }
    public int TotalEpochs { get; }

    /// <summary>True for plateau: <see cref="EpochEnded"/> must be given a validation loss.</summary>
    public bool RequiresValidation => Config.Kind == ScheduleKind.Plateau;

    /// <summary>The last epoch reported through <see cref="EpochEnded"/> (0 before the first).</summary>
    public int LastEpoch => _state.LastEpoch;

    /// <summary>The learning rate of the epoch in progress: what <see cref="BeginEpoch"/> set (before the first epoch, the base rate).</summary>
    public double Lr => _state.Lr;

    /// <param name="state">What the schedule carries between epochs, updated in place: a resumed run's; null: a fresh one.</param>
    public static LrSchedule Create(ScheduleConfig config, double baseLr, int totalEpochs, LrScheduleState? state = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ValidateConfig(config);
        if (!double.IsFinite(baseLr) || baseLr <= 0)
            throw new FcnLabException($"--lr must be a finite number > 0 (got {baseLr}).");
        if (totalEpochs < 1)
            throw new FcnLabException($"--epochs must be >= 1 (got {totalEpochs}).");
        state?.Validate();
        return new LrSchedule(config, baseLr, totalEpochs, state ?? LrScheduleState.Start(baseLr));
    }

    /// <summary>Sets (and returns) the rate of <paramref name="epoch"/>, which is starting: <see cref="Lr"/> until the next epoch begins.</summary>
    public double BeginEpoch(int epoch) => _state.Lr = LrForEpoch(epoch);

    /// <summary>The learning rate to use during <paramref name="epoch"/> (1-based).</summary>
    public double LrForEpoch(int epoch)
    {
        if (epoch < 1) throw new ArgumentOutOfRangeException(nameof(epoch), $"Epochs count from 1 (got {epoch}).");
        int done = epoch - 1; // PyTorch's last_epoch while this epoch runs
        return Config.Kind switch
        {
            ScheduleKind.Constant => BaseLr,
            ScheduleKind.Step => BaseLr * Math.Pow(Config.Gamma, done / Config.StepSize),
            ScheduleKind.Cosine => BaseLr * (1 + Math.Cos(Math.PI * done / TotalEpochs)) / 2,
            // Plateau has no closed form: the rate is whatever the last reduction left.
            ScheduleKind.Plateau => _state.PlateauLr,
            _ => throw new FcnLabException($"Unknown schedule kind {(int)Config.Kind}; allowed: {AllowedNames}."),
        };
    }

    /// <summary>
    /// Records the end of <paramref name="epoch"/>. Plateau uses <paramref name="valLoss"/> as
    /// ReduceLROnPlateau.step(val_loss) does; the other kinds ignore it.
    /// </summary>
    public void EpochEnded(int epoch, double? valLoss)
    {
        if (epoch < 1) throw new ArgumentOutOfRangeException(nameof(epoch), $"Epochs count from 1 (got {epoch}).");
        var s = _state;
        s.LastEpoch = epoch;
        if (Config.Kind != ScheduleKind.Plateau) return;
        if (valLoss is not double current)
            throw new FcnLabException("The plateau schedule needs a validation loss after every epoch: use a validation split, or another schedule (constant, step, cosine).");

        // NaN never counts as better, as in PyTorch (the comparison is false).
        if (current < s.Best * (1 - PlateauThreshold))
        {
            s.Best = current;
            s.NumBadEpochs = 0;
        }
        else
        {
            s.NumBadEpochs++;
        }
        if (s.CooldownCounter > 0)
        {
            s.CooldownCounter--;
            s.NumBadEpochs = 0;
        }
        if (s.NumBadEpochs > Config.PlateauPatience)
        {
            double reduced = Math.Max(s.PlateauLr * Config.Factor, PlateauMinLr);
            if (s.PlateauLr - reduced > PlateauEps) s.PlateauLr = reduced;
            s.CooldownCounter = PlateauCooldown;
            s.NumBadEpochs = 0;
        }
    }

    /// <summary>
    /// Checks every schedule setting, naming the one that is wrong. Settings the chosen kind does not use
    /// are checked too: a value like --lr-step-size 0 is never valid, and is refused rather than ignored.
    /// </summary>
    public static void ValidateConfig(ScheduleConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!Enum.IsDefined(config.Kind))
            throw new FcnLabException($"Unknown schedule kind {(int)config.Kind}; allowed: {AllowedNames}.");
        if (config.StepSize < 1)
            throw new FcnLabException($"--lr-step-size (epochs between lr reductions of the step schedule) must be >= 1 (got {config.StepSize}).");
        if (!double.IsFinite(config.Gamma) || config.Gamma <= 0)
            throw new FcnLabException($"--lr-gamma (the step schedule's lr multiplier) must be a finite number > 0 (got {config.Gamma}).");
        if (!(config.Factor > 0 && config.Factor < 1))
            throw new FcnLabException($"--lr-factor (the plateau schedule's lr multiplier) must be in (0, 1) (got {config.Factor}).");
        if (config.PlateauPatience < 0)
            throw new FcnLabException($"--lr-plateau-patience (epochs without improvement before the plateau schedule reduces lr) must be >= 0 (got {config.PlateauPatience}).");
    }

    private const string AllowedNames = "constant, step, cosine, plateau";

    /// <summary>Parses a schedule name as written in flags and YAML (case-insensitive).</summary>
    public static ScheduleKind ParseKind(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "constant" => ScheduleKind.Constant,
            "step" => ScheduleKind.Step,
            "cosine" => ScheduleKind.Cosine,
            "plateau" => ScheduleKind.Plateau,
            _ => throw new FcnLabException($"Unknown schedule '{name}'; allowed: {AllowedNames}."),
        };
    }

    /// <summary>The flag spelling of a schedule kind (the inverse of <see cref="ParseKind"/>).</summary>
    public static string ToFlag(ScheduleKind kind) => kind switch
    {
        ScheduleKind.Constant => "constant",
        ScheduleKind.Step => "step",
        ScheduleKind.Cosine => "cosine",
        ScheduleKind.Plateau => "plateau",
        _ => throw new FcnLabException($"Unknown schedule kind {(int)kind}; allowed: {AllowedNames}."),
    };
}
