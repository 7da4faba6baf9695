namespace FcnLab.Engine.Training;

/// <summary>
/// Marks a <see cref="TrainConfig"/> property added after the first sweeps were recorded: trial identities
/// leave it out while it holds its default (its value in <c>new TrainConfig()</c>), so the trials already
/// in a store keep their identity. Every setting added from now on carries it.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class LaterSettingAttribute : Attribute;
