namespace FcnLab.Engine.Data;

/// <summary>
/// Which data set to load and how to read it. <paramref name="DataDir"/> is a directory that itself holds
/// the files (--data); <paramref name="ImageShape"/> ([channels,height,width] or [height,width]) and
/// <paramref name="Classes"/> override what the files imply (--image-shape, --classes). <paramref name="FixedBy"/>
/// says, for messages, where those two came from when not from the flags: e.g. "model 'run/model.fcnlab'"
/// when eval reads data with a model's input shape and class count.
/// </summary>
public sealed record DataOptions(string Dataset = "fashion-mnist", string? DataDir = null, int[]? ImageShape = null, int? Classes = null, string? FixedBy = null);
