namespace FcnLab.Benchmarks.Compute;

/// <summary>Which of a Linear layer's three GEMMs.</summary>
public enum Product
{
    /// <summary>Y[B,out] = X[B,in] W[in,out] + bias.</summary>
    Forward,
    /// <summary>dW[in,out] += X^T dY.</summary>
    WeightGradient,
    /// <summary>dX[B,in] = dY W^T (not issued for the first layer).</summary>
    InputGradient,
}
