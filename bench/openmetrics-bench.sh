#!/usr/bin/env bash
# The OpenMetrics endpoint's scrape of the large poll (the processor benchmark's: 32 _info + 32
# _stat files, 250 proxies x 20 servers each, built by the project's LargePollGenerator): computed
# once, handed to the endpoint, then scraped SCRAPES times in Prometheus text, OpenMetrics text and
# OpenMetrics gzipped, over HTTP on 127.0.0.1, with the processor launcher's heap options.
#   bench/openmetrics-bench.sh [SCRAPES 10] [FILES 32] [BACKENDS 250] [SERVERS 20]
# Needs the build with test classes (./setup.sh, or mvn -DskipTests install).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
scrapes=${1:-10}; files=${2:-32}; backends=${3:-250}; servers=${4:-20}
cp="$here/haproxystats-process/target/test-classes:$here/haproxystats-process/target/classes"
cp="$cp:$here/haproxystats-common/target/test-classes:$here/haproxystats-process/target/lib/*"
work=$(mktemp -d /tmp/openmetrics-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$java" -cp "$cp" io.haproxystats.process.bench.LargePollGenerator \
    "$here/haproxystats-process/src/test/resources/fixtures/small/1795224218" "$work" 1700000000 \
    "$files" "$backends" "$servers" 2>/dev/null
du -sh "$work/1700000000"
"$java" ${BENCH_HEAP:--XX:+UseSerialGC -Xms32m -Xmx144m} -cp "$cp" io.haproxystats.process.bench.OpenMetricsBench \
    "$work/1700000000" "$scrapes" 2>&1 | grep -v '^WARNING'
