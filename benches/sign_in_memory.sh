#!/usr/bin/env bash
# The server's peak memory (VmHWM) under sign-in load: 10,000 generated applicants on SQLite,
# wrk -t2 -c8 for 10 s on POST /sign-in across them, release build. Extra environment for the
# server can be given as arguments (e.g. MALLOC_ARENA_MAX=2) to compare allocator settings.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=target/release/espace-usager
port="${BENCH_PORT:-3511}"
password='Population-generee-2026' # server::data_generator::PASSWORD
root=$(mktemp -d)
server=""
cleanup() {
  [[ -n "$server" ]] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  rm -rf "$root"
}
trap cleanup EXIT
export EU_DATA_DIR="$root" EU_LISTEN_ADDR="127.0.0.1:$port" EU_PUBLIC_URL="http://127.0.0.1:$port" \
  LEPTOS_SITE_ROOT=target/site RUST_LOG=warn EU_DEMO_DATA=off
"$bin" generate-data --applicants 10000 --documents-per-applicant 10 --downloadable 0 >/dev/null
cat >"$root/sign-in.lua" <<LUA
local count = 0
function request()
  count = count + 1
  local number = 9000000000 + (count * 7919) % 10000
  local body = "foreigner_number=" .. number .. "&password=$password"
  return wrk.format("POST", "/sign-in", { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
LUA
env "$@" "$bin" serve >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
wrk -t2 -c8 -d10s --latency -s "$root/sign-in.lua" "http://127.0.0.1:$port" | grep -E 'Requests/sec|^ +50%|^ +99%'
echo "peak memory: $(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status") MiB (${*:-default settings})"
