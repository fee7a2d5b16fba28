#!/usr/bin/env bash
# How many bytes a stopped (SIGSTOP) carbon-c-relay's socket buffers take before a writer's write
# blocks: the window the Graphite dispatcher's replay (`[graphite] replay-bytes`) must cover.
#   bench/relay-buffer-probe.sh [SNDBUF ...]     (defaults: 0 262144 65536; 0 = the kernel's autotuning)
# For each SO_SNDBUF: a fresh relay on 127.0.0.1, 3 s of traffic it reads (its receive window
# grows), SIGSTOP, then writes until one blocks for 2 s; prints the bytes taken after the stop.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/relay.conf" <<CONF
listen
    type linemode
        127.0.0.1:$port proto tcp
    ;
cluster sink
    file $work/out.txt
    ;
match *
    send to sink
    stop
    ;
CONF
for sndbuf in "${@:-0 262144 65536}"; do
  for b in $sndbuf; do
    carbon-c-relay -f "$work/relay.conf" -s -w 1 -b 10000 -q 1000000 > "$work/relay.log" 2>&1 &
    relay=$!
    sleep 1
    python3 - "$b" "$relay" "$port" <<'PY'
import os, signal, socket, sys, time
sndbuf, relay, port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s = socket.socket()
if sndbuf:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
s.connect(("127.0.0.1", port))
lines = b"a.b.c.d.e.f.g.metric_name_here 12345 1700000000\n" * 100
start = time.time()
while time.time() - start < 3:
    s.sendall(lines)
time.sleep(1)
os.kill(relay, signal.SIGSTOP)
time.sleep(0.2)
s.settimeout(2.0)
taken = 0
try:
    while True:
        s.sendall(lines)
        taken += len(lines)
except socket.timeout:
    pass
os.kill(relay, signal.SIGCONT)
print("SO_SNDBUF %s (kernel: %d): a stopped relay took %d bytes before a write blocked"
      % (sndbuf or "autotuned", s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF), taken))
PY
    kill "$relay"; wait "$relay" 2>/dev/null || true
  done
done
