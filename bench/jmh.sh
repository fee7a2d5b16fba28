#!/usr/bin/env bash
# The JMH suite (issue 7): ComputationBenchmark (parse one _stat answer, compute a whole poll in
# memory: parse, group, format) on the large poll of docs/benchmarks.md by default, in a
# forked JVM with the launcher's heap options. Extra arguments go to JMH, e.g.
#   bench/jmh.sh                                  # 32 files x 250 proxies x 20 servers
#   bench/jmh.sh -p files=1,8,32,64               # the scaling series
#   bench/jmh.sh -p files=1 -p servers=20,80      # 5,000 and 20,000 servers per file
# Needs the build with test classes (./setup.sh, or mvn -DskipTests install).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
cd "$here"
cpfile=$(mktemp /tmp/jmh-classpath.XXXXXX)
trap 'rm -f "$cpfile"' EXIT
mvn -B -o -q -pl haproxystats-process dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$cpfile" >/dev/null 2>&1
deps=$(cat "$cpfile")
cp="$here/haproxystats-process/target/test-classes:$here/haproxystats-process/target/classes"
cp="$cp:$here/haproxystats-common/target/test-classes:$deps"
"$java" -cp "$cp" org.openjdk.jmh.Main ComputationBenchmark "$@" 2>&1 | grep -v '^WARNING'
