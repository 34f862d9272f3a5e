#!/usr/bin/env bash
# Load test of the consultation zone (mutual TLS with HPKI verification) on SQLite, every request audited.
# Usage (from the repository root): bash tests/load/mtls.sh [SECONDS] [CONNECTIONS]
# Builds the release binary and the load generator (tests/load/mtls_load.rs), starts `kakehashi serve` on
# loopback in a temporary data folder (its development PKI: an HPKI-like doctor certificate), measures
# full handshakes/s and kept-alive requests/s, stops the server. Traffic stays on 127.0.0.1.
set -euo pipefail
seconds=${1:-10}
connections=${2:-16}
cargo build --release -p kakehashi >/dev/null
cargo build --release -p kakehashi-tests --example mtls-load >/dev/null
bin=$(pwd)/target/release/kakehashi
load=$(pwd)/target/release/examples/mtls-load
data=$(mktemp -d)
(cd "$data" && KAKEHASHI__HOSPITAL__LISTEN=127.0.0.1:18080 KAKEHASHI__ADMIN__LISTEN=127.0.0.1:19090 \
  KAKEHASHI__CONSULTATION__LISTEN=127.0.0.1:18443 KAKEHASHI__LOG__LEVEL=warn "$bin" serve) &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:19090/readyz" >/dev/null && break; sleep 0.1; done
pki="$data/kakehashi-data/dev-pki"
for mode in handshakes tls12-handshakes requests; do
  "$load" --addr 127.0.0.1:18443 --pki "$pki" --mode "$mode" --connections "$connections" --seconds "$seconds"
done
echo "audit rows written: $(curl -s 'http://127.0.0.1:19090/fhir/AuditEvent?_count=0' | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
