#!/usr/bin/env bash
# A simulated fleet (issue 32): LBS load balancers' edges played by one producer process (polls
# made from the real captures and three generated sizes, 80 KB to 4.9 MB, each load balancer every
# INTERVAL s at its own phase), a real broker (haproxystats-kafka-broker's jars, Kafka's flush
# defaults), CENTRALS built haproxystats-process central processors with cluster aggregation and a
# real carbon-c-relay: polls/s and CPU a poll per central processor, consumer lag over time, poll ->
# lines at the relay's reader p50/p99, cluster window close latency, lines/s, peak memory.
#   bench/fleet-scale-bench.sh [LBS 500] [CENTRALS 2] [SECONDS 120] [PARTITIONS 12] [CLUSTER_SIZE 10] [INTERVAL 10]
# BENCH_CENTRAL_OPTS: the central processors' JVM options (default: the central unit's);
# BENCH_WORKERS: their [process] workers (4); BENCH_RELAY=off: lines straight to the reader, no relay
# (the central processors' own capacity, where the relay would saturate this machine first).
# Needs the build with test classes (./setup.sh, or mvn -DskipTests install).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
cp="$here/haproxystats-process/target/test-classes:$here/haproxystats-process/target/classes"
cp="$cp:$here/haproxystats-common/target/test-classes:$here/haproxystats-process/target/lib/*"
exe="$here/haproxystats-process/target/haproxystats-process"
opts=()
[ -n "${BENCH_CENTRAL_OPTS:-}" ] && opts+=("-Dbench.central.opts=$BENCH_CENTRAL_OPTS")
[ -n "${BENCH_WORKERS:-}" ] && opts+=("-Dbench.workers=$BENCH_WORKERS")
[ -n "${BENCH_RELAY:-}" ] && opts+=("-Dbench.relay=$BENCH_RELAY")
cd "$here/haproxystats-process" # KafkaCluster finds the broker's jars beside this module
"$java" -Xmx1g "${opts[@]}" -cp "$cp" io.haproxystats.process.bench.FleetScaleBench "$exe" \
    "$here/haproxystats-process/src/test/resources/fixtures/small/1795224218" \
    "${1:-500}" "${2:-2}" "${3:-120}" "${4:-12}" "${5:-10}" "${6:-10}" 2>&1 | grep -v '^WARNING'
