#!/usr/bin/env bash
# One sweep of single-threaded trials on 1 worker, then on 2, side by side, against a PostgreSQL run
# store: the scale-out speedup of BENCHMARKS.md. Usage (after a Release build):
#   bench/scale-out.sh postgres://USER@HOST:PORT/SCRATCH_DB [ROUNDS] [EPOCHS]
# Each round submits the same grid twice under fresh names (8 trials: 784-256-128-10, EPOCHS epochs
# (default 10), FashionMNIST, --threads 1) and times `fcnlab worker --exit-when-idle` with 1 and with
# 2 processes. Short trials measure the fixed costs (start, data loading, the last poll) more than the
# scale-out: keep a round above a minute.
set -euo pipefail
store=${1:?usage: bench/scale-out.sh STORE_URL [ROUNDS]}
rounds=${2:-1}
epochs=${3:-10}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fcnlab="$root/src/FcnLab.Cli/bin/Release/net10.0/fcnlab"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { # run NAME WORKERS: submit the grid as NAME, time WORKERS workers until every trial is final
  local name=$1 workers=$2
  cat > "$work/$name.yaml" <<SPEC
name: $name
base: { hidden: [256, 128], epochs: $epochs, batch_size: 128, threads: 1 }
axes:
  lr: [0.1, 0.05, 0.02, 0.01]
repeats: 2
SPEC
  "$fcnlab" sweep "$work/$name.yaml" --store "$store" --submit-only --artifacts "$work/runs" >/dev/null
  local start end
  start=$(date +%s.%N)
  for _ in $(seq "$workers"); do
    "$fcnlab" worker --store "$store" --sweep "$name" --exit-when-idle --threads 1 --artifacts "$work/runs" >"$work/$name-$RANDOM.log" &
  done
  wait
  end=$(date +%s.%N)
  awk -v a="$end" -v b="$start" 'BEGIN { print a - b }'
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; 8 trials of $epochs epochs"
for r in $(seq "$rounds"); do
  tag=$(date +%s)
  one=$(run "scale-1w-$tag" 1)
  two=$(run "scale-2w-$tag" 2)
  printf 'round %d: 1 worker %.1f s, 2 workers %.1f s, speedup %.2fx (load now %s)\n' "$r" "$one" "$two" "$(awk -v a="$one" -v b="$two" 'BEGIN { print a / b }')" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
