using FcnLab.Engine.Random;

namespace FcnLab.Lab.Search;

/// <summary>The generator a sampler draws trial <c>trialNumber</c>'s point from: one per (study seed, trial number), nothing carried between trials.</summary>
internal static class SearchRandom
{
    public static Rng ForTrial(long studySeed, int trialNumber) =>
        Rng.ForPurpose(studySeed, "search-sampler/trial-" + trialNumber.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
