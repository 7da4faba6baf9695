using FcnLab.Engine.Init;
using FcnLab.Engine.Layers;
using FcnLab.Engine.Random;
using FcnLab.Engine.Tensors;

namespace FcnLab.Cli;

/// <summary>fcnlab gradcheck: the numpy study's finite-difference check of backprop (its Table 1).</summary>
public static class GradcheckCommand
{
    private static readonly string[] ModelSettings =
        ["data", "dataset", "image-shape", "classes", "arch", "hidden", "activation", "leaky-slope", "batch-norm", "init", "init-std", "l2", "normalize", "seed", "threads"];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("gradcheck", "Check backprop against (E(w+eps) - E(w-eps)) / 2eps on 10 training examples, one per class, for every layer with parameters (default model: 2 hidden layers of 50, tanh; any --arch).");
        var settings = new SettingOptions(command, TrainSettings.All.Where(s => ModelSettings.Contains(s.Name)),
            new Dictionary<string, string> { ["hidden"] = "default 50,50", ["activation"] = "default tanh" });
        var eps = new Option<string>("--epsilon") { Description = "Perturbation eps; pairs must agree within eps^2. Default 1e-2.", HelpName = "eps" };
        command.Options.Add(eps);
        command.SetAction(parse =>
        {
            var given = settings.Given(parse);
            // The numpy study's network unless an --arch says otherwise.
            var defaults = given.Any(g => g.Key == "arch") ? new TrainConfig() : new TrainConfig { Hidden = [50, 50], Activation = Activation.Tanh };
            var config = TrainSettings.Apply(defaults, given);
            double e = 1e-2;
            if (parse.GetValue(eps) is { } s && (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out e) || !(e > 0)))
                throw new FcnLabException($"--epsilon must be a positive number (got '{s}').");
            return Execute(config, e, stdout);
        });
        return command;
    }

    public static int Execute(TrainConfig config, double eps, TextWriter stdout)
    {
        config.Validate();
        var data = DatasetCatalog.Load(config.DataOptions);
        // One training example per class: the first of each, in file order.
        var picked = new List<int>();
        for (int c = 0; c < data.Classes; c++)
        {
            int i = Array.IndexOf(data.Train.Labels, c);
            if (i >= 0) picked.Add(i);
        }
        var all = Enumerable.Range(0, data.Train.Count).ToArray();
        var normalization = Normalization.Fit(config.Normalize, data.Train, all);
        var x = normalization.Apply(data.Train, picked.ToArray());
        var labels = picked.Select(i => data.Train.Labels[i]).ToArray();

        using var pool = new WorkerPool(config.Threads);
        var spec = config.ToModelSpec(data.ImageShape, data.Classes);
        var network = NetworkBuilder.Build(spec, pool, new Rng(0));
        NetworkBuilder.Initialize(network, spec, config.Init, config.InitStd, Rng.ForPurpose(config.Seed, "init"));
        var rows = GradientCheck.Run(network, x, labels, config.L2, eps);

        var inv = CultureInfo.InvariantCulture;
        stdout.WriteLine($"model: {network.Describe()}");
        stdout.WriteLine(string.Format(inv, "{0} training examples (one per class), eps = {1:G}, tolerance eps^2 = {2:G}; weight indices are [out, in] as in PyTorch", labels.Length, eps, eps * eps));
        stdout.WriteLine();
        int width = Math.Max(18, rows.Max(r => r.Description.Length));
        stdout.WriteLine($"{"Weight".PadRight(width)}  {"dE/dw (backprop)",16}  {"approximation",16}  {"|difference|",12}  within eps^2?");
        foreach (var r in rows)
        {
            string verdict = r.Kink ? "kink" : r.Agrees ? "True" : "FALSE";
            stdout.WriteLine(string.Format(inv, "{0}  {1,16:F8}  {2,16:F8}  {3,12:E2}  {4}", r.Description.PadRight(width), r.Analytic, r.Approximate, r.Difference, verdict));
        }
        int kinks = rows.Count(r => r.Kink), failed = rows.Count(r => !r.Agrees);
        stdout.WriteLine();
        if (kinks > 0)
            stdout.WriteLine($"kink: an input of a ReLU-family activation changed sign, or a max-pool window changed its winner, between w-eps and w+eps, so the difference quotient straddles a point where the function is not differentiable; {kinks} such row(s) are not judged.");
        stdout.WriteLine(failed == 0
            ? $"gradcheck passed: {rows.Count - kinks} of {rows.Count} pairs agree within eps^2."
            : $"gradcheck FAILED: {failed} of {rows.Count - kinks} judged pairs disagree by more than eps^2.");
        return failed == 0 ? ExitCodes.Success : ExitCodes.CheckFailed;
    }
}
