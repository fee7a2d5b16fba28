#!/usr/bin/env bash
# Graphite send rate to a real local carbon-c-relay writing to a file.
#   bench/graphite-send-bench.sh [BATCHES] [LINES_PER_BATCH]    (defaults: 20 178055)
# BENCH_SINK=plain: an in-process TCP reader instead of the relay.
# Needs the build with test classes: ./run-tests.sh or `mvn -DskipTests install` (compiles tests too).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
cp="$here/haproxystats-process/target/test-classes:$here/haproxystats-process/target/classes"
cp="$cp:$here/haproxystats-common/target/test-classes:$here/haproxystats-process/target/lib/*"
exec "$java" -XX:+UseSerialGC -Xmx1g ${BENCH_SINK:+-Dbench.sink=$BENCH_SINK} -cp "$cp" io.haproxystats.process.bench.GraphiteSendBench "$@"
