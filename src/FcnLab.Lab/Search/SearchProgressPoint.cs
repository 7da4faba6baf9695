namespace FcnLab.Lab.Search;

/// <summary>
/// Where a search stood after trial <see cref="Trial"/>: the epochs trained so far by it and every trial
/// before it (pruned trials' epochs counted), and the best objective of the completed trials so far
/// (NaN before the first one completed).
/// </summary>
public readonly record struct SearchProgressPoint(int Trial, long Epochs, double Best);
