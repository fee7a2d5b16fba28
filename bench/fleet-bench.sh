#!/usr/bin/env bash
# The fleet view's wall time as nagios sees it (issue 27, item 6): haproxystats-fleet servers
# against a real broker (haproxystats-kafka-broker's jars), the launcher's class data sharing
# archive off and on, then Kafka unreachable and a port that never answers with --timeout 3 and 8.
#   bench/fleet-bench.sh [RUNS 10] [LOAD 0]   (LOAD: threads spinning meanwhile, a loaded host)
# BENCH_EXE=<an older build's haproxystats-fleet> measures that one instead (without the archive).
# Needs the build with test classes (./setup.sh, or mvn -DskipTests install).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
cp="$here/haproxystats-process/target/test-classes:$here/haproxystats-process/target/classes"
cp="$cp:$here/haproxystats-common/target/test-classes:$here/haproxystats-process/target/lib/*"
cd "$here/haproxystats-process" # KafkaCluster finds the broker's jars beside this module
"$java" -Xmx256m -cp "$cp" io.haproxystats.process.bench.FleetBench \
    "${BENCH_EXE:-$here/haproxystats-process/target/haproxystats-fleet}" "${1:-10}" "${2:-0}" ${BENCH_EXE:+nocds} 2>&1 | grep -v '^WARNING'
