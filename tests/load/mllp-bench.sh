#!/usr/bin/env bash
# MLLP ingest load test (issue #5): ACK after commit, on embedded SQLite.
# Usage (from the repository root): bash tests/load/mllp-bench.sh [CONNECTIONS] [MESSAGES_PER_CONNECTION] [FILE]
# Builds the release binary and the load client (tests/src/bin/mllp-load.rs), starts `kakehashi serve` in a
# temporary data folder (SQLite, synchronous = FULL as always) with the MLLP listener on a free loopback
# port, waits for /readyz, runs a warm-up (CONNECTIONS × 50) and the measured run (default 16 × 500), each
# message with its own MSH-10 so that none is answered as a duplicate, and stops the server. FILE defaults
# to the SS-MIX2 corpus' OML-11 lab result (ISO-2022-JP, sent as its bytes). Goal: ≥ 3,000 msg/s with p99
# ACK latency ≤ 25 ms and no ACK other than AA. Traffic stays on 127.0.0.1.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
connections=${1:-16}
messages=${2:-500}
file=${3:-$root/../shared/corpora/ssmix2/nho-support-documents/sample/standard_root/012/345/0123456789/20080126/OML-11/0123456789_20080126_OML-11_081251234567800_200802031630123_01_1}
[[ -f $file ]] || { echo "no message file $file" >&2; exit 1; }
cargo build --release -p kakehashi >/dev/null
cargo build --release -p kakehashi-tests --bin mllp-load >/dev/null
target=${CARGO_TARGET_DIR:-$root/target}
bin=$target/release/kakehashi
load=$target/release/mllp-load

# Three free loopback ports (asked from the kernel, then released for the server to bind).
read -r http admin mllp < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
')
data=$(mktemp -d)
(cd "$data" && KAKEHASHI__HOSPITAL__LISTEN=127.0.0.1:$http KAKEHASHI__ADMIN__LISTEN=127.0.0.1:$admin \
  KAKEHASHI__CONSULTATION__ENABLED=false KAKEHASHI__MLLP__ENABLED=true \
  KAKEHASHI__MLLP__LISTEN=127.0.0.1:$mllp KAKEHASHI__LOG__LEVEL=warn "$bin" serve) &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
ready=
for _ in $(seq 200); do
  if curl -sf "http://127.0.0.1:$admin/readyz" >/dev/null; then ready=1; break; fi
  kill -0 $server 2>/dev/null || { echo "kakehashi serve exited" >&2; exit 1; }
  sleep 0.1
done
[[ -n $ready ]] || { echo "kakehashi serve not ready after 20 s" >&2; exit 1; }

echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) cores; client and server share them)"
echo "== message: $(basename "$file") ($(stat -c %s "$file") bytes)"
echo "== warm-up: $connections × 50"
"$load" --addr "127.0.0.1:$mllp" --connections "$connections" --messages-per-connection 50 --file "$file" \
  --id-prefix "warmup-$$"
echo "== measured: $connections × $messages"
"$load" --addr "127.0.0.1:$mllp" --connections "$connections" --messages-per-connection "$messages" \
  --file "$file"
echo "== database after the runs: $(du -sh "$data" | cut -f1)"
