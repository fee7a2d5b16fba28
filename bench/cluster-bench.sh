#!/usr/bin/env bash
# The cluster aggregation benchmark (issue 20): a real broker (haproxystats-kafka-broker's jars)
# and the built haproxystats-process as one central processor with [cluster] aggregate = true (one
# Kafka Streams instance), for simulated load balancers that all send the small poll (the real
# captures: 4 instances): the values record's size, windows closed a second from a backlog, and
# the end-to-end latency (a poll produced -> its window's cluster lines at a Graphite reader) in
# real time.
#   bench/cluster-bench.sh [LBS 50] [BACKLOG_WINDOWS 30] [REALTIME_WINDOWS 6] [WINDOW_S 5] [GRACE_S 5]
# Needs the build with test classes (./setup.sh, or mvn -DskipTests install).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
cp="$here/haproxystats-process/target/test-classes:$here/haproxystats-process/target/classes"
cp="$cp:$here/haproxystats-common/target/test-classes:$here/haproxystats-process/target/lib/*"
exe="$here/haproxystats-process/target/haproxystats-process"
cd "$here/haproxystats-process" # KafkaCluster finds the broker's jars beside this module
"$java" -Xmx512m -cp "$cp" io.haproxystats.process.bench.ClusterBench "$exe" \
    "$here/haproxystats-process/src/test/resources/fixtures/small/1795224218" \
    "${1:-50}" "${2:-30}" "${3:-6}" "${4:-5}" "${5:-5}" 2>&1 | grep -v '^WARNING'
