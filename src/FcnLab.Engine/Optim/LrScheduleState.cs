namespace FcnLab.Engine.Optim;

/// <summary>
/// What an <see cref="LrSchedule"/> carries from epoch to epoch: the rate of the epoch in progress and
/// ReduceLROnPlateau's bookkeeping (kept, unused, by the closed-form kinds, so every schedule saves the
/// same shape). The schedule works on this object in place; a checkpoint saves it whole.
/// </summary>
public sealed class LrScheduleState
{
    /// <summary>The learning rate of the epoch in progress (between epochs: of the last one).</summary>
    public double Lr { get; set; }
    /// <summary>The last epoch the schedule was told had ended (PyTorch's last_epoch; 0 before the first).</summary>
    public int LastEpoch { get; set; }
    /// <summary>Plateau: the rate the reductions so far have left.</summary>
    public double PlateauLr { get; set; }
    /// <summary>Plateau: the best validation loss so far (+infinity before one).</summary>
    public double Best { get; set; } = double.PositiveInfinity;
    public int NumBadEpochs { get; set; }
    public int CooldownCounter { get; set; }

    /// <summary>The state of a schedule that has not begun, from the base rate.</summary>
    public static LrScheduleState Start(double baseLr) => new() { Lr = baseLr, PlateauLr = baseLr };

    /// <summary>Refuses a state no schedule can reach (a damaged checkpoint), naming what is wrong.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Lr) || Lr < 0 || LastEpoch < 0 || !(PlateauLr >= 0) || double.IsNaN(Best) || NumBadEpochs < 0 || CooldownCounter < 0)
            throw new FcnLabException($"The learning-rate schedule state (lr {Lr}, last epoch {LastEpoch}, plateau lr {PlateauLr}, best {Best}, bad epochs {NumBadEpochs}, cooldown {CooldownCounter}) is invalid.");
    }
}
