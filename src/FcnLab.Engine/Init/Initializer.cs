using FcnLab.Engine.Layers;
using FcnLab.Engine.Models;
using FcnLab.Engine.Random;

namespace FcnLab.Engine.Init;

/// <summary>
/// Weight and bias initialisation for a dense layer, with torch.nn.init's formulas. Weights are
/// stored [in, out], so fan_in is the first dimension; values are drawn in storage order from the
/// given generator, so the same seed gives the same values.
/// </summary>
public static class Initializer
{
    /// <summary>
    /// Fills <paramref name="weight"/> (and <paramref name="bias"/>, if any) by <paramref name="scheme"/>.
    /// Default is nn.Linear's reset_parameters (weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)));
    /// the named schemes set biases to zero. <paramref name="std"/> is used by Normal only;
    /// <paramref name="activation"/> and <paramref name="leakySlope"/> give the Kaiming gain.
    /// A convolution passes its kernel's <paramref name="receptiveField"/> (k*k): PyTorch's fans are then
    /// in*k*k and out*k*k, and the weight holds fan_in*fan_out/(k*k) values.
    /// </summary>
    public static void Apply(InitScheme scheme, Parameter weight, Parameter? bias, int fanIn, int fanOut,
        Activation activation, float leakySlope, double std, Rng rng, int receptiveField = 1)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(rng);
        if (fanIn < 1 || fanOut < 1 || receptiveField < 1)
            throw new FcnLabException($"A layer needs fan_in >= 1 and fan_out >= 1 (got {fanIn} and {fanOut}).");
        if ((long)fanIn * fanOut != (long)weight.Length * receptiveField)
            throw new FcnLabException($"Weight {weight.Name} has {weight.Length} elements, not fan_in*fan_out/{receptiveField} = {fanIn}*{fanOut}/{receptiveField}.");
        if (bias is not null && (long)bias.Length * receptiveField != fanOut)
            throw new FcnLabException($"Bias {bias.Name} has {bias.Length} elements, not fan_out/{receptiveField} = {fanOut}/{receptiveField}.");

        Span<float> w = weight.Value.Span;
        switch (scheme)
        {
            case InitScheme.Default:
            {
                // kaiming_uniform_(a=sqrt(5)): gain sqrt(2/(1+5)) * sqrt(3/fan_in) = 1/sqrt(fan_in); the bias uses the same bound.
                double bound = 1 / Math.Sqrt(fanIn);
                FillUniform(w, bound, rng);
                if (bias is not null) FillUniform(bias.Value.Span, bound, rng);
                return;
            }
            case InitScheme.Normal:
                if (!double.IsFinite(std) || std <= 0)
                    throw new FcnLabException($"init_std (the standard deviation of the normal init) must be a finite number > 0 (got {std}).");
                FillNormal(w, std, rng);
                break;
            case InitScheme.XavierNormal:
                FillNormal(w, Math.Sqrt(2.0 / (fanIn + fanOut)), rng);
                break;
            case InitScheme.XavierUniform:
                FillUniform(w, Math.Sqrt(6.0 / (fanIn + fanOut)), rng);
                break;
            case InitScheme.KaimingUniform:
                FillUniform(w, Gain(activation, leakySlope) * Math.Sqrt(3.0 / fanIn), rng);
                break;
            case InitScheme.KaimingNormal:
                FillNormal(w, Gain(activation, leakySlope) / Math.Sqrt(fanIn), rng);
                break;
            default:
                throw new FcnLabException($"Unknown init scheme {(int)scheme}; allowed: {Spellings.Allowed}.");
        }
        bias?.Value.Clear();
    }

    /// <summary>torch.nn.init.calculate_gain for the activations FcnLab has.</summary>
    public static double Gain(Activation activation, float leakySlope) => activation switch
    {
        Activation.ReLU => Math.Sqrt(2.0),
        Activation.LeakyReLU => Math.Sqrt(2.0 / (1 + (double)leakySlope * leakySlope)),
        Activation.Tanh => 5.0 / 3,
        Activation.Sigmoid => 1.0,
        _ => throw new FcnLabException($"No initialisation gain is defined for activation {activation}."),
    };

    /// <summary>The flag spellings of the schemes, as written in flags, YAML and config.json.</summary>
    public static readonly EnumNames<InitScheme> Spellings = new("init scheme",
        (InitScheme.Default, "default"), (InitScheme.Normal, "normal"), (InitScheme.XavierNormal, "xavier-normal"),
        (InitScheme.XavierUniform, "xavier-uniform"), (InitScheme.KaimingUniform, "kaiming-uniform"), (InitScheme.KaimingNormal, "kaiming-normal"));

    /// <summary>Parses an init scheme as written in flags and YAML (case-insensitive; '_' may stand for '-').</summary>
    public static InitScheme Parse(string name) => Spellings.Parse(name);

    /// <summary>The flag spelling of a scheme (the inverse of <see cref="Parse"/>).</summary>
    public static string ToFlag(InitScheme scheme) => Spellings.Name(scheme);

    private static void FillUniform(Span<float> values, double bound, Rng rng)
    {
        float b = (float)bound;
        for (int i = 0; i < values.Length; i++) values[i] = rng.Uniform(-b, b);
    }

    private static void FillNormal(Span<float> values, double std, Rng rng)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(std * rng.NextGaussian());
    }
}
