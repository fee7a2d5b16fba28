#!/usr/bin/env bash
# The measurement behind the choice of sketch for [logs] (issue 29): DDSketch against HdrHistogram
# on HAProxy's millisecond timers (SketchChoiceBench in haproxystats-pull's test tree): accuracy
# against known delays, serialized and heap bytes, insert and merge cost. Figures: docs/benchmarks.md.
# Needs the test classes: mvn -B -q -pl haproxystats-pull -am test-compile
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
cd "$here"
cpfile=$(mktemp /tmp/sketch-classpath.XXXXXX)
trap 'rm -f "$cpfile" "$cpfile.common"' EXIT
# Each module's own dependencies (this tree's classes come first, before any installed copy).
mvn -B -o -q -pl haproxystats-common dependency:build-classpath -Dmdep.outputFile="$cpfile.common" >/dev/null 2>&1
mvn -B -o -q -pl haproxystats-pull dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$cpfile" >/dev/null 2>&1
cp="$here/haproxystats-pull/target/test-classes:$here/haproxystats-pull/target/classes"
cp="$cp:$here/haproxystats-common/target/classes:$here/haproxystats-common/target/test-classes"
cp="$cp:$(cat "$cpfile.common"):$(cat "$cpfile")"
run() { "$java" -Xmx1g -XX:+UseSerialGC -cp "$cp" io.haproxystats.pull.logs.SketchChoiceBench "$@"; }
run
echo "## cost: a realistic server sketch = 2,000 lognormal values; each candidate in its own JVM"
for i in 0 1 2 3 4 5; do run cost "$i"; done
