#!/usr/bin/env bash
# Parsing and sketching speed of the [logs] receiver on one thread, and the heap and file bytes of
# one interval (LogsThroughputBench in haproxystats-pull's test tree); figures in docs/benchmarks.md.
#   bench/logs-bench.sh [SERVERS 1000] [LINES 2000000]
# Runs on one core (taskset -c 0) with the puller's launcher JVM options but -Xmx; needs the test
# classes: mvn -B -q -pl haproxystats-pull -am test-compile
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
cd "$here"
cpfile=$(mktemp /tmp/logs-classpath.XXXXXX)
trap 'rm -f "$cpfile" "$cpfile.common"' EXIT
mvn -B -o -q -pl haproxystats-common dependency:build-classpath -Dmdep.outputFile="$cpfile.common" >/dev/null 2>&1
mvn -B -o -q -pl haproxystats-pull dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$cpfile" >/dev/null 2>&1
cp="$here/haproxystats-pull/target/test-classes:$here/haproxystats-pull/target/classes"
cp="$cp:$here/haproxystats-common/target/classes:$(cat "$cpfile.common"):$(cat "$cpfile")"
taskset -c 0 "$java" ${BENCH_HEAP:--Xmx512m} -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -cp "$cp" \
    io.haproxystats.pull.logs.LogsThroughputBench "$@"
