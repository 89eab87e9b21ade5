#!/usr/bin/env bash
# Measures the release build: .wasm size (raw, gzip, brotli) and requests/second on /healthz and
# on the landing page with wrk. Loopback only; bounded in time. Run through `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${BENCH_PORT:-3500}"
duration="${BENCH_DURATION:-15s}"
connections="${BENCH_CONNECTIONS:-64}"
data="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT

wasm=target/site/pkg/espace-usager.wasm
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
br=$(brotli -q 11 -c "$wasm" | wc -c)
printf 'wasm: %d bytes raw, %d gzip -9, %d brotli -q 11\n' "$raw" "$gz" "$br"

EU_DATA_DIR="$data" EU_LISTEN_ADDR="127.0.0.1:$port" EU_PUBLIC_URL="http://127.0.0.1:$port" \
  LEPTOS_SITE_ROOT=target/site RUST_LOG=warn EU_DEMO_DATA=off \
  target/release/espace-usager serve >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

for path in /healthz / ; do
  echo "== GET $path (wrk -t2 -c$connections -d$duration, Accept-Encoding: br)"
  wrk -t2 -c"$connections" -d"$duration" --latency -H 'Accept-Encoding: br' "http://127.0.0.1:$port$path" \
    | grep -E 'Requests/sec|Latency|50%|99%|Non-2xx'
done
rss=$(ps -o rss= -p "$server")
echo "server resident memory after the runs: $((rss / 1024)) MiB"
