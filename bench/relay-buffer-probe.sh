#!/usr/bin/env bash
# How many bytes a stopped (SIGSTOP) carbon-c-relay's socket buffers take before a writer's write
# blocks: the window the Graphite dispatcher's replay (`[graphite] replay-bytes`) must cover.
#   bench/relay-buffer-probe.sh [SNDBUF ...]     (defaults: 0 262144 65536; 0 = the kernel's autotuning)
# For each SO_SNDBUF: a fresh relay on 127.0.0.1, 3 s of traffic it reads (its receive window
# grows), SIGSTOP, then writes until one blocks for 2 s; prints the bytes taken after the stop, and
# of them the bytes the relay's kernel acknowledged (SIOCOUTQ): since issue 27 the dispatcher counts
# a batch delivered only once acknowledged; then the same for a connection made while it is stopped.
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
import fcntl, os, signal, socket, struct, sys, termios, time
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
def unacked(sock):
    # SIOCOUTQ (= TIOCOUTQ): bytes written that the peer's TCP has not acknowledged
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
acked = taken - unacked(s)
# A connection made while the relay is stopped: its listen backlog completes the handshake.
fresh = socket.socket()
if sndbuf:
    fresh.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
fresh.connect(("127.0.0.1", port))
fresh.settimeout(2.0)
fresh_taken = 0
try:
    while True:
        fresh.sendall(lines)
        fresh_taken += len(lines)
except socket.timeout:
    pass
fresh_acked = fresh_taken - unacked(fresh)
os.kill(relay, signal.SIGCONT)
print("SO_SNDBUF %s (kernel: %d): a stopped relay took %d bytes before a write blocked, its kernel "
      "acknowledged %d of them; a connection made while it was stopped took %d, acknowledged %d"
      % (sndbuf or "autotuned", s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF), taken, acked,
         fresh_taken, fresh_acked))
PY
    kill "$relay"; wait "$relay" 2>/dev/null || true
  done
done
