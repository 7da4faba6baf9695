using System.Globalization;
using System.Text;
using FcnLab.Engine.Layers;

namespace FcnLab.Engine.Models;

/// <summary>
/// An architecture written as text (<c>--arch</c>): layers in order, separated by spaces (or "->"),
/// each a name with optional arguments in parentheses, e.g.
/// <c>conv(32,3,pad=1) relu maxpool(2) conv(64,3,pad=1) relu maxpool(2) flatten dense(128) relu dense(10)</c>,
/// or the name of a built-in architecture (<see cref="Named"/>). Grammar (names case-insensitive,
/// '_' may stand for '-'):
/// <code>
/// spec   := name | layer { ["->"] layer }
/// layer  := conv(OUT, K [, STRIDE [, PAD]] [, stride=S] [, pad=P] [, bias=false])
///         | dense(N | classes) | maxpool(K [, STRIDE [, PAD]]) | avgpool(K [, STRIDE [, PAD]])
///         | batchnorm | dropout(P) | flatten | gap | relu | tanh | sigmoid | leaky-relu [ (SLOPE) ]
///         | res( layer { ["->"] layer } )
/// </code>
/// Pools' stride defaults to the window size; <c>dense(classes)</c> is the data set's class count.
/// <c>gap</c> is global average pooling ([C, H, W] -> [C], flat). <c>res(...)</c> is a residual block
/// on images: its layers' output plus its input; when the shapes differ, the input goes through a 1x1
/// convolution (no bias, the stride of the block's layers together) and batch norm first, as
/// torchvision's BasicBlock downsample.
/// batchnorm is BatchNorm2d after a convolution and BatchNorm1d after a dense layer. A network whose
/// first layer is dense takes its samples flat (images are read row-major, as the dense shorthand
/// always did). The network must end with one output per class.
/// <para>
/// Every network is one of these, the dense shorthand included (<see cref="DenseShorthand"/>): text
/// is read once, by <see cref="Resolve"/>, where it enters FcnLab (a setting, a model file, a
/// sidecar), and the parsed spec travels from there.
/// </para>
/// </summary>
public sealed class ArchSpec
{
    public const double DefaultLeakySlope = 0.01;

    /// <summary>The built-in architectures, by name.</summary>
    public static readonly IReadOnlyDictionary<string, (string Spec, string Description)> Named = new Dictionary<string, (string, string)>
    {
        ["lenet5"] = ("conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten dense(120) relu dense(84) relu dense(classes)",
            "LeCun's LeNet-5 as it is usually written today: 6 and 16 channels of 5x5 (the first padded by 2, so 28x28 inputs stay 28x28), 2x2 max pooling, ReLU, dense 120-84-classes"),
        ["cnn"] = ("conv(32,3,pad=1) batchnorm relu maxpool(2) conv(64,3,pad=1) batchnorm relu maxpool(2) flatten dense(128) relu dropout(0.3) dense(classes)",
            "a small modern CNN: two 3x3 convolutions (32 and 64 channels) with batch norm, ReLU and 2x2 max pooling, then dense 128 with dropout 0.3"),
        ["resnet"] = ("conv(16,3,pad=1,bias=false) batchnorm relu "
            + "res(conv(32,3,stride=2,pad=1,bias=false) batchnorm relu conv(32,3,pad=1,bias=false) batchnorm) relu "
            + "res(conv(64,3,stride=2,pad=1,bias=false) batchnorm relu conv(64,3,pad=1,bias=false) batchnorm) relu "
            + "gap dense(classes)",
            "a small ResNet for 28x28 images: a 3x3 convolution with 16 channels and batch norm, then two residual blocks (torchvision's BasicBlock: two 3x3 convolutions with batch norm, a 1x1 projection) of 32 and 64 channels at 14x14 and 7x7, global average pooling, dense classes"),
    };

