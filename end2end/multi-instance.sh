#!/usr/bin/env bash
# Two instances of the portal behind nginx (round robin, so consecutive requests of one browser
# land on different instances), on one PostgreSQL database and one S3-compatible server (moto),
# sharing only the key folder. Then the Playwright journeys run against nginx; wrong passwords
# sent alternately to each instance meet one brake; wrk signs in and reads the inbox through
# nginx; the script checks that both instances served and that nothing answered 5xx.
#
#   bash end2end/multi-instance.sh [playwright test files...]   (documents and sign-in by default)
#
# Needs what `make setup-test` and `make bench-tools` install (nginx, wrk, moto, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

# Absolute: the Playwright helpers call it from end2end/ (E2E_SERVER_BIN, debug build by default).
BIN=$(realpath "${E2E_SERVER_BIN:-target/debug/espace-usager}")
export E2E_SERVER_BIN=$BIN
PROXY_PORT=${PROXY_PORT:-3450}
PORTS=(3451 3452)
S3_PORT=${S3_PORT:-3459}
PG=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
DATABASE="eu_multi_$$"
WORK=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  psql "$PG" -qc "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

psql "$PG" -qc "CREATE DATABASE $DATABASE" >/dev/null
moto_server -H 127.0.0.1 -p "$S3_PORT" >"$WORK/moto.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -s "http://127.0.0.1:$S3_PORT" >/dev/null && break; sleep 0.1; done
curl -sf -X PUT "http://127.0.0.1:$S3_PORT/documents" >/dev/null

# What every instance shares; the data folder holds the keys (made once, here) and the outbox.
export DATABASE_URL="${PG%/*}/$DATABASE" EU_OBJECT_STORE_URL=s3://documents \
  EU_S3_ENDPOINT="http://127.0.0.1:$S3_PORT" EU_S3_ALLOW_HTTP=true EU_S3_ACCESS_KEY_ID=test \
  EU_S3_SECRET_ACCESS_KEY=test EU_DATA_DIR="$PWD/target/e2e-data" EU_DEMO_DATA=off \
  EU_PUBLIC_URL="http://127.0.0.1:$PROXY_PORT" EU_TRUSTED_PROXY_HOPS=1 \
  LEPTOS_SITE_ROOT=target/site RUST_LOG=info EU_LOG_FORMAT=json
rm -rf "$EU_DATA_DIR"
"$BIN" migrate >/dev/null

for index in 0 1; do
  EU_LISTEN_ADDR="127.0.0.1:${PORTS[$index]}" "$BIN" serve >"$WORK/instance-$index.log" 2>&1 &
  pids+=($!)
done
for port in "${PORTS[@]}"; do
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null
done

cat >"$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 256; }
http {
  log_format upstream '\$upstream_addr \$status \$request_method \$uri';
  access_log $WORK/access.log upstream;
  client_body_temp_path $WORK/body;
  proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fastcgi;
  uwsgi_temp_path $WORK/uwsgi;
  scgi_temp_path $WORK/scgi;
  upstream portal { server 127.0.0.1:${PORTS[0]}; server 127.0.0.1:${PORTS[1]}; keepalive 16; }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    client_max_body_size 0;
    proxy_request_buffering off;
    location / {
      proxy_pass http://portal;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host:\$server_port;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
NGINX
nginx -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log"

echo "== Playwright through nginx (two instances)"
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(tests/documents.spec.ts tests/sign-in.spec.ts tests/staff.spec.ts)
(cd end2end && E2E_EXTERNAL_SERVER=1 E2E_PORT=$PROXY_PORT npx playwright test "${specs[@]}")

echo "== one brake for both: wrong passwords for one number, alternately on each instance"
"$BIN" create-applicant --foreigner-number 0799999901 --given-names Brake --family-name Test \
  --date-of-birth 1990-01-01 --language fr >/dev/null
answers=()
for attempt in 0 1 2 3 4; do
  port=${PORTS[$((attempt % 2))]}
  location=$(curl -s -o /dev/null -w '%{redirect_url}' -H "Origin: http://127.0.0.1:$PROXY_PORT" \
    --data 'foreigner_number=0799999901&password=not-the-password' "http://127.0.0.1:$port/sign-in")
  answers+=("${location##*error=}")
done
echo "answers: ${answers[*]}"
# Three free failures and a fourth counted, wherever they landed: the fifth waits.
[ "${answers[4]}" = too_soon ] || { echo "the instances do not share the brake"; exit 1; }

echo "== load through nginx: sign-ins and inbox pages on a generated population"
"$BIN" generate-data --applicants 1000 --documents-per-applicant 5 --downloadable 0 >/dev/null
password='Population-generee-2026' # server::data_generator::PASSWORD
cat >"$WORK/sign-in.lua" <<LUA
local count = 0
function request()
  count = count + 1
  local number = 9000000000 + (count * 7919) % 1000
  local body = "foreigner_number=" .. number .. "&password=$password"
  return wrk.format("POST", "/sign-in", { ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = "http://127.0.0.1:$PROXY_PORT" }, body)
end
LUA
echo "-- POST /sign-in (wrk -t2 -c8 -d10s)"
wrk -t2 -c8 -d10s --latency -s "$WORK/sign-in.lua" "http://127.0.0.1:$PROXY_PORT" \
  | grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx'
curl -s -c "$WORK/jar" -o /dev/null "http://127.0.0.1:$PROXY_PORT/sign-in" \
  -H "Origin: http://127.0.0.1:$PROXY_PORT" \
  --data "foreigner_number=9000000500&password=$password"
cookie=$(awk '$6 ~ /eu-session$/ { print $6 "=" $7 }' "$WORK/jar")
[ -n "$cookie" ] || { echo "sign-in through nginx failed"; exit 1; }
echo "-- GET /account, one session, both instances (wrk -t2 -c32 -d10s)"
wrk -t2 -c32 -d10s --latency -H "Cookie: $cookie" "http://127.0.0.1:$PROXY_PORT/account" \
  | grep -E 'Requests/sec|^ +50%|^ +99%|Non-2xx'
for port in "${PORTS[@]}"; do
  items=$(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$port/account" | grep -o 'class="inbox-item' | wc -l)
  echo "the session's inbox on $port: $items documents"
  [ "$items" -eq 5 ]
done

echo "== who served"
for port in "${PORTS[@]}"; do
  served=$(grep -c "^127.0.0.1:$port " "$WORK/access.log" || true)
  echo "instance on $port: $served requests"
  [ "$served" -gt 0 ] || { echo "instance on $port served nothing"; exit 1; }
done
errors=$(awk '$2 >= 500' "$WORK/access.log" | wc -l)
echo "5xx answers: $errors"
[ "$errors" -eq 0 ] || { awk '$2 >= 500' "$WORK/access.log" | head; exit 1; }
echo "multi-instance: both served, no server error"
