#!/usr/bin/env bash
# The processor benchmark (issue 7): the large poll (32 _info + 32 _stat files, 250 proxies x 20
# servers each, 53 MB, built from the real captures by the project's LargePollGenerator), renamed
# into incoming/ POLLS times, processed by the built haproxystats-process with the launcher's JVM
# options, every line checked at a real carbon-c-relay.
#   bench/process-bench.sh [POLLS 13] [WARMUP 3] [FILES 32] [BACKENDS 250] [SERVERS 20]
# BENCH_SINK=plain: an in-process TCP reader instead of carbon-c-relay. BENCH_EXE: another build's
# haproxystats-process (with BENCH_READY=starting for builds that do not log "ready: watching"),
# or any processor taking -f CONF: BENCH_LINES=settle counts a poll's lines at the sink once they
# stop coming, for one that logs no "N lines delivered" (the Python original: docs/benchmarks.md,
# "Against the original"). CPU and VmHWM count the processor's child processes too.
# Needs the build with test classes (./setup.sh, or mvn -DskipTests install).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
polls=${1:-13}; warmup=${2:-3}; files=${3:-32}; backends=${4:-250}; servers=${5:-20}
cp="$here/haproxystats-process/target/test-classes:$here/haproxystats-process/target/classes"
cp="$cp:$here/haproxystats-common/target/test-classes:$here/haproxystats-process/target/lib/*"
# The launcher's AOT cache (JDK 25+) lives here for the benchmark: the first run after a build
# trains it (its first poll is then a cold one without it), every later run uses it. BENCH_AOT=off
# measures without it.
export HAPROXYSTATS_AOT_DIR=${HAPROXYSTATS_AOT_DIR:-$here/haproxystats-process/target/bench-aot}
if [ "${BENCH_AOT:-on}" = off ]; then export HAPROXYSTATS_AOT=off; fi
work=$(mktemp -d /tmp/process-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$java" -cp "$cp" io.haproxystats.process.bench.LargePollGenerator \
    "$here/haproxystats-process/src/test/resources/fixtures/small/1795224218" "$work" 1700000000 \
    "$files" "$backends" "$servers" 2>/dev/null
"$java" -Xmx1g ${BENCH_SINK:+-Dbench.sink=$BENCH_SINK} ${BENCH_READY:+-Dbench.ready=$BENCH_READY} ${BENCH_LINES:+-Dbench.lines=$BENCH_LINES} ${BENCH_LOGLEVEL:+-Dbench.loglevel=$BENCH_LOGLEVEL} ${BENCH_TMPDIR:+-Djava.io.tmpdir=$BENCH_TMPDIR} -cp "$cp" io.haproxystats.process.bench.ProcessBench \
    "${BENCH_EXE:-$here/haproxystats-process/target/haproxystats-process}" "$work/1700000000" "$polls" "$warmup" 2>&1 | grep -v '^WARNING'
