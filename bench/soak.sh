#!/usr/bin/env bash
# The soak (issue 8): SoakIT for MINUTES minutes: three real HAProxy instances serving HTTP
# traffic, the puller and processor executables, a real carbon-c-relay; every 5 s each daemon's
# RSS, CPU, file descriptors and threads. Fails on a growth trend after the warm-up or on a poll
# landed but never relayed. Prints the summary; the samples are in
# haproxystats-process/target/soak/soak.csv. The test command runs the same test for 2 minutes.
#   bench/soak.sh [MINUTES 10]
# Needs the build (./setup.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
minutes=${1:-10}
cd "$here"
status=0
mvn -B -o -q verify -pl haproxystats-process -DskipFuzz -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=SoakIT -Dsoak.minutes="$minutes" >/tmp/soak-mvn.log 2>&1 || status=$?
cat haproxystats-process/target/soak/soak.txt 2>/dev/null || tail -30 /tmp/soak-mvn.log
[ "$status" -eq 0 ] && echo "soak passed" || { grep -a -E 'FAIL|expected' /tmp/soak-mvn.log | head -5; echo "soak FAILED"; }
exit "$status"
