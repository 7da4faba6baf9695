namespace FcnLab.Engine.Training;

/// <summary>A test example the final model got wrong: its index in the test set, its label and the predicted class.</summary>
public sealed record Misclassification(int Index, int TrueClass, int PredictedClass);
