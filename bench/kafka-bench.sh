#!/usr/bin/env bash
# The Kafka benchmark (issue 19): a real broker (haproxystats-kafka-broker's jars) and the built
# haproxystats-process, for the small poll (the real captures: 4 instances) and the large poll
# (LargePollGenerator: 32 _info + 32 _stat files, 250 proxies x 20 servers each, 53 MB):
# the edge's CPU a poll in mode = forward against local processing, the bytes a poll takes on the
# broker, and the polls a second one central processor (source = kafka) handles from a backlog.
#   bench/kafka-bench.sh [SMALL_POLLS 200] [LARGE_POLLS 8] [WARMUP 2]   (0 skips one; WARMUP polls
# of each go first, unmeasured); BENCH_JAVA_OPTS are given to the bench's JVM, e.g.
# BENCH_JAVA_OPTS=-Dbench.threads=true for each daemon's CPU by thread (docs/benchmarks.md)
# Needs the build with test classes (./setup.sh, or mvn -DskipTests install).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
small=${1:-200}; large=${2:-8}; warmup=${3:-2}
cp="$here/haproxystats-process/target/test-classes:$here/haproxystats-process/target/classes"
cp="$cp:$here/haproxystats-common/target/test-classes:$here/haproxystats-process/target/lib/*"
exe="$here/haproxystats-process/target/haproxystats-process"
work=$(mktemp -d /tmp/kafka-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$here/haproxystats-process" # KafkaCluster finds the broker's jars beside this module
if [ "$small" -gt 0 ]; then
    "$java" -Xmx1g ${BENCH_JAVA_OPTS:-} -cp "$cp" io.haproxystats.process.bench.KafkaBench "$exe" \
        "$here/haproxystats-process/src/test/resources/fixtures/small/1795224218" "$small" "$warmup" 2>&1 | grep -v '^WARNING'
fi
[ "$large" -gt 0 ] || exit 0
"$java" -cp "$cp" io.haproxystats.process.bench.LargePollGenerator \
    "$here/haproxystats-process/src/test/resources/fixtures/small/1795224218" "$work" 1700000000 32 250 20 2>/dev/null
"$java" -Xmx1g ${BENCH_JAVA_OPTS:-} -cp "$cp" io.haproxystats.process.bench.KafkaBench "$exe" "$work/1700000000" "$large" "$warmup" 2>&1 | grep -v '^WARNING'
