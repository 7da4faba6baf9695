namespace FcnLab.Lab.Search;

/// <summary>Whether a search wants its objective small (val_loss) or large (val_accuracy).</summary>
public enum ObjectiveDirection
{
    Minimize,
    Maximize,
}