    /// <summary>The layers for the help texts and error messages.</summary>
    public const string LayerHelp =
        "conv(out,k[,stride=1][,pad=0][,bias=false]), dense(n|classes), maxpool(k[,stride=k][,pad=0]), avgpool(k[,stride=k][,pad=0]), batchnorm, dropout(p), flatten, gap, relu, tanh, sigmoid, leaky-relu[(slope)], res(layers...)";

    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>The text the layers were parsed from (a built-in name's expansion when a name was given; the canonical text for layers not parsed).</summary>
    public string Source { get; }

    /// <summary>The built-in architecture's name (<see cref="Named"/>) when the spec was given by it; else null.</summary>
    public string? Name { get; }

    /// <summary>
    /// The dense shorthand that writes this network: the settings it was resolved from, else the one its
    /// layers spell (a dense-only network of that pattern); null for any other network.
    /// </summary>
    public DenseShorthand? Shorthand { get; }

    private ArchSpec(IReadOnlyList<LayerSpec> layers, string source, string? name, DenseShorthand? shorthand)
    {
        if (layers.Count == 0)
            throw new FcnLabException($"--arch has no layers: give a built-in architecture ({string.Join(", ", Named.Keys)}) or layers such as \"conv(32,3,pad=1) relu maxpool(2) flatten dense(10)\". Layers: {LayerHelp}.");
        Layers = layers;
        Source = source;
        Name = name;
        Shorthand = shorthand ?? DenseShorthand.Recognize(layers);
    }

    /// <summary>The canonical text: every layer in its canonical spelling, separated by single spaces.</summary>
    public string Text => string.Join(" ", Layers.Select(l => l.Text));

    public override string ToString() => Text;

    /// <summary>
    /// The architecture of a setting, a model file or a sidecar: <paramref name="arch"/>'s text (a spec
    /// or a built-in name) when there is one, else the dense shorthand. The one place text is parsed.
    /// </summary>
    public static ArchSpec Resolve(string? arch, DenseShorthand? shorthand) =>
        arch != null ? Parse(arch)
        : shorthand?.ToArchSpec() ?? throw new ArgumentNullException(nameof(shorthand), "An architecture needs a spec text or the dense shorthand.");

    /// <summary>Layers put together (not parsed): their text is the canonical one, and errors point into it.</summary>
    public static ArchSpec FromLayers(IEnumerable<LayerSpec> layers, string? name = null, DenseShorthand? shorthand = null)
    {
        var placed = Place(layers, 0);
        return new ArchSpec(placed, string.Join(" ", placed.Select(l => l.Text)), name, shorthand);
    }

    /// <summary>The layers with their positions in their canonical text, which starts at <paramref name="position"/> (a block's layers in its "res(...)").</summary>
    private static List<LayerSpec> Place(IEnumerable<LayerSpec> layers, int position)
    {
        var placed = new List<LayerSpec>();
        foreach (var layer in layers)
        {
            string text = layer.Text;
            placed.Add(layer with { Position = position, Length = text.Length, Body = layer.Kind == LayerKind.Res ? Place(layer.Body, position + "res(".Length) : layer.Body });
            position += text.Length + 1;
        }
        return placed;
    }

    /// <summary>The same layers with dense(classes) given <paramref name="classes"/> outputs.</summary>
    public ArchSpec WithClasses(int classes) =>
        FromLayers(Layers.Select(l => l.Kind == LayerKind.Dense && l.Features == LayerSpec.Classes ? l with { Features = classes } : l), Name, Shorthand);

    /// <summary>Parses a spec or a built-in name; errors say what is wrong and point at it. Text from outside goes through <see cref="Resolve"/>.</summary>
    public static ArchSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string key = text.Trim().ToLowerInvariant();
        if (Named.TryGetValue(key, out var named)) return new Parser(named.Spec, key).Parse();
        if (key.Length == 0)
            throw new FcnLabException($"--arch is empty: give a built-in architecture ({string.Join(", ", Named.Keys)}) or layers such as \"conv(32,3,pad=1) relu maxpool(2) flatten dense(10)\". Layers: {LayerHelp}.");
        return new Parser(text, null).Parse();
    }

