#!/usr/bin/env bash
# Before/after for the processor: RUNS runs of `bench/process-bench.sh 13 3` (in-process TCP sink)
# against another build's haproxystats-process (OTHER_EXECUTABLE, e.g. a git worktree of an older
# commit built with `mvn -o package -DskipTests`) and against this build, alternating, so that both
# see the same machine at the same time. This build's AOT cache is trained by one run first.
#   bench/process-compare.sh OTHER_EXECUTABLE [RUNS 5] [READY_LINE starting]
# READY_LINE: what the other build logs when it is ready ("starting" for builds before "ready: watching").
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
other=$1; runs=${2:-5}; ready=${3:-starting}
BENCH_SINK=plain "$here/bench/process-bench.sh" 4 1 >/dev/null 2>&1
for k in $(seq 1 "$runs"); do
    echo "== other build, run $k"
    BENCH_EXE=$other BENCH_READY=$ready BENCH_SINK=plain "$here/bench/process-bench.sh" 13 3 2>&1 | tail -2
    echo "== this build, run $k"
    BENCH_SINK=plain "$here/bench/process-bench.sh" 13 3 2>&1 | tail -2
done
