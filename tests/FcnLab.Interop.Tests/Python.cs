using System.Diagnostics;

namespace FcnLab.Interop.Tests;

/// <summary>
/// Runs Debian's python3 (with python3-torch, python3-onnx and numpy, which .ci/run installs) on a
/// script, to check FcnLab's exports against the tools users load them into. Never a dependency of
/// FcnLab itself.
/// </summary>
public static class Python
{
    public const string Executable = "/usr/bin/python3";

    /// <summary>The safetensors format in Python (PyTorch 1.13 has no package for it), for test scripts to start with; it also imports json, struct, sys, torch and torch.nn's modules: load(path) -> {name: tensor}, save(path, state_dict).</summary>
    public const string SafeTensorsFormat = """
        import json, struct, sys
        import torch
        from torch.nn import *

        DTYPES = {'F32': torch.float32, 'I64': torch.int64}

        def load(path):
            b = open(path, 'rb').read()
            n = struct.unpack('<Q', b[:8])[0]
            header = json.loads(b[8:8 + n])
            header.pop('__metadata__', None)
            data = b[8 + n:]
            out = {}
            for name, e in header.items():
                begin, end = e['data_offsets']
                out[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[e['dtype']]).reshape(e['shape']).clone()
            return out

        def save(path, state):
            header, blobs, offset = {}, [], 0
            for name, t in state.items():
                b = t.detach().contiguous().numpy().tobytes()
                dtype = {torch.float32: 'F32', torch.int64: 'I64'}[t.dtype]
                header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
                blobs.append(b)
                offset += len(b)
            h = json.dumps(header).encode()
            h += b' ' * (-len(h) % 8)
            open(path, 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))

        """;

    /// <summary>Runs <paramref name="script"/> (Python source) with <paramref name="args"/>; returns its stdout, fails the test on a non-zero exit.</summary>
    public static string Run(string script, params string[] args)
    {
        string dir = Directory.CreateTempSubdirectory("fcnlab-py-").FullName;
        try
        {
            string path = Path.Combine(dir, "check.py");
            File.WriteAllText(path, script);
            var start = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(path);
            foreach (var a in args) start.ArgumentList.Add(a);
            // One thread: the checks are tiny, and the test run has the cores busy already.
            start.Environment["OMP_NUM_THREADS"] = "1";
            start.Environment["OPENBLAS_NUM_THREADS"] = "1";
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"python3 {string.Join(' ', args)} did not finish in 5 minutes.");
            }
            Assert.True(process.ExitCode == 0,
                $"python3 exited with {process.ExitCode} (is python3-torch / python3-onnx installed? .ci/run installs them).\nstdout:\n{stdout.Result}\nstderr:\n{stderr.Result}");
            return stdout.Result;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
