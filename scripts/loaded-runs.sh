#!/usr/bin/env bash
# Runs the integration + netns tiers several times in a row beside CPU-burning processes, the
# robustness check of issue 14 item 7: tests must wait for what they mean (the enforced
# revision, a condition), never for a fixed time, so a loaded machine may slow them but not
# fail them. Prints one line per run and a summary; exits 1 if any run had a failure.
#   bash scripts/loaded-runs.sh [RUNS=5] [BURNERS=2]
# Each run's full output: $LOADED_RUNS_DIR (default /tmp/vpcemu-loaded-runs)/run-N.log.
# Needs what the tiers need (root, `bash scripts/setup.sh --all` done once).
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
burners=${2:-2}
dir=${LOADED_RUNS_DIR:-/tmp/vpcemu-loaded-runs}
mkdir -p "$dir"
export CI=true TESTCONTAINERS_RYUK_DISABLED=true

pids=()
stop_burners() {
  if [ ${#pids[@]} -gt 0 ]; then kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null; fi
  pids=()
}
trap stop_burners EXIT

failed=0
echo "loaded runs: $runs x 'vitest run test/integration' beside $burners burners, at $(git rev-parse --short HEAD)"
for i in $(seq 1 "$runs"); do
  for _ in $(seq 1 "$burners"); do
    node -e 'for (;;) {}' &
    pids+=($!)
  done
  start=$(date +%s)
  npx vitest run test/integration > "$dir/run-$i.log" 2>&1
  rc=$?
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  stop_burners
  summary=$(sed 's/\x1b\[[0-9;]*m//g' "$dir/run-$i.log" | grep -E '^ +(Test Files|Tests) ' | tr -s ' ' | tr '\n' ';')
  echo "run $i/$runs: exit $rc, $(( $(date +%s) - start )) s, load at end $load;$summary"
  if [ "$rc" != 0 ]; then
    failed=$((failed + 1))
    sed 's/\x1b\[[0-9;]*m//g' "$dir/run-$i.log" | grep -E '^ FAIL ' | sed 's/^/    /'
  fi
done
echo "loaded runs: $((runs - failed)) of $runs passed"
[ "$failed" = 0 ]
