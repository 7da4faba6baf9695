namespace FcnLab.Cli;

/// <summary>fcnlab summary: a network layer by layer (output shapes, parameters, FLOPs), from flags or a saved model.</summary>
public static class SummaryCommand
{
    private static readonly string[] ModelSettings = ["arch", "hidden", "activation", "leaky-slope", "batch-norm", "dropout", "image-shape", "classes"];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("summary", "Print a network layer by layer: output shapes, parameter counts and FLOPs per sample (--arch SPEC, --hidden, --preset NAME, or --model FILE).");
        var settings = new SettingOptions(command, TrainSettings.All.Where(s => ModelSettings.Contains(s.Name)),
            new Dictionary<string, string> { ["image-shape"] = "default 1x28x28", ["classes"] = "default 10" });
        var preset = new Option<string>("--preset") { Description = $"The network of a preset: {string.Join(", ", Presets.All.Select(p => p.Name))}.", HelpName = "name" };
        var model = new Option<string>("--model") { Description = "A saved model.fcnlab or run directory.", HelpName = "file|run-dir" };
        command.Options.Add(preset);
        command.Options.Add(model);
        command.SetAction(parse =>
        {
            var given = settings.Given(parse);
            if (parse.GetValue(model) is { } path)
            {
                if (given.Count > 0 || parse.GetValue(preset) != null)
                    throw new FcnLabException("--model describes a saved network; give it alone (without --arch, --hidden, --preset or other model flags).");
                var contents = ModelFile.Load(path);
                return Print(contents.Spec, path, stdout);
            }
            var config = Presets.Resolve(new TrainConfig(), parse.GetValue(preset), given);
            config.Validate();
            var spec = config.ToModelSpec(config.ImageShape is { Length: 2 } hw ? [1, .. hw] : config.ImageShape ?? [1, 28, 28], config.Classes ?? 10);
            return Print(spec, null, stdout);
        });
        return command;
    }

    private static int Print(ModelSpec spec, string? modelPath, TextWriter stdout)
    {
        NetworkBuilder.Validate(spec);
        if (modelPath != null) stdout.WriteLine($"model {modelPath}");
        stdout.WriteLine(spec.Arch.Shorthand is { } dense ? $"dense: {dense.Widths(spec.InputFeatures, spec.Classes)}" : $"architecture: {spec.Arch.Text}");
        stdout.Write(ModelSummary.Of(spec).Format());
        return ExitCodes.Success;
    }
}
