#!/usr/bin/env bash
# Side-by-side speed comparison, FcnLab vs PyTorch, on this machine, in one run:
#   bench/compare.sh [THREADS=2] [EPOCHS=3] [ROUNDS=1]
#   COMPARE_CORETYPE=Cooperlake bench/compare.sh ...   skip OpenBLAS's own detection, only that core type
# Each round runs `fcnlab bench` (seconds per epoch of the default, bn-adam, lenet5 and cnn networks) and the
# PyTorch script for the same networks, threads and epochs: in round 1 with OpenBLAS's own CPU
# detection (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset) and, in every round, when that detection
# fell back to pre-AVX2 kernels, with the core type that fits the CPU, so the ratio is never
# flattered by a slow BLAS. Figures are medians over the rounds. Results (JSON) go to bench/results/<timestamp>/; a summary table is printed.
# Needs: python3-torch, python3-numpy, libopenblas0-pthread (Debian), and the data set.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-2}"; epochs="${2:-3}"; rounds="${3:-1}"
out="$root/bench/results/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
py=/usr/bin/python3
for r in $(seq 1 "$rounds"); do
  echo "round $r/$rounds: fcnlab" >&2
  "$root/fcnlab" bench --threads "$threads" --epochs "$epochs" --json > "$out/fcnlab-$r.json"
  # OpenBLAS's own detection once (it decides whether a tuned run is needed); the tuned run every round.
  if [ "$r" = 1 ] && [ -z "${COMPARE_CORETYPE:-}" ]; then
    echo "round $r/$rounds: pytorch (OpenBLAS's own detection)" >&2
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" "$root/bench/pytorch_bench.py" --model all --epochs "$epochs" --threads "$threads" --json > "$out/torch-auto-$r.json"
    suggested=$("$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("suggested_coretype") or "") if d.get("openblas_fallback_core") else print("")' "$out/torch-auto-$r.json")
  fi
  suggested="${COMPARE_CORETYPE:-${suggested:-}}"
  if [ -n "$suggested" ]; then
    echo "round $r/$rounds: pytorch (OPENBLAS_CORETYPE=$suggested)" >&2
    env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="$suggested" "$py" "$root/bench/pytorch_bench.py" --model all --epochs "$epochs" --threads "$threads" --json > "$out/torch-tuned-$r.json"
  fi
done
"$py" - "$out" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
def med(xs): return statistics.median(xs) if xs else float("nan")
rows = {}
for name in ("default", "bn-adam", "lenet5", "cnn"):
    ours = [json.load(open(f))["seconds_per_epoch"][name]["median"] for f in sorted(glob.glob(f"{out}/fcnlab-*.json"))]
    auto = [json.load(open(f))["models"][name]["seconds_per_epoch"] for f in sorted(glob.glob(f"{out}/torch-auto-*.json"))]
    tuned = [json.load(open(f))["models"][name]["seconds_per_epoch"] for f in sorted(glob.glob(f"{out}/torch-tuned-*.json"))]
    rows[name] = (med(ours), med(auto) if auto else None, med(tuned) if tuned else None)
firsts = sorted(glob.glob(f"{out}/torch-auto-*.json")) or sorted(glob.glob(f"{out}/torch-tuned-*.json"))
first = json.load(open(firsts[0]))
print(f"PyTorch {first.get('torch')}, OpenBLAS core: {first.get('openblas_corename')}, threads {first.get('threads')}")
print(f"{'network':10} {'FcnLab s/epoch':>15} {'PyTorch (auto)':>15} {'ratio':>7} {'PyTorch (tuned)':>16} {'ratio':>7}")
summary = {}
for name, (o, a, t) in rows.items():
    ts = f"{t:16.2f} {t / o:7.2f}" if t else f"{'-':>16} {'-':>7}"
    auto_text = f"{a:15.2f} {a / o:7.2f}" if a else f"{'-':>15} {'-':>7}"
    print(f"{name:10} {o:15.2f} {auto_text} {ts}")
    summary[name] = {"fcnlab": o, "pytorch_auto": a, "pytorch_tuned": t, "ratio_auto": (a / o if a else None), "ratio_tuned": (t / o if t else None)}
# Each round's FcnLab run against the same round's tuned PyTorch run (side by side in time).
for name in rows:
    pairs = []
    for f in sorted(glob.glob(f"{out}/fcnlab-*.json")):
        r = f.rsplit("-", 1)[1]
        t = os.path.join(out, f"torch-tuned-{r}")
        if os.path.exists(t):
            o = json.load(open(f))["seconds_per_epoch"][name]["median"]
            pairs.append(json.load(open(t))["models"][name]["seconds_per_epoch"] / o)
    if pairs:
        print(f"{name:10} per-round ratio (tuned): {', '.join(f'{p:.2f}' for p in pairs)}; median {med(pairs):.2f}")
        summary[name]["ratio_tuned_per_round"] = pairs
json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=2)
print(f"results in {out}")
PY
