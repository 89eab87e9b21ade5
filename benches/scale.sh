#!/usr/bin/env bash
# How the applicant's figures grow with the population (release build, SQLite, local files):
# for each size, `generate-data` writes the applicants (10 document rows each, real letters for
# the first 10), then wrk measures sign-in (password check, session), the inbox page of an
# account in the middle of the population, and the download of a real letter; with the server's
# peak memory. Usage: benches/scale.sh [sizes...] (10000 1000000 by default).
set -euo pipefail
cd "$(dirname "$0")/.."

port="${BENCH_PORT:-3504}"
duration="${BENCH_DURATION:-10s}"
bin=target/release/espace-usager
password='Population-generee-2026' # server::data_generator::PASSWORD
root="$(mktemp -d)"
server=""
cleanup() {
  [[ -n "$server" ]] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  rm -rf "$root"
}
trap cleanup EXIT
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10000 1000000)
url="http://127.0.0.1:$port"

for size in "${sizes[@]}"; do
  data="$root/$size"
  mkdir -p "$data"
  export EU_DATA_DIR="$data" EU_LISTEN_ADDR="127.0.0.1:$port" EU_PUBLIC_URL="$url" \
    LEPTOS_SITE_ROOT=target/site RUST_LOG=warn EU_DEMO_DATA=off
  echo "== $size applicants"
  "$bin" generate-data --applicants "$size" --documents-per-applicant 10 --downloadable 10
  echo "database: $(du -h "$data/espace-usager.db" | cut -f1)"
  "$bin" serve >"$data/server.log" 2>&1 &
  server=$!
  started=$(date +%s.%N)
  for _ in $(seq 1 1200); do curl -fsS "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  echo "server answering after $(echo "$(date +%s.%N) - $started" | bc) s"

  middle=$((9000000000 + size / 2))
  answer=$(curl -s -c "$data/jar" -o /dev/null -w '%{http_code} %{redirect_url} %{time_total}s' \
    "$url/sign-in" --data-urlencode "foreigner_number=$middle" --data-urlencode "password=$password")
  echo "sign-in of $middle: $answer"
  cookie=$(awk '$6 ~ /eu-session$/ { print $6 "=" $7 }' "$data/jar")
  [[ -n "$cookie" ]] || { echo "sign-in failed" >&2; tail -20 "$data/server.log" >&2; exit 1; }
  items=$(curl -s -H "Cookie: $cookie" "$url/account" | grep -o 'class="inbox-item' | wc -l)
  echo "inbox of $middle: $items documents"

  script="$data/sign-in.lua"
  cat > "$script" <<LUA
local count = 0
function request()
  count = count + 1
  local number = 9000000000 + (count * 7919) % $size
  local body = "foreigner_number=" .. number .. "&password=$password"
  return wrk.format("POST", "/sign-in", { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
LUA
  echo "-- POST /sign-in across the population (wrk -t2 -c8 -d$duration)"
  wrk -t2 -c8 -d"$duration" --latency -s "$script" "$url" | grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx'
  echo "server peak memory so far: $(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status") MiB"
  echo "-- GET /account, the inbox (wrk -t2 -c32 -d$duration)"
  wrk -t2 -c32 -d"$duration" --latency -H "Cookie: $cookie" -H 'Accept-Encoding: br' "$url/account" \
    | grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx'

  first=9000000000
  curl -s -c "$data/jar-first" -o /dev/null "$url/sign-in" --data-urlencode "foreigner_number=$first" \
    --data-urlencode "password=$password"
  first_cookie=$(awk '$6 ~ /eu-session$/ { print $6 "=" $7 }' "$data/jar-first")
  letter=$(curl -s -H "Cookie: $first_cookie" "$url/account" | grep -o 'href="/account/documents/[^"]*"' \
    | head -1 | sed 's/href="//; s/"$//')
  bytes=$(curl -s -H "Cookie: $first_cookie" "$url$letter" | wc -c)
  echo "-- GET $letter ($bytes bytes, a real letter) (wrk -t2 -c32 -d$duration)"
  wrk -t2 -c32 -d"$duration" --latency -H "Cookie: $first_cookie" "$url$letter" \
    | grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx'
  echo "server peak memory: $(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status") MiB"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  rm -rf "$data"
done
