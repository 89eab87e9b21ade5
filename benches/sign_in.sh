#!/usr/bin/env bash
# Sign-ins per second on the release build: wrk posts the sign-in form for 32 activated accounts
# (each thread cycles through its own 16), so every request verifies an Argon2id hash (19 MiB,
# 2 passes), opens a session and writes its audit events. Loopback only; bounded in time.
# Run through `make bench` (after benches/http.sh) or alone once the release build exists.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${BENCH_PORT:-3501}"
duration="${BENCH_DURATION:-15s}"
connections="${BENCH_SIGN_IN_CONNECTIONS:-8}"
accounts=32
password='a long phrase for the benchmark'
data="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT

export EU_DATA_DIR="$data" EU_LISTEN_ADDR="127.0.0.1:$port" EU_PUBLIC_URL="http://127.0.0.1:$port" \
  LEPTOS_SITE_ROOT=target/site RUST_LOG=warn EU_DEMO_DATA=off
target/release/espace-usager serve >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

numbers=()
for i in $(seq 1 "$accounts"); do
  number=$(printf '07%08d' "$i")
  key=$(target/release/espace-usager create-applicant --foreigner-number "$number" \
    --given-names Bench --family-name Account --date-of-birth 1990-01-01 --language fr \
    | sed -n 's/.*connection key \([^ ]*\).*/\1/p')
  status=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$port/activate" \
    --data-urlencode "foreigner_number=$number" --data-urlencode "connection_key=$key" \
    -d birth_day=1 -d birth_month=1 -d birth_year=1990 --data-urlencode "password=$password")
  [[ "$status" == *"/account/contact?activated=1" ]] || { echo "activation failed: $status" >&2; exit 1; }
  numbers+=("$number")
done

script="$data/sign-in.lua"
cat > "$script" <<LUA
local numbers = { $(printf '"%s",' "${numbers[@]}") }
local next_thread = 0
function setup(thread)
  thread:set("offset", next_thread * 16)
  next_thread = next_thread + 1
end
local count = 0
function request()
  count = count + 1
  local number = numbers[offset + (count % 16) + 1]
  local body = "foreigner_number=" .. number .. "&password=$(printf '%s' "$password" | sed 's/ /+/g')"
  return wrk.format("POST", "/sign-in", { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
LUA

echo "== POST /sign-in, $accounts accounts (wrk -t2 -c$connections -d$duration)"
wrk -t2 -c"$connections" -d"$duration" --latency -s "$script" "http://127.0.0.1:$port" \
  | grep -E 'Requests/sec|Latency|50%|99%|requests in|Non-2xx'
# Every answer must have been a real sign-in, not a throttle refusal.
refusals=$(sqlite3 "$data/espace-usager.db" "SELECT COUNT(*) FROM audit_events WHERE action = 'sign_in_password' AND outcome = 'failure'" 2>/dev/null || echo '?')
sessions=$(sqlite3 "$data/espace-usager.db" "SELECT COUNT(*) FROM sessions" 2>/dev/null || echo '?')
echo "refused sign-ins: $refusals; sessions opened: $sessions"
