using System.Text.Json;
using FcnLab.Lab.Search;

namespace FcnLab.Lab.Tests.Search;

/// <summary>
/// FcnLab's pruners against Optuna 3.1's MedianPruner and SuccessiveHalvingPruner on synthetic curves
/// (Data/optuna-pruners.json, made by Data/optuna_pruners.py): the same epoch reports in the same order,
/// one worker or several interleaved, must get the same decision at every report. FcnLab's pruners see
/// only the stored values (every trial's objective per epoch so far and its state), where Optuna keeps
/// per-trial rung records: the decisions agreeing is what shows the stateless rule is the same rule.
/// </summary>
public sealed class OptunaPrunerReferenceTests
{
    private static readonly JsonElement Reference = JsonDocument.Parse(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Search", "Data", "optuna-pruners.json"))).RootElement;

    public static TheoryData<string> Scenarios()
    {
        var names = new TheoryData<string>();
        foreach (var s in Reference.GetProperty("scenarios").EnumerateArray()) names.Add(s.GetProperty("name").GetString()!);
        return names;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void SameDecisionsAsOptuna(string name)
    {
        var s = Reference.GetProperty("scenarios").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var p = s.GetProperty("params");
        IPruner pruner = s.GetProperty("pruner").GetString() == "median"
            ? new MedianPruner(p.GetProperty("startup_trials").GetInt32(), p.GetProperty("warmup_epochs").GetInt32(), p.GetProperty("interval_epochs").GetInt32())
            : new AshaPruner(p.GetProperty("min_epochs").GetInt32(), p.GetProperty("reduction_factor").GetInt32(), p.GetProperty("min_early_stopping_rate").GetInt32());
        var objective = s.GetProperty("direction").GetString() == "maximize" ? SearchObjective.ValAccuracy : SearchObjective.ValLoss;
        var curves = s.GetProperty("curves").EnumerateArray().Select(c => c.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        int epochs = curves[0].Length;
        var expected = s.GetProperty("decisions").EnumerateArray().Select(d => (Trial: d[0].GetInt32(), Epoch: d[1].GetInt32(), Prune: d[2].GetBoolean())).ToList();

        // The store as the replay fills it: each trial's values so far and its state.
        var values = curves.Select(_ => new List<double>()).ToArray();
        var states = new SearchTrialState[curves.Length];
        var started = new bool[curves.Length];
        var decisions = new List<(int, int, bool)>();
        foreach (var ev in s.GetProperty("events").EnumerateArray())
        {
            int t = ev[0].GetInt32(), e = ev[1].GetInt32();
            if (started[t] && states[t] != SearchTrialState.Running) continue; // pruned: its worker stopped
            for (int u = 0; u <= t; u++) started[u] = true;
            values[t].Add(curves[t][e - 1]);
            var history = Enumerable.Range(0, curves.Length).Where(u => started[u])
                .Select(u => new SearchTrial { Number = u, State = states[u], EpochValues = [.. values[u]] }).ToList();
            var decision = pruner.Decide(history[t], history, objective);
            Assert.Equal(e, decision.Epoch);
            decisions.Add((t, e, decision.Prune));
            if (decision.Prune) states[t] = SearchTrialState.Pruned;
            else if (e == epochs) states[t] = SearchTrialState.Completed;
        }
        Assert.Equal(expected, decisions);
    }
}
