#!/usr/bin/env bash
# Sessions per second of `mqtt-harness fuzz` against Debian's mosquitto, beside the baseline of a
# plain socket loop (CONNECT, CONNACK, DISCONNECT) against the same broker, in the same run.
# Usage: bench/netfuzz/fuzz_throughput.sh [BUILD_DIR (default build/release)] [SECONDS (20)]
set -euo pipefail
build=${1:-build/release}
seconds=${2:-20}
mosquitto=${MOSQUITTO:-/usr/sbin/mosquitto}
harness=$build/harness/cli/mqtt-harness
loop=$build/bench/netfuzz/plain_connect_loop
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$mosquitto" -p "$port" >/dev/null 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null || true' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; done
echo "== baseline against mosquitto on port $port"
"$loop" "$port" "$seconds" 1
"$loop" "$port" "$seconds" 2
kill $broker; wait $broker 2>/dev/null || true
trap - EXIT
echo "== mqtt-harness fuzz against mosquitto (--broker-cmd, restarted on findings)"
out=$(mktemp -d)
"$harness" fuzz --broker-cmd "$mosquitto -p {port}" --duration "${seconds}s" --seed 1 \
    --out "$out/findings" | tail -1
rm -rf "$out"