    /// <summary>
    /// The short name of the architecture in run directories' names: the built-in name ("lenet5"), the
    /// dense shorthand's ("1200x2000x800", "1200x2000x800-bn", "softmax"), else "arch".
    /// </summary>
    public string RunName => Name ?? Shorthand?.RunName ?? "arch";

    /// <summary>The per-sample shape the network's first layer takes: flat when it is dense, else <paramref name="inputShape"/>.</summary>
    public int[] NetworkInputShape(int[] inputShape) =>
        Layers[0].Kind == LayerKind.Dense && inputShape.Length != 1 ? [inputShape.Aggregate(1, (n, d) => checked(n * d))] : inputShape;

    /// <summary>
    /// The activation whose gain (Kaiming) initializes weighted layer <paramref name="index"/>: the one
    /// after it (before the next weighted layer), else the nearest one before it, else the dense
    /// shorthand's --activation (softmax regression has no activation layer but its setting), else ReLU.
    /// </summary>
    public (Activation Activation, float NegativeSlope) GainActivation(int index) =>
        GainActivation(Layers, index, Shorthand is { } d ? d.ActivationLayer().Activation!.Value : (Activation.ReLU, 0f));

    /// <summary>
    /// As the overload, for layer <paramref name="index"/> of <paramref name="layers"/> (a network's or
    /// a res block's): the activation after it, else before it, else <paramref name="fallback"/> (for a
    /// block's layers, the block's own gain activation in the network).
    /// </summary>
    public static (Activation Activation, float NegativeSlope) GainActivation(IReadOnlyList<LayerSpec> layers, int index, (Activation, float) fallback)
    {
        for (int j = index + 1; j < layers.Count && !layers[j].IsWeighted; j++)
            if (layers[j].Activation is { } after) return after;
        for (int j = index - 1; j >= 0; j--)
            if (layers[j].Activation is { } before) return before;
        return fallback;
    }

    /// <summary>Each layer's per-sample output shape for a per-sample input shape, checking that the layers fit together and end with one output per class.</summary>
    public IReadOnlyList<int[]> Shapes(int[] inputShape, int classes)
    {
        var shapes = new List<int[]>();
        var shape = NetworkInputShape(inputShape);
        foreach (var layer in Layers)
        {
            shape = OutputShape(layer, shape, classes);
            shapes.Add(shape);
        }
        if (shape.Length != 1 || shape[0] != classes)
            throw new FcnLabException(Error(Source, Layers[^1], $"the network ends with {ShapeText(shape)} per sample, but the data set has {classes} classes",
                $"End the spec with dense({classes}) or dense(classes) (after flatten, for images)."));
        return shapes;
    }

