#!/usr/bin/env bash
# Submissions of complete consultation records through the consultation zone (issue #6): mutual TLS with
# HPKI verification, JSON Schema, doctor = certificate, guideline rules with stored context (consents,
# overlapping sessions), the FHIR JP Core transaction (validation, typed check) and the audit row, on SQLite.
# Usage (from the repository root): bash tests/load/consultation-bench.sh [SECONDS] [CONNECTIONS]
# Builds the release binary and the load generator (tests/load/mtls_load.rs, --mode records), starts
# `kakehashi serve` on loopback in a temporary data folder with its development PKI, posts the first-visit
# example's consents, then records (fixtures/consultation/ok/record-dtop-first-visit.json, each with its
# own id and session time) on kept-alive connections, and prints records/s. Traffic stays on 127.0.0.1.
set -euo pipefail
seconds=${1:-10}
connections=${2:-16}
root=$(pwd)
cargo build --release -p kakehashi >/dev/null
cargo build --release -p kakehashi-tests --example mtls-load >/dev/null
target=${CARGO_TARGET_DIR:-$root/target}
bin=$target/release/kakehashi
load=$target/release/examples/mtls-load
data=$(mktemp -d)
(cd "$data" && KAKEHASHI__HOSPITAL__LISTEN=127.0.0.1:18080 KAKEHASHI__ADMIN__LISTEN=127.0.0.1:19090 \
  KAKEHASHI__CONSULTATION__LISTEN=127.0.0.1:18443 KAKEHASHI__LOG__LEVEL=warn "$bin" serve) &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:19090/readyz" >/dev/null && break; sleep 0.1; done
examples=$root/fixtures/consultation/ok
echo "== load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) cores)"
"$load" --addr 127.0.0.1:18443 --pki "$data/kakehashi-data/dev-pki" --mode records \
  --connections "$connections" --seconds "$seconds" --record "$examples/record-dtop-first-visit.json" \
  --consent "$examples/consent-online-consultation.json" --consent "$examples/consent-security-risk.json"
count() { curl -s "http://127.0.0.1:18080/fhir/$1?_summary=count" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
echo "stored: $(count Encounter) Encounters, $(count Composition) Compositions, $(count Observation) Observations"
echo "audit rows written: $(curl -s 'http://127.0.0.1:19090/fhir/AuditEvent?_count=0' | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
