#!/usr/bin/env bash
# Writes the run-store fixtures with a build of main as it was at be0ab45 (store schema version 1).
# Usage: make-fixtures.sh FCNLAB_DLL OUT_DIR POSTGRES_ADMIN_URL
set -euo pipefail
set -m   # job control: a background job must not ignore SIGINT
dll=$1; out=$2; pgadmin=$3
here=$(cd "$(dirname "$0")" && pwd)
root=/tmp/fcnlab-store-fixture          # fixed: the data path is part of every stored config and trial id
fcnlab() { dotnet "$dll" "$@"; }
mkdir -p "$root/data" "$out"
cp "$here/data/"*.gz "$root/data/"

kind=""; store=""
q() { if [ "$kind" = sqlite ]; then sqlite3 "$store" "$1"; else psql "$store" -tAc "$1"; fi; }
epochs_of_dir() { q "select count(*) from epochs e join trials t using (run_id) where t.run_dir = '$1'"; }
# 1 once the first four trials are final and the fifth has recorded two epochs.
sweep_ready() { q "select cast((select count(*) from trials where sweep = 'fixture' and status not in ('pending', 'running')) >= 4 and (select count(*) from epochs e join trials t using (run_id) where t.sweep = 'fixture' and t.status = 'running') >= 2 as integer)"; }
# Polls until the function named $1 (with the rest as arguments) prints a number >= the last argument.
wait_for() { local want=${@: -1}; for _ in $(seq 1 1200); do n=$("${@:1:$#-1}"); [ "${n:-0}" -ge "$want" ] && return 0; sleep 0.05; done; echo "timed out: $*" >&2; exit 1; }

write_store() {
  local dir=$root/$kind; rm -rf "$dir"; mkdir -p "$dir"
  local common=(--data "$root/data" --hidden 16 --batch-size 32 --lr 0.05 --optimizer sgd --seed 1 --store "$store")
  # 1. A train run that completes.
  fcnlab train "${common[@]}" --epochs 3 --out "$dir/train-a" --quiet
  # 2. A train run stopped by Ctrl-C (SIGINT) after two or more epochs, then resumed to completion: main
  #    records the stop as failed ("interrupted (Ctrl-C); ...") and the resume as a new run of the same directory.
  dotnet "$dll" train "${common[@]}" --epochs 100000 --out "$dir/train-b" --quiet > /dev/null 2>&1 &
  local pid=$!
  wait_for epochs_of_dir "$dir/train-b" 2
  kill -INT $pid; wait $pid || true
  local done_epochs; done_epochs=$(epochs_of_dir "$dir/train-b")
  fcnlab train --resume "$dir/train-b" --epochs $((done_epochs + 1)) --store "$store" --quiet
  # 3. The sweep: trials 1-4 (3 epochs) end completed, failed (val_split 500 of 200 examples), diverged
  #    (lr 1e6) and failed; trial 5 (100000 epochs) is killed (SIGKILL) mid-training and stays running
  #    under a dead process; trials 6-8 stay pending.
  local artifacts=(); if [ "$kind" = postgres ]; then artifacts=(--artifacts "$dir"); fi
  dotnet "$dll" sweep "$here/fixture.yaml" --store "$store" "${artifacts[@]}" --quiet > /dev/null 2>&1 &
  pid=$!
  wait_for sweep_ready 1
  kill -KILL $pid; wait $pid || true
  # 4. The sweep's report as main writes it.
  fcnlab report fixture --store "$store" "${artifacts[@]}" --out "$out/$kind-report" > /dev/null
}

kind=sqlite; store=$root/sqlite-store/fcnlab.db   # the sweep's run directories go beside it
rm -rf "$root/sqlite-store"; mkdir -p "$root/sqlite-store"
write_store
# Fold the WAL into the file, so the fixture is one file.
sqlite3 "$store" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
cp "$store" "$out/store-v1.db"

db=fcnlab_fixture_v1
psql "$pgadmin" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
kind=postgres; store=${pgadmin%/*}/$db
write_store
pg_dump --inserts --no-owner --no-privileges "$store" > "$out/store-v1.postgres.sql"
psql "$pgadmin" -qc "DROP DATABASE $db"
