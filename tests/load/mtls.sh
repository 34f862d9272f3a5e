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
target=${CARGO_TARGET_DIR:-$(pwd)/target}
bin=$target/release/kakehashi
load=$target/release/examples/mtls-load
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
if command -v nginx >/dev/null; then
  # Peer: nginx (OpenSSL) terminating mutual TLS with the same certificates and client load, answering a
  # fixed body: no policy, no audit, no database, and no revocation check (nginx's ssl_crl turns on
  # OpenSSL's check of every level, which also wants a CRL for the root itself, as with the real MHLW
  # SARL without the RARL: "different CRL scope"). It is the ceiling of TLS termination alone.
  ngx=$(mktemp -d)
  cat "$pki/hpki-root.pem" "$pki/hpki-auth-ca.pem" >"$ngx/client-ca.pem"
  cat >"$ngx/nginx.conf" <<NGINX
worker_processes 2;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:18444 ssl;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate $pki/server.pem;
    ssl_certificate_key $pki/server.key.pem;
    ssl_client_certificate $ngx/client-ca.pem;
    ssl_verify_client on;
    ssl_verify_depth 3;
    ssl_session_cache off;
    ssl_session_tickets off;
    location / { default_type application/fhir+json; return 200 '{"resourceType":"CapabilityStatement"}'; }
  }
}
NGINX
  nginx -c "$ngx/nginx.conf"
  sleep 0.5
  echo "== peer: nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') with OpenSSL, same certificates"
  for mode in handshakes tls12-handshakes requests; do
    "$load" --addr 127.0.0.1:18444 --pki "$pki" --mode "$mode" --connections "$connections" --seconds "$seconds"
  done
  kill "$(cat "$ngx/nginx.pid")"
  rm -rf "$ngx"
fi
echo "audit rows written: $(curl -s 'http://127.0.0.1:19090/fhir/AuditEvent?_count=0' | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
