#!/usr/bin/env bash
# The polls topic's container at several zstd levels (issue 32): for the small poll (the real
# captures) and the large poll (LargePollGenerator, 53 MB), the edge's CPU to encode a poll, its
# bytes, and the central processor's CPU to decompress it.
#   bench/container-codec-bench.sh [ITERATIONS 10] [LEVELS 1,-1,-3,-5,-7]
# Needs the build with test classes (./setup.sh, or mvn -DskipTests install).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
cp="$here/haproxystats-process/target/test-classes:$here/haproxystats-process/target/classes"
cp="$cp:$here/haproxystats-common/target/test-classes:$here/haproxystats-process/target/lib/*"
work=$(mktemp -d /tmp/container-codec.XXXXXX)
trap 'rm -rf "$work"' EXIT
small="$here/haproxystats-process/src/test/resources/fixtures/small/1795224218"
"$java" -cp "$cp" io.haproxystats.process.bench.LargePollGenerator "$small" "$work" 1700000000 32 250 20 2>/dev/null
for poll in "$small" "$work/1700000000"; do
    "$java" -Xmx1g -cp "$cp" io.haproxystats.process.bench.ContainerCodecBench "$poll" "${1:-10}" "${2:-1,-1,-3,-5,-7}"
done
