namespace FcnLab.Engine.Optim;

/// <summary>
/// An epoch-wise learning-rate schedule with the semantics of PyTorch's lr_scheduler stepped once per
/// epoch: <see cref="LrForEpoch"/> gives the rate for an epoch (epochs count from 1), and
/// <see cref="EpochEnded"/> is called after each epoch's validation. Constant, StepLR, CosineAnnealingLR
/// (T_max = total epochs, eta_min 0) and ReduceLROnPlateau (mode min, threshold 1e-4 rel, cooldown 0,
/// min_lr 0), and OneCycleLR stepped after every optimizer step (<see cref="BeginStep"/>; PyTorch's defaults:
/// pct_start 0.3, cosine annealing, div_factor 25, final_div_factor 1e4, two phases, and cycle_momentum off:
/// the optimizer's momentum or beta1 stays as given). A linear warmup over the first warmup epochs,
/// step by step, scales any epoch-wise kind; cosine then anneals over the epochs after the warmup.
/// Cosine's T_max is the total given to <see cref="Create"/>: a run resumed with another
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

    // OneCycleLR's defaults (PyTorch 1.13).
    public const double OneCyclePctStart = 0.3, OneCycleDivFactor = 25, OneCycleFinalDivFactor = 1e4;

    private LrSchedule(ScheduleConfig config, double baseLr, int totalEpochs, int warmupEpochs, LrScheduleState state)
    {
        Config = config;
        BaseLr = baseLr;
        TotalEpochs = totalEpochs;
        WarmupEpochs = warmupEpochs;
        _state = state;
    }

    public ScheduleConfig Config { get; }
    public double BaseLr { get; }
    public int TotalEpochs { get; }
    /// <summary>Epochs of linear warmup at the start (0: none).</summary>
    public int WarmupEpochs { get; }

    /// <summary>True when the rate changes from step to step (onecycle, or a warmup): <see cref="BeginStep"/> sets it.</summary>
    public bool PerStep => Config.Kind == ScheduleKind.OneCycle || WarmupEpochs > 0;

    /// <summary>True for plateau: <see cref="EpochEnded"/> must be given a validation loss.</summary>
    public bool RequiresValidation => Config.Kind == ScheduleKind.Plateau;

    /// <summary>The last epoch reported through <see cref="EpochEnded"/> (0 before the first).</summary>
    public int LastEpoch => _state.LastEpoch;

    /// <summary>The learning rate of the epoch in progress: what <see cref="BeginEpoch"/> set (before the first epoch, the base rate).</summary>
    public double Lr => _state.Lr;

    /// <param name="state">What the schedule carries between epochs, updated in place: a resumed run's; null: a fresh one.</param>
    /// <param name="warmupEpochs">Epochs of linear warmup (--warmup-epochs); not with onecycle, which warms up itself.</param>
    public static LrSchedule Create(ScheduleConfig config, double baseLr, int totalEpochs, LrScheduleState? state = null, int warmupEpochs = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        ValidateConfig(config);
        if (!double.IsFinite(baseLr) || baseLr <= 0)
            throw new FcnLabException($"--lr must be a finite number > 0 (got {baseLr}).");
        if (totalEpochs < 1)
            throw new FcnLabException($"--epochs must be >= 1 (got {totalEpochs}).");
        ValidateWarmup(config.Kind, warmupEpochs, totalEpochs);
        state?.Validate();
        return new LrSchedule(config, baseLr, totalEpochs, warmupEpochs, state ?? LrScheduleState.Start(baseLr));
    }

    /// <summary>Sets (and returns) the rate of <paramref name="epoch"/>, which is starting: <see cref="Lr"/> until the next epoch begins (or step, when <see cref="PerStep"/>).</summary>
    public double BeginEpoch(int epoch) => _state.Lr = LrForEpoch(epoch);

    /// <summary>
    /// Sets (and returns) the rate of step <paramref name="step"/> (0-based) of <paramref name="epoch"/>, which has
    /// <paramref name="stepsPerEpoch"/> steps: the epoch's rate unless <see cref="PerStep"/>. Computed from the
    /// position alone, so a resumed run gets the rates of an uninterrupted one.
    /// </summary>
    public double BeginStep(int epoch, int step, int stepsPerEpoch)
    {
        if (!PerStep) return _state.Lr;
        long t = (long)(epoch - 1) * stepsPerEpoch + step; // optimizer steps taken before this one
        return _state.Lr = Config.Kind == ScheduleKind.OneCycle
            ? OneCycleLr(t, (long)TotalEpochs * stepsPerEpoch)
            : LrForEpoch(epoch) * Math.Min(1.0, (t + 1) / ((double)WarmupEpochs * stepsPerEpoch));
    }

    /// <summary>
    /// OneCycleLR's rate at step <paramref name="t"/> of <paramref name="totalSteps"/>: from lr/25 up to lr by
    /// cosine until step 0.3 T - 1, then down to lr/25/1e4 at step T - 1.
    /// anneal(start, end, pct) = end + (start - end) / 2 (cos(pi pct) + 1).
    /// </summary>
    private double OneCycleLr(long t, long totalSteps)
    {
        double initial = BaseLr / OneCycleDivFactor, min = initial / OneCycleFinalDivFactor;
        double upEnd = OneCyclePctStart * totalSteps - 1, downEnd = totalSteps - 1;
        static double Anneal(double start, double end, double pct) => end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1);
        return t <= upEnd
            ? Anneal(initial, BaseLr, t / upEnd)
            : Anneal(BaseLr, min, (t - upEnd) / (downEnd - upEnd));
    }

    /// <summary>The learning rate to use during <paramref name="epoch"/> (1-based).</summary>
    public double LrForEpoch(int epoch)
    {
        if (epoch < 1) throw new ArgumentOutOfRangeException(nameof(epoch), $"Epochs count from 1 (got {epoch}).");
        int done = epoch - 1; // PyTorch's last_epoch while this epoch runs
        return Config.Kind switch
        {
            ScheduleKind.Constant => BaseLr,
            ScheduleKind.Step => BaseLr * Math.Pow(Config.Gamma, done / Config.StepSize),
            // After a warmup, cosine anneals over the epochs that follow it.
            ScheduleKind.Cosine => BaseLr * (1 + Math.Cos(Math.PI * Math.Max(0, done - WarmupEpochs) / (TotalEpochs - WarmupEpochs))) / 2,
            // Between steps (a run's first epoch begins before its first step): the rate of the epoch's first step.
            ScheduleKind.OneCycle => BaseLr / OneCycleDivFactor,
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

    /// <summary>Refuses a warmup that onecycle does not take or that leaves no epoch after it.</summary>
    public static void ValidateWarmup(ScheduleKind kind, int warmupEpochs, int totalEpochs)
    {
        if (warmupEpochs < 0)
            throw new FcnLabException($"--warmup-epochs must be >= 0 (got {warmupEpochs}).");
        if (warmupEpochs > 0 && kind == ScheduleKind.OneCycle)
            throw new FcnLabException("--warmup-epochs does not go with --lr-schedule onecycle, which warms up over its first 30% of steps itself; drop one of them.");
        if (warmupEpochs >= totalEpochs && warmupEpochs > 0)
            throw new FcnLabException($"--warmup-epochs ({warmupEpochs}) must be fewer than --epochs ({totalEpochs}): the schedule needs epochs after the warmup.");
    }

    private const string AllowedNames = "constant, step, cosine, plateau, onecycle";

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
            "onecycle" => ScheduleKind.OneCycle,
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
        ScheduleKind.OneCycle => "onecycle",
        _ => throw new FcnLabException($"Unknown schedule kind {(int)kind}; allowed: {AllowedNames}."),
    };
}
