using System.Globalization;
using FcnLab.Engine;
using FcnLab.Engine.Models;

namespace FcnLab.Interop.SafeTensors;

/// <summary>
/// The other way from <see cref="PyTorchModules.Describe"/>: a sidecar's <c>layers</c> (one torch.nn
/// module per nn.Sequential index) -> the FcnLab architecture that computes exactly the same. Takes
/// FcnLab's own spelling ("Linear(784, 256)") and PyTorch 1.13's repr ("Linear(in_features=784,
/// out_features=256, bias=True)", "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"):
/// positional and keyword arguments as the modules' constructors take them, a tuple of equal sizes as
/// one size. Whatever FcnLab cannot compute exactly is an error naming the layer and what it lacks.
/// PyTorch's repr leaves out some arguments (AvgPool2d's ceil_mode, count_include_pad and
/// divisor_override): those are taken as PyTorch's defaults unless written.
/// </summary>
public static class PyTorchLayerParser
{
    /// <summary>The --arch spec text (canonical) of <paramref name="layers"/>, one FcnLab layer per module so the state_dict indices stay.</summary>
    public static string ParseLayers(IReadOnlyList<string> layers) => ArchSpec.FromLayers(Parse(layers).Select(m => m.Layer)).Text;

    /// <summary>
    /// The model spec of <paramref name="layers"/> for samples of <paramref name="inputShape"/>, checked
    /// against the sizes the modules state (Linear's in_features, Conv2d's in_channels, BatchNorm's
    /// num_features). A network that starts with Linear reads image inputs flat, as PyTorch's Flatten
    /// before it would (export writes dense models so), and keeps their image shape.
    /// </summary>
    public static ModelSpec ToModelSpec(IReadOnlyList<string> layers, int[] inputShape, int classes)
    {
        var modules = Parse(layers);
        var arch = ArchSpec.FromLayers(modules.Select(m => m.Layer));
        var spec = new ModelSpec(arch, inputShape, classes);
        try
        {
            NetworkBuilder.Validate(spec);
        }
        catch (FcnLabException e)
        {
            throw new FcnLabException($"The sidecar's layers, as FcnLab's --arch \"{arch.Text}\", do not fit inputs of [{string.Join(", ", spec.InputShape)}] and {classes} classes:\n{e.Message}", e);
        }
        CheckSizes(modules, spec);
        return spec;
    }

    /// <summary>One module: its index and text in the list, the FcnLab layer it is, and the sizes it states (null where it states none).</summary>
    private sealed record Module(int Index, string Text, LayerSpec Layer, int? In = null, int? Out = null);

    /// <summary>A module as FcnLab's layer text, before it is read: the layer's spelling and the sizes the module states.</summary>
    private sealed record ModuleText(string Arch, int? In = null, int? Out = null);

    private static List<Module> Parse(IReadOnlyList<string> layers)
    {
        if (layers.Count == 0) throw new FcnLabException("The sidecar's layers list is empty: it needs one torch.nn module per nn.Sequential index, e.g. [\"Flatten()\", \"Linear(784, 10)\"].");
        var modules = new List<Module>();
        for (int i = 0; i < layers.Count; i++)
        {
            var module = ParseModule(i, layers[i]);
            LayerSpec layer;
            try
            {
                // FcnLab's own limits (pool padding at most half the window, dropout p < 1, ...) with the parser's messages.
                layer = ArchSpec.Resolve(module.Arch, shorthand: null).Layers[0];
            }
            catch (FcnLabException e)
            {
                throw Unsupported(i, layers[i], $"FcnLab's {module.Arch} is refused:\n{e.Message}");
            }
            modules.Add(new Module(i, layers[i], layer, module.In, module.Out));
        }
        return modules;
    }

    private static FcnLabException Unsupported(int index, string text, string what) =>
        new($"The sidecar's layer {index.ToString(CultureInfo.InvariantCulture)} \"{text}\": {what}");

