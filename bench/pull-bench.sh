#!/usr/bin/env bash
# Puller benchmark against real HAProxy instances on this machine.
#
#   bench/pull-bench.sh [INSTANCES] [POLLS]      (defaults: 3 20)
#
# Starts INSTANCES real HAProxy processes (small configs: 1 frontend, 2 backends, 3 servers, a
# UNIX stats socket each), runs the built haproxystats-pull executable with pull-interval 1 and
# the launcher's default JVM options for POLLS polls, then prints: the median, min and max wall
# time of one poll (from the puller's own report line), the puller's resident memory (VmRSS,
# VmHWM) and CPU seconds after the last poll. Needs `mvn install` first (target/ executables).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
instances=${1:-3}
polls=${2:-20}
exe=$here/haproxystats-pull/target/haproxystats-pull
[ -x "$exe" ] || { echo "build first: $exe is missing" >&2; exit 2; }
if [ -z "${JAVA_HOME:-}" ] && [ -f "$here/.java-home" ]; then export JAVA_HOME=$(cat "$here/.java-home"); fi

work=$(mktemp -d /tmp/pull-bench.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/run"
port=$((20000 + RANDOM % 20000))
for i in $(seq 1 "$instances"); do
    cat > "$work/run/h$i.cfg" <<CFG
global
    stats socket $work/run/h$i.sock mode 600 level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe_$i
    bind 127.0.0.1:$((port + i))
    default_backend be_app
backend be_app
    server web1 127.0.0.1:9 check inter 2s
    server web2 127.0.0.1:9
backend be_other
    server other 127.0.0.1:9
CFG
    haproxy -db -f "$work/run/h$i.cfg" > "$work/run/h$i.log" 2>&1 &
    pids+=($!)
done
for i in $(seq 1 "$instances"); do
    for _ in $(seq 1 100); do [ -S "$work/run/h$i.sock" ] && break; sleep 0.05; done
done
cat > "$work/pull.conf" <<CONF
[paths]
base-dir = $work/spool
[pull]
socket-dir = $work/run
pull-interval = 1
pull-timeout = 5
queue-size = 100000
dst-dir = \${paths:base-dir}/incoming
tmp-dst-dir = \${paths:base-dir}/incoming.tmp
CONF
"$exe" -f "$work/pull.conf" > "$work/pull.log" 2>&1 &
pull=$!
pids+=($pull)
while [ "$(grep -c 'wall clock time' "$work/pull.log" || true)" -lt "$polls" ]; do
    kill -0 "$pull" 2>/dev/null || { cat "$work/pull.log"; exit 1; }
    sleep 0.2
done
if [ -n "${BENCH_NMT:-}" ]; then
    # Native memory by area: run with BENCH_NMT=1 and -XX:NativeMemoryTracking=summary in
    # HAPROXYSTATS_JAVA_OPTS.
    "${JAVA_HOME:+$JAVA_HOME/bin/}jcmd" "$pull" VM.native_memory summary | grep -E "committed=" | head -25
fi
rss=$(awk '/VmRSS/{print $2}' "/proc/$pull/status")
hwm=$(awk '/VmHWM/{print $2}' "/proc/$pull/status")
ticks=$(awk '{print $14 + $15}' "/proc/$pull/stat")
hz=$(getconf CLK_TCK)
failed=$(grep -c 'ERROR' "$work/pull.log" || true)
grep 'wall clock time' "$work/pull.log" | head -n "$polls" | sed -E 's/.*wall clock time ([0-9.]+)s.*/\1/' |
python3 -c "
import statistics, sys
t = [float(x) * 1000 for x in sys.stdin]
s = sorted(t)
print(f'instances=$instances polls={len(t)} poll wall time ms: median={statistics.median(t):.1f} '
      f'min={min(t):.1f} p99={s[min(len(s) - 1, int(len(s) * 0.99))]:.1f} max={max(t):.1f}')
print(f'puller after {len(t)} polls: VmRSS={$rss/1024:.1f} MiB VmHWM={$hwm/1024:.1f} MiB '
      f'CPU={$ticks/$hz:.2f} s total ({$ticks/$hz/len(t)*1000:.1f} ms per poll), ERROR log lines=$failed')
"