    /// <summary>Layer <paramref name="l"/>'s per-sample output shape for <paramref name="shape"/>; errors point at it in <see cref="Source"/>.</summary>
    internal int[] OutputShape(LayerSpec l, int[] shape, int classes)
    {
        bool image = shape.Length == 3;
        FcnLabException Need(string what, string hint) => new(Error(Source, l, $"{l.Text} needs {what} but gets {ShapeText(shape)} per sample", hint));
        switch (l.Kind)
        {
            case LayerKind.Conv or LayerKind.MaxPool or LayerKind.AvgPool:
                if (!image) throw Need("images [channels, height, width]", "Convolutions and pooling come before flatten.");
                int window = l.KernelSize;
                if (shape[1] + 2L * l.Padding < window || shape[2] + 2L * l.Padding < window)
                    throw new FcnLabException(Error(Source, l, $"{l.Text} gets {ShapeText(shape)} per sample: the {shape[1]}x{shape[2]} image (padded by {l.Padding}) is smaller than its {window}x{window} window",
                        "Pool less before it, pad more, or use a smaller window."));
                long h = (shape[1] + 2L * l.Padding - window) / l.Stride + 1, w = (shape[2] + 2L * l.Padding - window) / l.Stride + 1;
                return Fitting(l, [l.Kind == LayerKind.Conv ? l.Channels : shape[0], h, w]);
            case LayerKind.Dense:
                if (shape.Length != 1) throw Need("a flat input", "Put flatten before it.");
                return [l.Features == LayerSpec.Classes ? classes : l.Features];
            case LayerKind.BatchNorm:
                if (shape.Length is not (1 or 3)) throw Need("[channels, height, width] or [features]", "Put batchnorm after a conv or a dense layer.");
                return shape;
            case LayerKind.Flatten:
                return Fitting(l, [shape.Aggregate(1L, (n, d) => n * d)]);
            case LayerKind.Gap:
                if (!image) throw Need("images [channels, height, width]", "Put gap after the convolutions, in place of flatten.");
                return [shape[0]];
            case LayerKind.Res:
            {
                if (!image) throw Need("images [channels, height, width]", "Residual blocks come before flatten or gap.");
                var body = shape;
                foreach (var inner in l.Body) body = OutputShape(inner, body, classes);
                if (body.Length != 3)
                    throw new FcnLabException(Error(Source, l, $"{l.Text} gives {ShapeText(body)} per sample; a residual block's layers must give images, to add to its input",
                        "Leave flatten, gap and dense out of the block."));
                if (!body.SequenceEqual(shape))
                {
                    int stride = ProjectionStride(l);
                    long ph = (shape[1] - 1L) / stride + 1, pw = (shape[2] - 1L) / stride + 1;
                    if (ph != body[1] || pw != body[2])
                        throw new FcnLabException(Error(Source, l, $"{l.Text} turns {ShapeText(shape)} into {ShapeText(body)}; the 1x1 projection of its input (stride {stride}, the block's strides together) gives [{body[0]}, {ph}, {pw}], which cannot be added",
                            "Pad the block's convolutions so that only their strides shrink the image (a 3x3 convolution with pad=1)."));
                }
                return body;
            }
            default:
                return shape;
        }
    }

    /// <summary>The stride of a res block's projection: the product of its convolutions' and pools' strides (1 when they keep the size).</summary>
    public static int ProjectionStride(LayerSpec block)
    {
        long stride = 1;
        foreach (var l in block.Body)
            if (l.Kind is LayerKind.Conv or LayerKind.MaxPool or LayerKind.AvgPool) stride = Math.Min(stride * l.Stride, int.MaxValue);
            else if (l.Kind == LayerKind.Res) stride = Math.Min(stride * ProjectionStride(l), int.MaxValue);
        return (int)stride;
    }

    /// <summary>The shape, when a sample of it fits in one tensor row (2^31 - 1 values); else a clear error.</summary>
    private int[] Fitting(LayerSpec l, long[] shape)
    {
        long values = 1;
        foreach (long d in shape)
            if ((values *= d) > int.MaxValue)
                throw new FcnLabException(Error(Source, l, $"{l.Text} would give {ShapeText(shape)} per sample, more than the {int.MaxValue} values FcnLab can hold",
                    "Use fewer channels or pool earlier."));
        return [.. shape.Select(d => (int)d)];
    }