    private static ModuleText ParseModule(int index, string text)
    {
        var call = Call.Parse(text) ?? throw Unsupported(index, text, "is not a module constructor call such as \"Linear(784, 10)\" or \"ReLU()\".");
        FcnLabException No(string what) => Unsupported(index, text, what);
        string name = call.Name;
        foreach (var prefix in new[] { "torch.nn.", "nn." })
            if (name.StartsWith(prefix, StringComparison.Ordinal)) name = name[prefix.Length..];
        var a = new Arguments(call, No);
        string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        switch (name)
        {
            case "Linear":
            {
                a.Bind("in_features", "out_features", "bias", "device", "dtype");
                int inF = a.Int("in_features"), outF = a.Int("out_features");
                if (!a.Bool("bias", true)) throw No("bias=False is not supported: FcnLab's dense layer always has a bias.");
                a.Default("device", "dtype");
                return new ModuleText($"dense({outF})", inF, outF);
            }
            case "Conv2d":
            {
                a.Bind("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode", "device", "dtype");
                int inC = a.Int("in_channels"), outC = a.Int("out_channels"), k = a.Square("kernel_size");
                int stride = a.Has("stride") ? a.Square("stride") : 1;
                if (a.Has("dilation") && a.Square("dilation") != 1) throw No("dilation other than 1 is not supported: FcnLab's conv is not dilated.");
                if (a.Has("groups") && a.Int("groups") != 1) throw No("groups other than 1 is not supported: FcnLab's conv connects every input channel to every output channel.");
                if (a.Has("padding_mode") && a.Word("padding_mode") != "zeros") throw No($"padding_mode={a.Word("padding_mode")} is not supported: FcnLab's conv pads with zeros.");
                int pad = 0;
                if (a.Has("padding"))
                {
                    string? word = a.IsWord("padding") ? a.Word("padding") : null;
                    if (word == "valid") pad = 0;
                    else if (word == "same")
                    {
                        // 'same' pads (k - 1) / 2 on each side; an even kernel pads unevenly, which FcnLab cannot.
                        if (k % 2 == 0) throw No($"padding=same with the even kernel {k} pads one side more than the other, which FcnLab's conv cannot; use an odd kernel.");
                        pad = (k - 1) / 2;
                    }
                    else if (word != null) throw No($"padding={word} is not a padding FcnLab knows (a size, same or valid).");
                    else pad = a.Square("padding", allowZero: true);
                }
                bool bias = a.Bool("bias", true);
                a.Default("device", "dtype");
                return new ModuleText($"conv({outC},{k},stride={stride},pad={pad}{(bias ? "" : ",bias=false")})", inC, outC);
            }
            case "BatchNorm1d" or "BatchNorm2d":
            {
                a.Bind("num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype");
                int features = a.Int("num_features");
                // FcnLab's batchnorm has PyTorch's defaults and --arch cannot change them.
                if (a.Has("eps") && a.Number("eps") != 1e-5) throw No($"eps={a.Raw("eps")} is not supported: FcnLab's batchnorm has PyTorch's default eps=1e-05.");
                if (a.Has("momentum") && (a.IsWord("momentum") || a.Number("momentum") != 0.1))
                    throw No($"momentum={a.Raw("momentum")} is not supported: FcnLab's batchnorm has PyTorch's default momentum=0.1 (it matters when training on).");
                if (!a.Bool("affine", true)) throw No("affine=False is not supported: FcnLab's batchnorm always has its weight and bias.");
                if (!a.Bool("track_running_stats", true)) throw No("track_running_stats=False is not supported: FcnLab's batchnorm keeps running statistics and uses them in eval.");
                a.Default("device", "dtype");
                return new ModuleText("batchnorm", features, name == "BatchNorm1d" ? 1 : 2);
            }
            case "ReLU" or "Sigmoid" or "Tanh":
                if (name == "ReLU") a.Bind("inplace"); else a.Bind();
                return new ModuleText(name.ToLowerInvariant());
            case "LeakyReLU":
                a.Bind("negative_slope", "inplace");
                return new ModuleText($"leaky-relu({R(a.Has("negative_slope") ? a.Number("negative_slope") : 0.01)})");
            case "Dropout":
                a.Bind("p", "inplace");
                return new ModuleText($"dropout({R(a.Has("p") ? a.Number("p") : 0.5)})");
            case "MaxPool2d" or "AvgPool2d":
            {
                bool max = name == "MaxPool2d";
                if (max) a.Bind("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode");
                else a.Bind("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override");
                int k = a.Square("kernel_size");
                // stride=None is the window size, as in PyTorch.
                int stride = a.Has("stride") && !(a.IsWord("stride") && a.Word("stride") == "None") ? a.Square("stride") : k;
                int pad = a.Has("padding") ? a.Square("padding", allowZero: true) : 0;
                if (a.Bool("ceil_mode", false)) throw No("ceil_mode=True is not supported: FcnLab's pools round the output size down.");
                if (max)
                {
                    if (a.Has("dilation") && a.Square("dilation") != 1) throw No("dilation other than 1 is not supported: FcnLab's max pool is not dilated.");
                    if (a.Bool("return_indices", false)) throw No("return_indices=True is not supported: FcnLab's max pool returns the pooled values only.");
                }
                else
                {
                    if (!a.Bool("count_include_pad", true)) throw No("count_include_pad=False is not supported: FcnLab's average pool divides by the whole window, padding included.");
                    if (a.Has("divisor_override") && !(a.IsWord("divisor_override") && a.Word("divisor_override") == "None"))
                        throw No("divisor_override is not supported: FcnLab's average pool divides by the window size.");
                }
                return new ModuleText($"{(max ? "maxpool" : "avgpool")}({k},stride={stride},pad={pad})");
            }
            case "Flatten":
            {
                a.Bind("start_dim", "end_dim");
                int start = a.Has("start_dim") ? a.SignedInt("start_dim") : 1, end = a.Has("end_dim") ? a.SignedInt("end_dim") : -1;
                if (start != 1 || end != -1) throw No($"start_dim={start}, end_dim={end} is not supported: FcnLab's flatten keeps the batch dimension and flattens the rest (start_dim=1, end_dim=-1).");
                return new ModuleText("flatten");
            }
            default:
                throw No($"{name} is not a module FcnLab has. FcnLab's: Linear, Conv2d, BatchNorm1d, BatchNorm2d, ReLU, LeakyReLU, Sigmoid, Tanh, Dropout, MaxPool2d, AvgPool2d, Flatten.");
        }
    }

