#!/usr/bin/env bash
# Load test of the FHIR REST listener on SQLite: creates/s and reads/s through the whole HTTP stack.
# Usage (from the repository root): bash tests/load/fhir-rest.sh [SECONDS] [CONNECTIONS]
# Needs wrk (Debian package `wrk`). Builds the release binary, starts it on loopback in a temporary data
# folder, runs wrk with keep-alive connections, stops the server. Traffic stays on 127.0.0.1.
set -euo pipefail
seconds=${1:-20}
connections=${2:-16}
here=$(cd "$(dirname "$0")" && pwd)
cargo build --release -p kakehashi >/dev/null
bin=${CARGO_TARGET_DIR:-$(pwd)/target}/release/kakehashi
data=$(mktemp -d)
port=18080
admin=19090
(cd "$data" && KAKEHASHI__HOSPITAL__LISTEN=127.0.0.1:$port KAKEHASHI__ADMIN__LISTEN=127.0.0.1:$admin KAKEHASHI__LOG__LEVEL=warn "$bin" serve) &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/fhir/metadata" >/dev/null && break; sleep 0.1; done

echo "== creates: POST /fhir/Patient, $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$here/create-patient.lua" "http://127.0.0.1:$port/fhir/Patient"

id=$(curl -s -X POST -H 'Content-Type: application/fhir+json' -d '{"resourceType":"Patient","identifier":[{"system":"urn:load","value":"R1"}],"name":[{"family":"読取"}]}' \
  "http://127.0.0.1:$port/fhir/Patient" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "== reads: GET /fhir/Patient/$id, $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port/fhir/Patient/$id"

echo "== search: GET /fhir/Patient?identifier=urn:load|R1 (one match among all created), $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port/fhir/Patient?identifier=urn:load%7CR1"
