using System.Runtime.CompilerServices;

namespace FcnLab.Engine.Random;

/// <summary>
/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64) whose whole state is
/// four 64-bit words, so checkpoints can save and restore it exactly. FcnLab keeps one per purpose
/// (init, split, shuffle, dropout) so that changing one use does not perturb the others.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>A generator for one purpose, derived from the run seed and the purpose's name.</summary>
    public static Rng ForPurpose(long seed, string purpose)
    {
        // FNV-1a of the name, mixed with the seed: stable across runs, platforms and .NET versions.
        ulong h = 14695981039346656037UL;
        foreach (char ch in purpose) { h ^= ch; h *= 1099511628211UL; }
        return new Rng((ulong)seed * 0x9E3779B97F4A7C15UL ^ h);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64() => Next(ref _s0, ref _s1, ref _s2, ref _s3);

    /// <summary>One xoshiro256** step on the given state words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Next(ref ulong s0, ref ulong s1, ref ulong s2, ref ulong s3)
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits, exactly representable as float.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>
    /// Fills <paramref name="destination"/> with the next NextFloat() values, in order: the same numbers
    /// and the same state afterwards as that many calls, with the state kept in registers meanwhile
    /// (a dropout mask of a million elements: 8 ms one call at a time).
    /// </summary>
    public void NextFloats(Span<float> destination)
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (int i = 0; i < destination.Length; i++)
            destination[i] = (Next(ref s0, ref s1, ref s2, ref s3) >> 40) * (1.0f / (1 << 24));
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [low, high).</summary>
    public float Uniform(float low, float high) => (float)(low + (high - low) * NextDouble());

    /// <summary>Standard normal (Box-Muller; one value per call so the state sequence is simple to reason about).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Uniform integer in [0, n), unbiased (Lemire's method).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), "n must be positive.");
        ulong range = (ulong)n;
        ulong x = NextUInt64() >> 32;
        ulong m = x * range;
        ulong low = m & 0xFFFFFFFFUL;
        if (low < range)
        {
            ulong threshold = (0x1_0000_0000UL - range) % range;
            while (low < threshold)
            {
                x = NextUInt64() >> 32;
                m = x * range;
                low = m & 0xFFFFFFFFUL;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The whole state, for checkpoints.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4) throw new FcnLabException("A random generator state has 4 words.");
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }
}