    /// <summary>
    /// Each module's stated sizes against the shapes the layers before it give for the model's input
    /// shape, computed from the spec alone: nothing is allocated by the sizes a sidecar states before the
    /// weights file confirms them, and a list that disagrees with itself or with the input shape is
    /// named here, not as a state_dict shape mismatch.
    /// </summary>
    private static void CheckSizes(List<Module> modules, ModelSpec spec)
    {
        int[] shape = spec.NetworkInputShape;
        var outputs = spec.Arch.Shapes(spec.InputShape, spec.Classes);
        string input = $"inputs of [{string.Join(", ", spec.InputShape)}]";
        for (int i = 0; i < modules.Count; i++)
        {
            var m = modules[i];
            string shapeText = "[" + string.Join(", ", shape) + "]";
            string? wrong = m.Layer.Kind switch
            {
                LayerKind.Dense when shape[0] != m.In => $"it takes {m.In} features, but with {input} the layers before it give [{shape[0]}]",
                LayerKind.Conv when shape[0] != m.In => $"it takes {m.In} channels, but with {input} the layers before it give {shapeText}",
                LayerKind.BatchNorm when shape.Length == 1 && m.Out == 2 => $"it is BatchNorm2d, but with {input} the layers before it give flat {shapeText}; that is BatchNorm1d",
                LayerKind.BatchNorm when shape.Length == 3 && m.Out == 1 => $"it is BatchNorm1d, but with {input} the layers before it give images {shapeText}; that is BatchNorm2d",
                LayerKind.BatchNorm when shape[0] != m.In => $"it has {m.In} features, but with {input} the layers before it give {shapeText}",
                _ => null,
            };
            if (wrong != null)
                throw new FcnLabException($"The sidecar's layer {i} \"{m.Text}\" does not fit: {wrong}. Check the layers list and the input shape (--input-shape, or input_shape in the sidecar).");
            shape = outputs[i];
        }
    }

    /// <summary>A module constructor call as text: Name(positional..., key=value...), values numbers, words, 'strings' or (tuples).</summary>
    private sealed record Call(string Name, List<Value> Positional, List<(string Key, Value Value)> Named)
    {
        public static Call? Parse(string text)
        {
            int pos = 0;
            void Spaces() { while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++; }
            string Word()
            {
                int start = pos;
                while (pos < text.Length && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] is '_' or '.' or '-' or '+')) pos++;
                return text[start..pos];
            }
            Value? ParseValue()
            {
                Spaces();
                if (pos >= text.Length) return null;
                if (text[pos] is '\'' or '"')
                {
                    char quote = text[pos];
                    int end = text.IndexOf(quote, pos + 1);
                    if (end < 0) return null;
                    var s = new Value(text[(pos + 1)..end], null);
                    pos = end + 1;
                    return s;
                }
                if (text[pos] == '(')
                {
                    pos++;
                    var items = new List<Value>();
                    while (true)
                    {
                        Spaces();
                        if (pos < text.Length && text[pos] == ')') { pos++; return new Value(null, items); }
                        var item = ParseValue();
                        if (item == null || item.Items != null) return null;
                        items.Add(item);
                        Spaces();
                        if (pos < text.Length && text[pos] == ',') pos++;
                        else if (!(pos < text.Length && text[pos] == ')')) return null;
                    }
                }
                string w = Word();
                return w.Length == 0 ? null : new Value(w, null);
            }