    /// <summary>A shape as "[16, 5, 5]".</summary>
    internal static string ShapeText<T>(IReadOnlyList<T> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>"--arch: message (character N):", the spec with the layer underlined, and a hint on the next line.</summary>
    private static string Error(string source, LayerSpec layer, string message, string? hint = null) => Error(source, layer.Position, layer.Length, message, hint);

    private static string Error(string source, int position, int length, string message, string? hint = null)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"--arch: {message} (character {position + 1}):\n");
        sb.Append("  ").Append(source.ReplaceLineEndings(" ")).Append('\n');
        sb.Append("  ").Append(' ', position).Append('^', Math.Max(1, length));
        if (hint != null) sb.Append("\n  ").Append(hint);
        return sb.ToString();
    }

    /// <summary>A hand-written recursive-descent parser over the spec text, keeping positions for errors.</summary>
    /// <param name="builtIn">The built-in name <paramref name="text"/> is the expansion of, if any.</param>
    private sealed class Parser(string text, string? builtIn)
    {
        private int _pos;

        public ArchSpec Parse()
        {
            var layers = new List<LayerSpec>();
            while (true)
            {
                SkipSeparators();
                if (_pos >= text.Length) break;
                layers.Add(ParseLayer());
            }
            return new ArchSpec(layers, text, builtIn, null);
        }

        /// <summary>A res block's layers, after its '(' up to and past its ')'.</summary>
        private LayerSpec ParseBlock(string name, int start)
        {
            int open = _pos - 1;
            var body = new List<LayerSpec>();
            while (true)
            {
                SkipSeparators();
                if (_pos >= text.Length)
                    throw Fail(open, 1, $"{name}( is not closed: expected layers and ')'");
                if (text[_pos] == ')') break;
                body.Add(ParseLayer());
            }
            _pos++; // ')'
            if (body.Count == 0)
                throw Fail(start, _pos - start, $"{name}() has no layers", "Give the block's layers, e.g. res(conv(64,3,pad=1) batchnorm relu conv(64,3,pad=1) batchnorm).");
            return new LayerSpec { Kind = LayerKind.Res, Body = body, Position = start, Length = _pos - start };
        }

        private void SkipSeparators()
        {
            while (_pos < text.Length)
            {
                if (char.IsWhiteSpace(text[_pos]) || text[_pos] == ',') _pos++;
                else if (text[_pos] == '-' && _pos + 1 < text.Length && text[_pos + 1] == '>') _pos += 2;
                else break;
            }
        }

        private void SkipSpaces()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.';

        private string ReadWord()
        {
            int start = _pos;
            while (_pos < text.Length && IsNameChar(text[_pos]) && !(text[_pos] == '-' && _pos + 1 < text.Length && text[_pos + 1] == '>')) _pos++;
            return text[start.._pos];
        }

        private FcnLabException Fail(int position, int length, string message, string? hint = null) => new(Error(text, position, length, message, hint));

        private LayerSpec ParseLayer()
        {
            int start = _pos;
            if (!char.IsAsciiLetter(text[_pos]))
                throw Fail(_pos, 1, $"expected a layer name, found '{text[_pos]}'", $"Layers: {LayerHelp}.");
            string name = ReadWord();
            string key = name.ToLowerInvariant().Replace('_', '-');
            var args = new List<(string? Key, string Value, int Position)>();
            int afterName = _pos;
            SkipSpaces();
            if (key is "res" or "residual")
            {
                if (_pos >= text.Length || text[_pos] != '(')
                    throw Fail(start, name.Length, $"{name} needs its layers in parentheses", "E.g. res(conv(64,3,pad=1) batchnorm relu conv(64,3,pad=1) batchnorm).");
                _pos++;
                return ParseBlock(name, start);
            }
            if (_pos < text.Length && text[_pos] == '(')
            {
                _pos++;
                while (true)
                {
                    SkipSpaces();
                    if (_pos < text.Length && text[_pos] == ')' && args.Count == 0) break;
                    int argStart = _pos;
                    string word = ReadWord();
                    if (word.Length == 0)
                        throw Fail(_pos, 1, _pos >= text.Length ? $"{name}( is not closed: expected an argument and ')'" : $"expected an argument of {name}, found '{text[_pos]}'");
                    SkipSpaces();
                    if (_pos < text.Length && text[_pos] == '=')
                    {
                        _pos++;
                        SkipSpaces();
                        int valueStart = _pos;
                        string value = ReadWord();
                        if (value.Length == 0) throw Fail(valueStart, 1, $"{word}= needs a value");
                        args.Add((word.ToLowerInvariant(), value, valueStart));
                    }
                    else
                    {
                        if (args.Any(a => a.Key != null)) throw Fail(argStart, word.Length, $"positional argument '{word}' of {name} after a named one; write the positional ones first");
                        args.Add((null, word, argStart));
                    }
                    SkipSpaces();
                    if (_pos < text.Length && text[_pos] == ',') { _pos++; continue; }
                    if (_pos < text.Length && text[_pos] == ')') break;
                    throw Fail(Math.Min(_pos, text.Length - 1), 1, _pos >= text.Length ? $"{name}( is not closed: expected ')'" : $"expected ',' or ')' in the arguments of {name}, found '{text[_pos]}'");
                }
                _pos++; // ')'
            }
            else
            {
                _pos = afterName;
            }
            return Make(key, name, args, start, _pos - start);
        }

        private LayerSpec Make(string key, string name, List<(string? Key, string Value, int Position)> args, int start, int length)
        {
            var layer = new LayerSpec { Kind = LayerKind.ReLU, Position = start, Length = length };
            switch (key)
            {
                case "conv" or "conv2d":
                {
                    var a = Arguments(name, args, ["out", "k", "stride", "pad"], ["stride", "pad", "padding", "bias"], required: 2, start, length);
                    int channels = PositiveInt(a, "out"), kernel = PositiveInt(a, "k");
                    return layer with
                    {
                        Kind = LayerKind.Conv,
                        Channels = channels,
                        KernelSize = kernel,
                        Stride = a.ContainsKey("stride") ? PositiveInt(a, "stride") : 1,
                        Padding = PaddingArg(a, kernel),
                        Bias = !a.TryGetValue("bias", out var bias) || Boolean(bias),
                    };
                }
                case "dense" or "linear":
                {
                    var a = Arguments(name, args, ["n"], [], required: 1, start, length);
                    int features = a["n"].Value.Equals("classes", StringComparison.OrdinalIgnoreCase) ? LayerSpec.Classes : PositiveInt(a, "n");
                    return layer with { Kind = LayerKind.Dense, Features = features };
                }
                case "maxpool" or "maxpool2d" or "max-pool" or "avgpool" or "avgpool2d" or "avg-pool":
                {
                    var a = Arguments(name, args, ["k", "stride", "pad"], ["stride", "pad", "padding"], required: 1, start, length);
                    int size = PositiveInt(a, "k");
                    int pad = PaddingArg(a, size);
                    if (2 * pad > size) throw Fail(a["pad"].Position, a["pad"].Value.Length, $"{name}: padding {pad} must be at most half the window {size}");
                    return layer with
                    {
                        Kind = key.StartsWith("max", StringComparison.Ordinal) ? LayerKind.MaxPool : LayerKind.AvgPool,
                        KernelSize = size,
                        Stride = a.ContainsKey("stride") ? PositiveInt(a, "stride") : size,
                        Padding = pad,
                    };
                }
                case "dropout":
                {
                    var a = Arguments(name, args, ["p"], [], required: 1, start, length);
                    double p = Number(a, "p");
                    if (!(p >= 0 && p < 1)) throw Fail(a["p"].Position, a["p"].Value.Length, $"dropout probability must be in [0, 1) (got {a["p"].Value})");
                    return layer with { Kind = LayerKind.Dropout, DropoutP = p };
                }
                case "leaky-relu" or "leakyrelu":
                {
                    var a = Arguments(name, args, ["slope"], [], required: 0, start, length);
                    double slope = a.ContainsKey("slope") ? Number(a, "slope") : DefaultLeakySlope;
                    if (!(slope >= 0)) throw Fail(a["slope"].Position, a["slope"].Value.Length, $"the leaky-relu slope must be a number >= 0 (got {a["slope"].Value})");
                    return layer with { Kind = LayerKind.LeakyReLU, NegativeSlope = slope };
                }
                case "batchnorm" or "batch-norm" or "bn" or "flatten" or "gap" or "relu" or "tanh" or "sigmoid":
                    Arguments(name, args, [], [], required: 0, start, length);
                    return layer with
                    {
                        Kind = key switch
                        {
                            "flatten" => LayerKind.Flatten,
                            "gap" => LayerKind.Gap,
                            "relu" => LayerKind.ReLU,
                            "tanh" => LayerKind.Tanh,
                            "sigmoid" => LayerKind.Sigmoid,
                            _ => LayerKind.BatchNorm,
                        },
                    };
                default:
                    if (Named.ContainsKey(key))
                        throw Fail(start, name.Length, $"'{name}' is a built-in architecture, not a layer", $"Give it alone: --arch {key}.");
                    throw Fail(start, name.Length, $"unknown layer '{name}'", $"Layers: {LayerHelp}. Built-in architectures (alone): {string.Join(", ", Named.Keys)}.");
            }
        }

        /// <summary>Positional arguments by their names, then named ones; unknown, repeated or missing ones are errors.</summary>
        private Dictionary<string, (string Value, int Position)> Arguments(string layer, List<(string? Key, string Value, int Position)> args,
            string[] positional, string[] named, int required, int start, int length)
        {
            var result = new Dictionary<string, (string, int)>();
            int index = 0;
            foreach (var (key, value, position) in args)
            {
                string name;
                if (key == null)
                {
                    if (index >= positional.Length)
                        throw Fail(position, value.Length, positional.Length == 0 ? $"{layer} takes no arguments" : $"{layer} takes at most {positional.Length} positional arguments ({string.Join(", ", positional)})");
                    name = positional[index++];
                }
                else
                {
                    if (!named.Contains(key))
                        throw Fail(position, value.Length, named.Length == 0 ? $"{layer} takes no named arguments (got {key}=)" : $"{layer} has no argument '{key}'; it takes {string.Join(", ", named.Select(n => n + "="))}");
                    name = key == "padding" ? "pad" : key;
                }
                if (!result.TryAdd(name, (value, position))) throw Fail(position, value.Length, $"{layer}: {name} is given twice");
            }
            if (index < required && positional.Take(required).FirstOrDefault(p => !result.ContainsKey(p)) is { } missing)
                throw Fail(start, length, $"{layer} needs {required} argument{(required > 1 ? "s" : "")} ({string.Join(", ", positional.Take(required))}); {missing} is missing");
            return result;
        }

        private int PositiveInt(Dictionary<string, (string Value, int Position)> a, string name)
        {
            var (value, position) = a[name];
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
                throw Fail(position, value.Length, $"{name} must be a whole number >= 1 (got '{value}')");
            return n;
        }

        private int PaddingArg(Dictionary<string, (string Value, int Position)> a, int kernel)
        {
            if (!a.TryGetValue("pad", out var pad)) return 0;
            if (!int.TryParse(pad.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int p))
                throw Fail(pad.Position, pad.Value.Length, $"pad must be a whole number >= 0 (got '{pad.Value}')");
            if (p >= kernel) throw Fail(pad.Position, pad.Value.Length, $"pad {p} must be smaller than the window {kernel}");
            return p;
        }

        private double Number(Dictionary<string, (string Value, int Position)> a, string name)
        {
            var (value, position) = a[name];
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d))
                throw Fail(position, value.Length, $"{name} must be a number (got '{value}')");
            return d;
        }

        private bool Boolean((string Value, int Position) arg) => arg.Value.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw Fail(arg.Position, arg.Value.Length, $"bias must be true or false (got '{arg.Value}')"),
        };
    }
}
