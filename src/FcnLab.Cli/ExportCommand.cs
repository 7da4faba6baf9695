using FcnLab.Interop.Onnx;
using FcnLab.Interop.SafeTensors;

namespace FcnLab.Cli;

/// <summary>fcnlab export: a trained model as ONNX (for ONNX Runtime and friends) or as safetensors with a JSON sidecar (for PyTorch).</summary>
public static class ExportCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("export", "Export a trained model: ONNX, or safetensors under PyTorch's state_dict names with a JSON sidecar.");
        var model = new Option<string>("--model") { Description = "model.fcnlab file or run directory.", Required = true, HelpName = "file|run-dir" };
        var format = new Option<string>("--format") { Description = "onnx or safetensors.", Required = true, HelpName = "onnx|safetensors" };
        format.Validators.Add(result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (text is not ("onnx" or "safetensors")) result.AddError($"--format takes onnx or safetensors (got '{text}').");
        });
        var output = new Option<string>("--out") { Description = "Output file. Default: model.onnx or model.safetensors beside the model file.", HelpName = "path" };
        var softmax = new Option<bool>("--softmax") { Description = "ONNX: add a second output, 'probabilities' (softmax of the logits)." };
        var opset = WholeNumberOption.Create("--opset", "ONNX opset version, 13 to 17. Default: 13.");
        foreach (var o in new Option[] { model, format, output, softmax, opset }) command.Options.Add(o);
        command.SetAction(parse => Execute(parse.GetValue(model)!, parse.GetValue(format)!, parse.GetValue(output),
            parse.GetValue(softmax), parse.GetValue(opset), stdout));
        return command;
    }

    public static int Execute(string modelPath, string format, string? outPath, bool softmax, int? opset, TextWriter stdout)
    {
        var contents = ModelFile.Load(modelPath);
        string modelDir = ModelFile.DirectoryOf(modelPath);
        if (format == "onnx")
        {
            outPath ??= Path.Combine(modelDir, "model.onnx");
            OnnxExporter.Write(contents, outPath, new OnnxExportOptions { Softmax = softmax, Opset = opset ?? 13 });
            stdout.WriteLine($"wrote {outPath} (ONNX, opset {opset ?? 13}, input 'input', output 'logits'{(softmax ? " and 'probabilities'" : "")})");
        }
        else
        {
            if (softmax || opset != null)
                throw new FcnLabException("--softmax and --opset apply to --format onnx only; a safetensors export holds the weights, and its sidecar the layers.");
            outPath ??= Path.Combine(modelDir, "model.safetensors");
            SafeTensorsExporter.Write(contents, outPath);
            stdout.WriteLine($"wrote {outPath}, {outPath}.json (the layers of the equivalent torch.nn.Sequential, input normalization, class names) and {PyTorchScript.PathFor(outPath)} (the network as a torch.nn module)");
        }
        return ExitCodes.Success;
    }
}