            Spaces();
            string name = Word();
            if (name.Length == 0 || !char.IsAsciiLetter(name[0])) return null;
            Spaces();
            var call = new Call(name, [], []);
            if (pos >= text.Length) return call; // "ReLU" without parentheses
            if (text[pos] != '(') return null;
            pos++;
            while (true)
            {
                Spaces();
                if (pos < text.Length && text[pos] == ')') { pos++; break; }
                int save = pos;
                string key = Word();
                Spaces();
                if (key.Length > 0 && pos < text.Length && text[pos] == '=')
                {
                    pos++;
                    var v = ParseValue();
                    if (v == null) return null;
                    call.Named.Add((key, v));
                }
                else
                {
                    pos = save;
                    if (call.Named.Count > 0) return null; // positional after keyword: not Python
                    var v = ParseValue();
                    if (v == null) return null;
                    call.Positional.Add(v);
                }
                Spaces();
                if (pos < text.Length && text[pos] == ',') pos++;
                else if (!(pos < text.Length && text[pos] == ')')) return null;
            }
            Spaces();
            return pos == text.Length ? call : null;
        }
    }

    /// <summary>A scalar as written (a number, True, None, same) or a tuple of scalars.</summary>
    private sealed record Value(string? Text, List<Value>? Items)
    {
        public override string ToString() => Items == null ? Text! : "(" + string.Join(", ", Items.Select(i => i.Text)) + ")";
    }

    /// <summary>A call's arguments bound to a constructor's parameter names, read with the checks and messages FcnLab needs.</summary>
    private sealed class Arguments(Call call, Func<string, FcnLabException> no)
    {
        private readonly Dictionary<string, Value> _values = new(StringComparer.Ordinal);

        /// <summary>Positional arguments take the parameters in order; an unknown, repeated or surplus argument is an error.</summary>
        public void Bind(params string[] parameters)
        {
            if (call.Positional.Count > parameters.Length)
                throw no(parameters.Length == 0 ? "takes no arguments." : $"takes at most {parameters.Length} arguments ({string.Join(", ", parameters)}).");
            for (int i = 0; i < call.Positional.Count; i++) _values[parameters[i]] = call.Positional[i];
            foreach (var (key, value) in call.Named)
            {
                if (!parameters.Contains(key)) throw no(parameters.Length == 0 ? $"takes no arguments (got {key}=)." : $"has no argument '{key}' (it takes {string.Join(", ", parameters)}).");
                if (!_values.TryAdd(key, value)) throw no($"{key} is given twice.");
            }
        }

        public bool Has(string name) => _values.ContainsKey(name);

        public string Raw(string name) => _values[name].ToString();

        public bool IsWord(string name) => _values[name].Text is { } t && !double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

        public string Word(string name) => _values[name].Text ?? throw no($"{name}={Raw(name)} is not a word.");

        private Value Get(string name) => _values.TryGetValue(name, out var v) ? v : throw no($"{name} is missing.");

        public int Int(string name)
        {
            int n = SignedInt(name);
            return n >= 1 ? n : throw no($"{name}={n} must be at least 1.");
        }

        public int SignedInt(string name)
        {
            var v = Get(name);
            return v.Text != null && int.TryParse(v.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n)
                ? n
                : throw no($"{name}={v} is not a whole number.");
        }

        /// <summary>A size, or a tuple of equal sizes (a square kernel, stride or padding); other tuples are errors.</summary>
        public int Square(string name, bool allowZero = false)
        {
            var v = Get(name);
            var items = v.Items ?? [v];
            if (items.Count == 0) throw no($"{name}=() is empty.");
            var sizes = new List<int>();
            foreach (var item in items)
            {
                if (item.Text == null || !int.TryParse(item.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < (allowZero ? 0 : 1))
                    throw no($"{name}={v} is not a whole number{(allowZero ? " >= 0" : " >= 1")} or a tuple of them.");
                sizes.Add(n);
            }
            if (sizes.Any(s => s != sizes[0]))
                throw no($"{name}={v} is not square: FcnLab's conv and pooling use the same size for height and width.");
            return sizes[0];
        }

        public double Number(string name)
        {
            var v = Get(name);
            return v.Text != null && double.TryParse(v.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
                ? d
                : throw no($"{name}={v} is not a number.");
        }

        public bool Bool(string name, bool fallback)
        {
            if (!_values.TryGetValue(name, out var v)) return fallback;
            return v.Text switch
            {
                "True" or "true" => true,
                "False" or "false" => false,
                _ => throw no($"{name}={v} is not True or False."),
            };
        }

        /// <summary>Arguments that only say where and in what type PyTorch keeps the weights: FcnLab's are float32 on the CPU.</summary>
        public void Default(params string[] names)
        {
            foreach (string name in names)
                if (_values.TryGetValue(name, out var v) && !(v.Text is "None" or "cpu" or "float32" or "torch.float32"))
                    throw no($"{name}={v} is not supported: FcnLab computes in float32 on the CPU.");
        }
    }
}
