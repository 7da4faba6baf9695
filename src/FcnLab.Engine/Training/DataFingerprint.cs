namespace FcnLab.Engine.Training;

/// <summary>The data a checkpoint was trained on, checked on resume: shape, classes, split sizes and a SHA-256 of all labels.</summary>
public sealed record DataFingerprint(int[] ImageShape, int Classes, int TrainCount, int ValCount, int TestCount, string LabelsSha256)
{
    public bool Matches(DataFingerprint other) =>
        ImageShape.SequenceEqual(other.ImageShape) && Classes == other.Classes && TrainCount == other.TrainCount
        && ValCount == other.ValCount && TestCount == other.TestCount && LabelsSha256 == other.LabelsSha256;

    public override string ToString() =>
        $"{string.Join("x", ImageShape)} images, {Classes} classes, {TrainCount} train / {ValCount} validation / {TestCount} test, labels {LabelsSha256[..12]}";
}
