namespace FcnLab.Engine.Models;

/// <summary>One class and its softmax probability.</summary>
public readonly record struct ClassProbability(int Class, double Probability);
