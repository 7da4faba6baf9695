using System.Runtime.CompilerServices;

namespace FcnLab.Engine.Tensors;

/// <summary>
/// A float32, row-major, N-dimensional tensor: a shape and a window (offset, length) into a pinned
/// array. Pinned so kernels can take raw pointers without fixed blocks; a window so the parameters
/// of a whole model can live in one flat buffer with each layer holding views into it.
/// </summary>
public sealed unsafe class Tensor
{
    private readonly float[] _array;

    public int[] Shape { get; }
    public int Offset { get; }
    public int Length { get; }

    private Tensor(float[] array, int offset, int[] shape)
    {
        _array = array;
        Offset = offset;
        Shape = shape;
        Length = SizeOf(shape);
        if (offset < 0 || offset + Length > array.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"View [{offset}, {offset + Length}) does not fit in an array of {array.Length}.");
    }

    /// <summary>A new zero-filled tensor on the pinned heap.</summary>
    public static Tensor Zeros(params int[] shape) => new(GC.AllocateArray<float>(SizeOf(shape), pinned: true), 0, (int[])shape.Clone());

    /// <summary>A new tensor holding a copy of <paramref name="values"/>.</summary>
    public static Tensor From(ReadOnlySpan<float> values, params int[] shape)
    {
        var t = Zeros(shape);
        if (values.Length != t.Length)
            throw new ArgumentException($"{values.Length} values do not fill shape [{string.Join(", ", shape)}] ({t.Length} elements).");
        values.CopyTo(t.Span);
        return t;
    }

    /// <summary>A view of <paramref name="length"/> elements starting at <paramref name="offset"/> (relative to this tensor), with a new shape.</summary>
    public Tensor View(int offset, params int[] shape)
    {
        int n = SizeOf(shape);
        if (offset < 0 || offset + n > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"A view of {n} elements at {offset} does not fit in a tensor of {Length}.");
        return new Tensor(_array, Offset + offset, (int[])shape.Clone());
    }

    /// <summary>The same elements under another shape with the same element count.</summary>
    public Tensor Reshape(params int[] shape)
    {
        if (SizeOf(shape) != Length)
            throw new ArgumentException($"Cannot reshape [{string.Join(", ", Shape)}] to [{string.Join(", ", shape)}].");
        return new Tensor(_array, Offset, (int[])shape.Clone());
    }

    public int Rank => Shape.Length;

    /// <summary>Size of the first dimension (the batch, for activations).</summary>
    public int Rows => Shape[0];

    /// <summary>Elements per first-dimension entry (features per sample, for activations).</summary>
    public int RowSize => Shape.Length == 0 ? 1 : Length / Math.Max(Shape[0], 1);

    public Span<float> Span => _array.AsSpan(Offset, Length);

    /// <summary>The elements as Memory, for code that keeps a reference beyond a call (a checkpoint being written).</summary>
    public Memory<float> Memory => _array.AsMemory(Offset, Length);

    /// <summary>Raw pointer to the first element. Valid for the tensor's lifetime: the array is pinned.</summary>
    public float* Pointer => (float*)Unsafe.AsPointer(ref _array[Offset]);

    public float this[int i]
    {
        get => _array[Offset + i];
        set => _array[Offset + i] = value;
    }

    public float[] ToArray() => Span.ToArray();

    public void Clear() => Span.Clear();

    public void CopyFrom(Tensor other)
    {
        if (other.Length != Length)
            throw new ArgumentException($"Cannot copy {other.Length} elements into a tensor of {Length}.");
        other.Span.CopyTo(Span);
    }

    public static int SizeOf(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension {d} in a tensor shape.");
            // Stops before the product could wrap. Reached from a user's settings (a wide --arch layer
            // times --batch-size), so said as such.
            if ((n *= d) > int.MaxValue)
                throw new FcnLabException($"A tensor of shape [{string.Join(", ", shape.ToArray())}] would hold more than the {int.MaxValue:N0} values FcnLab can hold in one: use a smaller --batch-size, or narrower layers.");
        }
        return (int)n;
    }

    public override string ToString() => $"Tensor[{string.Join(", ", Shape)}]";
}
