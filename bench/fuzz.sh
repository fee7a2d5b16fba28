#!/usr/bin/env bash
# The longer fuzz run (issue 8): ROUNDS rounds of ParsersFuzzTest in fuzzing mode (Jazzer, 30 s
# each: the show info, show stat and show servers state parsers with aggregation and formatting,
# and the configuration loader). Each round starts from the corpus the previous ones grew
# (haproxystats-process/.cifuzz-corpus, not committed), so coverage keeps growing across rounds.
# A crash fails the round; Jazzer writes its input to
# src/test/resources/io/haproxystats/process/ParsersFuzzTestInputs/parsers/, where the unit tests
# replay it from then on (commit it with the fix). Prints libFuzzer's summary line of each round.
#   bench/fuzz.sh [ROUNDS 20]
# Needs the build (./setup.sh, or mvn -DskipTests install).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
rounds=${1:-20}
failed=0
for round in $(seq 1 "$rounds"); do
    out=$(cd "$here" && mvn -B -o -pl haproxystats-process surefire:test@fuzz 2>&1)
    summary=$(grep -a -E '^Done [0-9]+ runs' <<<"$out" | tail -1)
    corpus=$(grep -a -E '#[0-9]+.*DONE' <<<"$out" | tail -1 | grep -o -E 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*')
    if grep -q 'BUILD SUCCESS' <<<"$out"; then
        echo "round $round: ok: $summary; $corpus"
    else
        failed=$((failed + 1))
        echo "round $round: FINDING or error:"
        grep -a -E 'ERROR|Exception|crash-|artifact_prefix|Test unit written' <<<"$out" | head -20
    fi
done
echo "rounds: $rounds, failed: $failed"
[ "$failed" -eq 0 ]
