#!/usr/bin/env bash
# Where the processor's computation spends its time: the large poll (the project's generator)
# computed 15 times in one JVM with the launcher's heap options under JFR, then the share of
# execution samples in parsing, in grouping/formatting, and with a Tablesaw frame, and the top
# frames. Needs the build with test classes (./setup.sh, or mvn -DskipTests install) and python3.
#   bench/compute-profile.sh [ITERATIONS 15]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi
bin=${JAVA_HOME:+$JAVA_HOME/bin/}
cp="$here/haproxystats-process/target/test-classes:$here/haproxystats-process/target/classes"
cp="$cp:$here/haproxystats-common/target/test-classes:$here/haproxystats-process/target/lib/*"
work=$(mktemp -d /tmp/compute-profile.XXXXXX)
trap 'rm -rf "$work"' EXIT
"${bin}java" -cp "$cp" io.haproxystats.process.bench.LargePollGenerator \
    "$here/haproxystats-process/src/test/resources/fixtures/small/1795224218" "$work" 1700000000 2>/dev/null
"${bin}java" -XX:+UseSerialGC -Xms32m -Xmx144m -XX:StartFlightRecording=filename="$work/run.jfr",settings=profile \
    -cp "$cp" io.haproxystats.process.bench.ComputeLoop "$work/1700000000" "${1:-15}" 2>/dev/null | grep iteration
"${bin}jfr" print --events jdk.ExecutionSample "$work/run.jfr" > "$work/samples.txt"
python3 - "$work/samples.txt" <<'PY'
import re, sys
total = tablesaw = 0
parts, top = {}, {}
for event in open(sys.argv[1]).read().split('jdk.ExecutionSample')[1:]:
    m = re.search(r'stackTrace = \[(.*?)\n\s*\]', event, re.S)
    if not m:
        continue
    frames = [re.sub(r'\s+line:.*', '', l.strip()) for l in m.group(1).strip().split('\n')
              if l.strip() and not l.strip().startswith('...')]
    if not any(w in f for f in frames for w in ('PollComputation', 'StatParser', 'SiteAggregator')):
        continue
    total += 1
    tablesaw += any('tech.tablesaw' in f for f in frames)
    part = ('parse' if any('StatParser' in f for f in frames)
            else 'group+format' if any('SiteAggregator' in f for f in frames) else 'other')
    parts[part] = parts.get(part, 0) + 1
    top[frames[0]] = top.get(frames[0], 0) + 1
print(f'samples in the computation: {total}; with a Tablesaw frame: {tablesaw} ({100 * tablesaw / max(1, total):.1f} %)')
print('by part: ' + ', '.join(f'{k} {v} ({100 * v / total:.0f} %)' for k, v in sorted(parts.items())))
for frame, n in sorted(top.items(), key=lambda x: -x[1])[:8]:
    print(f'{n:5d} {frame}')
PY
