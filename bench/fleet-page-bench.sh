#!/usr/bin/env bash
# The fleet page benchmark (issue 31): LBS load balancers x SERVERS servers held as
# haproxystats-fleet serve holds them, served by the real server on 127.0.0.1, and loaded RUNS
# times by Debian's chromium (headless): the records' heap, the page's and the JSON's size (plain
# and gzip), the server's time to answer, and the browser's response end, DOMContentLoaded and
# first contentful paint (FleetPageBench).
#   bench/fleet-page-bench.sh [LBS 200] [SERVERS 2000] [RUNS 5]
# Needs the build with test classes (./setup.sh, or mvn -DskipTests install), chromium and
# chromium-driver (setup.sh installs them), and Maven to list the test classpath (offline).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
deps=$(mktemp)
trap 'rm -f "$deps"' EXIT
(cd "$here" && mvn -B -q -o -pl haproxystats-process dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$deps" >/dev/null)
cp="$here/haproxystats-process/target/test-classes:$here/haproxystats-process/target/classes"
cp="$cp:$here/haproxystats-common/target/classes:$(cat "$deps")"
"$java" -Xmx2g -cp "$cp" io.haproxystats.process.fleet.FleetPageBench "${1:-200}" "${2:-2000}" "${3:-5}" 2>&1 \
    | grep -v '^WARNING'
