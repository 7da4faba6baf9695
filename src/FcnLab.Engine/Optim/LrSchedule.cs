namespace FcnLab.Engine.Optim;

/// <summary>
/// An epoch-wise learning-rate schedule with the semantics of PyTorch's lr_scheduler stepped once per
/// epoch: <see cref="LrForEpoch"/> gives the rate for an epoch (epochs count from 1), and
/// <see cref="EpochEnded"/> is called after each epoch's validation. Constant, StepLR, CosineAnnealingLR
/// (T_max = total epochs, eta_min 0) and ReduceLROnPlateau (mode min, threshold 1e-4 rel, cooldown 0,
/// min_lr 0). Cosine's T_max is the total given to <see cref="Create"/>: a run resumed with another
/// total builds its schedule with the new one, so cosine follows the new total from the resume on.
/// </summary>
public sealed class LrSchedule
{
    // ReduceLROnPlateau's fixed settings (PyTorch defaults).
    private const double PlateauThreshold = 1e-4;
    private const double PlateauMinLr = 0;
    private const int PlateauCooldown = 0;
    private const double PlateauEps = 1e-8; // reductions smaller than this are ignored

    private const int StateLength = 5;

    // Plateau state (also kept, unused, for the closed-form kinds so every schedule saves the same shape).
    private int _lastEpoch;
    private double _plateauLr;
    private double _best = double.PositiveInfinity;
    private int _numBadEpochs;
    private int _cooldownCounter;

    private LrSchedule(ScheduleConfig config, double baseLr, int totalEpochs)
    {
        Config = config;
        BaseLr = baseLr;
        TotalEpochs = totalEpochs;
        _plateauLr = baseLr;
    }

    public ScheduleConfig Config { get; }
    public double BaseLr { get; }
    public int TotalEpochs { get; }

    /// <summary>True for plateau: <see cref="EpochEnded"/> must be given a validation loss.</summary>
    public bool RequiresValidation => Config.Kind == ScheduleKind.Plateau;

    /// <summary>The last epoch reported through <see cref="EpochEnded"/> (0 before the first).</summary>
    public int LastEpoch => _lastEpoch;

    public static LrSchedule Create(ScheduleConfig config, double baseLr, int totalEpochs)
    {
        ArgumentNullException.ThrowIfNull(config);
        ValidateConfig(config);
        if (!double.IsFinite(baseLr) || baseLr <= 0)
            throw new FcnLabException($"--lr must be a finite number > 0 (got {baseLr}).");
        if (totalEpochs < 1)
            throw new FcnLabException($"--epochs must be >= 1 (got {totalEpochs}).");
        return new LrSchedule(config, baseLr, totalEpochs);
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
            ScheduleKind.Cosine => BaseLr * (1 + Math.Cos(Math.PI * done / TotalEpochs)) / 2,
            // Plateau has no closed form: the rate is whatever the last reduction left.
            ScheduleKind.Plateau => _plateauLr,
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
        _lastEpoch = epoch;
        if (Config.Kind != ScheduleKind.Plateau) return;
        if (valLoss is not double current)
            throw new FcnLabException("The plateau schedule needs a validation loss after every epoch: use a validation split, or another schedule (constant, step, cosine).");

        // NaN never counts as better, as in PyTorch (the comparison is false).
        if (current < _best * (1 - PlateauThreshold))
        {
            _best = current;
            _numBadEpochs = 0;
        }
        else
        {
            _numBadEpochs++;
        }
        if (_cooldownCounter > 0)
        {
            _cooldownCounter--;
            _numBadEpochs = 0;
        }
        if (_numBadEpochs > Config.PlateauPatience)
        {
            double reduced = Math.Max(_plateauLr * Config.Factor, PlateauMinLr);
            if (_plateauLr - reduced > PlateauEps) _plateauLr = reduced;
            _cooldownCounter = PlateauCooldown;
            _numBadEpochs = 0;
        }
    }

    /// <summary>The schedule's mutable state, for checkpoints: last epoch, plateau lr, best, bad epochs, cooldown.</summary>
    public double[] GetState() => [_lastEpoch, _plateauLr, _best, _numBadEpochs, _cooldownCounter];

    public void SetState(ReadOnlySpan<double> state)
    {
        if (state.Length != StateLength)
            throw new FcnLabException($"A learning-rate schedule state has {StateLength} values (got {state.Length}).");
        if (state[0] < 0 || state[0] != Math.Floor(state[0]) || !(state[1] >= 0) || state[3] < 0 || state[4] < 0)
            throw new FcnLabException("The learning-rate schedule state in the checkpoint is invalid.");
        _lastEpoch = (int)state[0];
        _plateauLr = state[1];
        _best = state[2];
        _numBadEpochs = (int)state[3];
        _cooldownCounter = (int)state[4];
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
