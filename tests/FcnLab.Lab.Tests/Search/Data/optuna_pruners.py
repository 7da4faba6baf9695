"""Optuna 3.1 (Debian python3-optuna) reference for FcnLab's pruners: synthetic per-epoch objective
curves, reported to MedianPruner / SuccessiveHalvingPruner epoch by epoch (step = epoch number, 1, 2, ...)
in a fixed order of events, sequential or interleaved as several workers would report them, and the
decision Optuna's should_prune() gave at each event. Writes JSON to stdout; the C# test replays the same
events through FcnLab's pruners and must reach the same decisions.
Run: /usr/bin/python3 optuna_pruners.py > optuna-pruners.json"""
import json, random
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)

def curves(rng, n_trials, n_epochs, maximize):
    out = []
    for _ in range(n_trials):
        start, rate, floor = rng.uniform(0.4, 1.0), rng.uniform(0.05, 0.5), rng.uniform(0.05, 0.4)
        c = []
        for e in range(1, n_epochs + 1):
            v = floor + (start - floor) * (1 - rate) ** e + rng.uniform(-0.03, 0.03)
            c.append(round(1 - v if maximize else v, 2))  # two decimals: ties happen
        out.append(c)
    return out

def schedule(rng, n_trials, n_epochs, workers):
    """Events (trial, epoch) as `workers` workers would report them: a worker takes the next trial when
    its trial ends; which worker reports next is random. Pruned trials' later events are skipped at replay."""
    events, running, next_trial = [], [], 0
    progress = {}
    while next_trial < n_trials or running:
        while len(running) < workers and next_trial < n_trials:
            running.append(next_trial); progress[next_trial] = 0; next_trial += 1
        t = rng.choice(running)
        progress[t] += 1
        events.append([t, progress[t]])
        if progress[t] == n_epochs:
            running.remove(t)
    return events

def replay(scenario):
    if scenario["pruner"] == "median":
        p = scenario["params"]
        pruner = optuna.pruners.MedianPruner(n_startup_trials=p["startup_trials"],
                                             n_warmup_steps=p["warmup_epochs"] + 1, interval_steps=p["interval_epochs"])
    else:
        p = scenario["params"]
        pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=p["min_epochs"], reduction_factor=p["reduction_factor"],
                                                         min_early_stopping_rate=p["min_early_stopping_rate"])
    study = optuna.create_study(direction=scenario["direction"], pruner=pruner, sampler=optuna.samplers.RandomSampler(seed=0))
    trials, done, decisions = {}, set(), []
    n_epochs = len(scenario["curves"][0])
    for t, e in scenario["events"]:
        if t in done:
            continue  # pruned earlier: a real worker would have stopped
        while t not in trials:  # workers take trials in number order; one may report before an older one
            trial = study.ask()
            trials[trial.number] = trial
        value = scenario["curves"][t][e - 1]
        trials[t].report(value, e)
        prune = bool(trials[t].should_prune())
        decisions.append([t, e, prune])
        if prune:
            study.tell(trials[t], state=optuna.trial.TrialState.PRUNED); done.add(t)
        elif e == n_epochs:
            study.tell(trials[t], value); done.add(t)
    return decisions

rng = random.Random(16)
scenarios = []
def add(name, pruner, params, direction, n_trials, n_epochs, workers):
    s = {"name": name, "pruner": pruner, "params": params, "direction": direction,
         "curves": curves(rng, n_trials, n_epochs, direction == "maximize"),
         "events": schedule(rng, n_trials, n_epochs, workers)}
    s["decisions"] = replay(s)
    scenarios.append(s)

median_defaults = {"startup_trials": 5, "warmup_epochs": 0, "interval_epochs": 1}
asha_defaults = {"min_epochs": 1, "reduction_factor": 4, "min_early_stopping_rate": 0}
add("median, minimize, one worker", "median", median_defaults, "minimize", 14, 8, 1)
add("median, maximize, three workers", "median", median_defaults, "maximize", 18, 8, 3)
add("median, warm-up 2, every 2 epochs, two workers", "median", {"startup_trials": 3, "warmup_epochs": 2, "interval_epochs": 2}, "minimize", 14, 9, 2)
add("asha, minimize, one worker", "asha", asha_defaults, "minimize", 40, 20, 1)
add("asha, maximize, four workers", "asha", asha_defaults, "maximize", 40, 20, 4)
add("asha, min 2 epochs, factor 3, rate 1, maximize, three workers", "asha",
    {"min_epochs": 2, "reduction_factor": 3, "min_early_stopping_rate": 1}, "maximize", 30, 20, 3)
json.dump({"optuna": optuna.__version__, "scenarios": scenarios}, __import__("sys").stdout, indent=None)
