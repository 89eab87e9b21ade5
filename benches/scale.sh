#!/usr/bin/env bash
# The benchmark suite at national scale (release build). For each population size, on SQLite
# (default) or PostgreSQL (BENCH_ENGINE=postgres), with documents on the local file system:
#   - `generate-data` writes the applicants (10 document rows each, real letters for the first 10);
#   - the server starts; the suite waits for the per-minute jobs' first pass to settle;
#   - wrk measures, each for BENCH_DURATION: sign-in, the inbox page, the download of a real
#     letter, the staff applicant page, the staff dashboard, the REST push of one document; then a bulk push of 1,000
#     documents (three times). Each beside a baseline in the same run: nginx serving the same
#     bytes statically (pages, letter), writing the same bytes to disk (pushes);
#   - the server's peak resident memory (VmHWM) after each phase.
# Usage: benches/scale.sh [sizes...] (10000 1000000 by default). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

engine="${BENCH_ENGINE:-sqlite}"
port="${BENCH_PORT:-3504}"
nginx_port="${BENCH_NGINX_PORT:-3505}"
duration="${BENCH_DURATION:-10s}"
pg_server="${BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
bin=target/release/espace-usager
password='Population-generee-2026' # server::data_generator::PASSWORD
root="$(mktemp -d)"
chmod a+x "$root" # nginx's workers run as an unprivileged user
server=""
database=""
cleanup() {
  [[ -n "$server" ]] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  [[ -f "$root/nginx.pid" ]] && kill "$(cat "$root/nginx.pid")" 2>/dev/null || true
  [[ -n "$database" ]] && psql -q "$pg_server/postgres" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true
  rm -rf "$root"
}
trap cleanup EXIT
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10000 1000000)
url="http://127.0.0.1:$port"
static="http://127.0.0.1:$nginx_port"

# nginx serving $root/static, as a plain file server would.
mkdir -p "$root/static" "$root/nginx-temp"
cat > "$root/nginx.conf" <<NGINX
worker_processes 2;
daemon on;
pid $root/nginx.pid;
error_log $root/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $root/nginx-temp/body;
  proxy_temp_path $root/nginx-temp/proxy;
  fastcgi_temp_path $root/nginx-temp/fastcgi;
  uwsgi_temp_path $root/nginx-temp/uwsgi;
  scgi_temp_path $root/nginx-temp/scgi;
  types { application/pdf pdf; text/html html; }
  server { listen 127.0.0.1:$nginx_port; root $root/static; }
}
NGINX
nginx -c "$root/nginx.conf" -p "$root" 2>/dev/null

peak_mib() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status"; }
# wrk's figures as "rate p50_ms p99_ms non_2xx".
wrk_figures() {
  wrk --latency --timeout 30s "$@" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v * 60000 }
    /Requests\/sec/ { rate = $2 } /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /Non-2xx/ { bad = $NF }
    END { printf "%.1f %.1f %.1f %d\n", rate, p50, p99, bad }'
}
# One line of the table: label, the portal's figures, the baseline's (or "-").
row() {
  local label="$1" portal="$2" baseline="$3"
  read -r rate p50 p99 bad <<<"$portal"
  if [[ "$baseline" == "-" ]]; then
    printf '| %s | %s/s, p50 %s ms, p99 %s ms%s | | |\n' "$label" "$rate" "$p50" "$p99" \
      "$([[ $bad -gt 0 ]] && echo ", $bad NON-2XX")"
  else
    read -r b_rate b_p50 b_p99 _ <<<"$baseline"
    printf '| %s | %s/s, p50 %s ms, p99 %s ms%s | %s/s, p50 %s ms, p99 %s ms | %s |\n' "$label" \
      "$rate" "$p50" "$p99" "$([[ $bad -gt 0 ]] && echo ", $bad NON-2XX")" "$b_rate" "$b_p50" "$b_p99" \
      "$(awk -v a="$rate" -v b="$b_rate" 'BEGIN { printf "%.3f", a / b }')"
  fi
}
# A GET through the portal (with its headers) and the same bytes from nginx, at $2 connections.
page_against_nginx() {
  local label="$1" connections="$2" path="$3" file="$4"; shift 4
  curl -fsS "$@" "$url$path" -o "$root/static/$file"
  local bytes; bytes=$(stat -c %s "$root/static/$file")
  chmod a+r "$root/static/$file"
  local portal nginx
  portal=$(wrk_figures -t2 -c"$connections" -d"$duration" "$@" "$url$path")
  nginx=$(wrk_figures -t2 -c"$connections" -d"$duration" "$static/$file")
  row "$label ($bytes B, $connections connections)" "$portal" "$nginx" >>"$table"
  echo "server peak memory after $label: $(peak_mib) MiB"
}
# Writing the same bytes to disk, one file after another: "rate p50_ms p99_ms 0", plain or with
# fsync. Arguments: file, count, fsync (0 or 1).
disk_writes() {
  python3 - "$1" "$2" "$3" "$root/disk" <<'PY'
import os, sys, time
data = open(sys.argv[1], "rb").read()
count, sync, folder = int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
os.makedirs(folder, exist_ok=True)
times = []
start = time.perf_counter()
for i in range(count):
    t = time.perf_counter()
    with open(f"{folder}/{i}", "wb") as out:
        out.write(data)
        if sync:
            out.flush(); os.fsync(out.fileno())
    times.append(time.perf_counter() - t)
total = time.perf_counter() - start
times.sort()
print(f"{count / total:.1f} {times[len(times) // 2] * 1000:.3f} {times[int(len(times) * 0.99)] * 1000:.3f} 0")
for name in os.listdir(folder):
    os.remove(f"{folder}/{name}")
PY
}

for size in "${sizes[@]}"; do
  data="$root/$size"
  table="$root/table-$size"
  mkdir -p "$data"
  export EU_DATA_DIR="$data" EU_LISTEN_ADDR="127.0.0.1:$port" EU_PUBLIC_URL="$url" \
    LEPTOS_SITE_ROOT=target/site RUST_LOG=warn,server::dashboard=info EU_DEMO_DATA=off
  if [[ "$engine" == postgres ]]; then
    database="bench_scale_$size"
    psql -q "$pg_server/postgres" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database"
    export DATABASE_URL="$pg_server/$database"
    count_notifications() { psql -tA "$DATABASE_URL" -c 'SELECT count(*) FROM notifications'; }
  else
    unset DATABASE_URL
    count_notifications() { sqlite3 "$data/espace-usager.db" 'SELECT count(*) FROM notifications'; }
  fi
  echo "== $size applicants on $engine"
  started=$(date +%s.%N)
  "$bin" generate-data --applicants "$size" --documents-per-applicant 10 --downloadable 10
  echo "generated in $(echo "$(date +%s.%N) - $started" | bc) s"
  [[ "$engine" == sqlite ]] && echo "database: $(du -h "$data/espace-usager.db" | cut -f1)"
  "$bin" serve >"$data/server.log" 2>&1 &
  server=$!
  started=$(date +%s.%N)
  for _ in $(seq 1 1200); do curl -fsS "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  echo "server answering after $(echo "$(date +%s.%N) - $started" | bc) s"

  middle=$((9000000000 + size / 2))
  answer=$(curl -s -c "$data/jar" -o /dev/null -w '%{http_code} %{time_total}s' \
    "$url/sign-in" --data-urlencode "foreigner_number=$middle" --data-urlencode "password=$password")
  echo "first sign-in, of $middle: $answer"
  cookie=$(awk '$6 ~ /eu-session$/ { print $6 "=" $7 }' "$data/jar")
  [[ -n "$cookie" ]] || { echo "sign-in failed" >&2; tail -20 "$data/server.log" >&2; exit 1; }

  # A fresh population has every unopened document due for a reminder: the first passes of the
  # reminder job queue them. Measured once they have settled, as a running office would be.
  # Settled: no new notification for 80 s, longer than the job's one-minute period.
  settle_start=$(date +%s)
  previous=-1
  quiet=0
  while :; do
    now=$(count_notifications)
    if [[ "$now" == "$previous" ]]; then quiet=$((quiet + 1)); else quiet=0; fi
    ((quiet >= 4)) && break
    (($(date +%s) - settle_start > 1800)) && { echo "the reminder queue did not settle" >&2; break; }
    previous=$now
    sleep 20
  done
  echo "reminder queue settled at $now notifications after $(($(date +%s) - settle_start)) s"

  echo "| $size applicants, $engine | portal | baseline (same run) | ratio |" >"$table"
  echo "|---|---|---|---|" >>"$table"
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
  row "POST /sign-in (8 connections, accounts spread)" "$(wrk_figures -t2 -c8 -d"$duration" -s "$script" "$url")" - >>"$table"
  echo "server peak memory after sign-in: $(peak_mib) MiB"

  page_against_nginx "GET /account, inbox of 10" 32 /account inbox.html -H "Cookie: $cookie"

  first=9000000000
  curl -s -c "$data/jar-first" -o /dev/null "$url/sign-in" --data-urlencode "foreigner_number=$first" \
    --data-urlencode "password=$password"
  first_cookie=$(awk '$6 ~ /eu-session$/ { print $6 "=" $7 }' "$data/jar-first")
  letter=$(curl -s -H "Cookie: $first_cookie" "$url/account" | grep -o 'href="/account/documents/[^"]*"' \
    | head -1 | sed 's/href="//; s/"$//')
  page_against_nginx "GET /account/documents/{id} (a real letter)" 32 "$letter" letter.pdf -H "Cookie: $first_cookie"

  # A staff member: invited, enrolled with a TOTP code, signed in with the next one.
  link=$("$bin" create-staff --email "bench-$size@office.example" --name Bench --role agent | grep -o 'http[^ ]*enrol?token=[^ ]*')
  token=${link##*token=}
  secret=$(curl -s "$url/staff/enrol?token=$token" | grep -o 'name="totp_secret" value="[^"]*"' | sed 's/.*value="//; s/"$//')
  totp() { python3 -c '
import base64, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1] + "=" * (-len(sys.argv[1]) % 8))
digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30 + int(sys.argv[2])), "sha1").digest()
offset = digest[-1] & 15
print("%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7fffffff) % 1000000))' "$secret" "$1"; }
  curl -s -o /dev/null "$url/staff/enrol" --data-urlencode "token=$token" --data-urlencode "totp_secret=$secret" \
    --data-urlencode "password=une phrase de passe pour agent" --data-urlencode "code=$(totp 0)"
  curl -s -c "$data/jar-staff" -o /dev/null "$url/staff/sign-in" --data-urlencode "email=bench-$size@office.example" \
    --data-urlencode "password=une phrase de passe pour agent" --data-urlencode "code=$(totp 1)"
  staff_cookie=$(awk '$6 ~ /eu-staff$/ { print $6 "=" $7 }' "$data/jar-staff")
  [[ -n "$staff_cookie" ]] || { echo "staff sign-in failed" >&2; exit 1; }
  # Found by number through the search form, which answers with the file's address (by id).
  file_page=$(curl -s -o /dev/null -w '%{redirect_url}' -H "Cookie: $staff_cookie" \
    "$url/staff/find" --data-urlencode "number=$middle" | sed "s|^$url||")
  [[ "$file_page" == /staff/applicants/* ]] || { echo "the staff search found no file" >&2; exit 1; }
  page_against_nginx "GET /staff/applicants/{id} (10 documents)" 32 "$file_page" staff.html \
    -H "Cookie: $staff_cookie"
  # The dashboard reads the figures the job keeps; how long computing them took is in the log
  # (the job's first pass, at start, then every 5 minutes while the runs go on).
  echo "dashboard figures computed in: $(grep -oE 'elapsed_ms"?[=:] ?[0-9]+' "$data/server.log" | grep -oE '[0-9]+$' | sed 's/$/ ms/' | paste -sd, -)"
  page_against_nginx "GET /staff/dashboard" 32 /staff/dashboard dashboard.html -H "Cookie: $staff_cookie"

  # The REST push: one small real PDF to an applicant across the population, 8 at a time.
  api_key=$("$bin" create-api-key --name bench --scope documents:write,documents:read | grep -o '^eu_[^ ]*')
  python3 -c 'import sys; sys.path.insert(0, "benches"); from pdf import pdf; open(sys.argv[1], "wb").write(pdf("Courrier", 12000))' "$data/push.pdf"
  cat > "$data/push.lua" <<LUA
local file = io.open("$data/push.pdf", "rb")
local pdf = file:read("*all")
file:close()
local count = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function request()
  count = count + 1
  local number = 9000000000 + (count * 104729 + math.random(0, 1000)) % $size
  -- Each file different (the same file twice in an account is refused): 16 characters of the
  -- first padding line replaced, so that the PDF's offsets stay right.
  local unique = pdf:sub(1, 11) .. string.format("%08d%08d", tid or 0, count) .. pdf:sub(28)
  local b = "eu-bench"
  local body = "--" .. b .. "\r\nContent-Disposition: form-data; name=\"applicant\"\r\n\r\n" .. number .. "\r\n"
    .. "--" .. b .. "\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nother\r\n"
    .. "--" .. b .. "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nCourrier\r\n"
    .. "--" .. b .. "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    .. unique .. "\r\n--" .. b .. "--\r\n"
  return wrk.format("POST", "/api/v1/documents", { ["Authorization"] = "Bearer $api_key",
    ["Content-Type"] = "multipart/form-data; boundary=" .. b }, body)
end
LUA
  push=$(wrk_figures -t2 -c8 -d"$duration" -s "$data/push.lua" "$url")
  bytes=$(stat -c %s "$data/push.pdf")
  row "POST /api/v1/documents ($bytes B, 8 connections) vs write" "$push" "$(disk_writes "$data/push.pdf" 2000 0)" >>"$table"
  row "POST /api/v1/documents vs write + fsync" "$push" "$(disk_writes "$data/push.pdf" 500 1)" >>"$table"
  # The same pushes, each with its own Idempotency-Key: the body spooled and fingerprinted, the
  # key claimed and its answer kept (two more writes to the database per push).
  # (Other files than the first run's: wrk's unseeded math.random would send the same file to
  # the same account again, a `duplicate`.)
  sed -e 's|\["Authorization"\] = |["Idempotency-Key"] = string.format("k-%d-%d", tid or 0, count), ["Authorization"] = |' \
    -e 's|string.format("%08d%08d", tid or 0, count)|string.format("%08d%08d", (tid or 0) + 50, count)|' \
    "$data/push.lua" >"$data/push-keyed.lua"
  keyed=$(wrk_figures -t2 -c8 -d"$duration" -s "$data/push-keyed.lua" "$url")
  row "POST /api/v1/documents with Idempotency-Key vs without" "$keyed" "$push" >>"$table"
  echo "server peak memory after pushes: $(peak_mib) MiB"

  # Bulk push: 1,000 different small PDFs to 1,000 applicants in one request, three times.
  python3 - "$data" "$size" <<'PY'
import json, os, sys
sys.path.insert(0, "benches")
from pdf import pdf
folder, size = sys.argv[1], int(sys.argv[2])
for run in range(3):
    os.makedirs(f"{folder}/bulk{run}", exist_ok=True)
    entries = []
    for i in range(1000):
        open(f"{folder}/bulk{run}/{i}.pdf", "wb").write(pdf(f"Lettre {run}-{i}", 2000))
        number = 9000000000 + (run * 1000 + i) * 997 % size
        entries.append({"file": f"f{i}", "applicant": str(number), "kind": "other", "title": f"Lettre {i}"})
    json.dump({"documents": entries}, open(f"{folder}/bulk{run}/manifest.json", "w"))
PY
  bulk_times=()
  for run in 0 1 2; do
    form=(-F "manifest=<$data/bulk$run/manifest.json")
    for i in $(seq 0 999); do form+=(-F "f$i=@$data/bulk$run/$i.pdf;type=application/pdf"); done
    t=$(curl -s -o "$data/bulk.json" -w '%{time_total}' -H "Authorization: Bearer $api_key" "${form[@]}" \
      "$url/api/v1/documents/bulk")
    grep -q '"published":1000' "$data/bulk.json" || { head -c 600 "$data/bulk.json" >&2; exit 1; }
    bulk_times+=("$t")
  done
  bulk=$(printf '%s\n' "${bulk_times[@]}" | sort -n | awk '{ t[NR] = $1 } END {
    printf "%.1f %.0f %.0f 0\n", 1000 / t[2], t[2] * 1000, t[3] * 1000 }')
  bulk_disk=$(python3 - "$data/bulk0" <<'PY'
import os, sys, time
folder = sys.argv[1]
contents = [open(f"{folder}/{i}.pdf", "rb").read() for i in range(1000)]
os.makedirs(f"{folder}/copy", exist_ok=True)
runs = []
for _ in range(3):
    start = time.perf_counter()
    for i, data in enumerate(contents):
        with open(f"{folder}/copy/{i}", "wb") as out:
            out.write(data); out.flush(); os.fsync(out.fileno())
    runs.append(time.perf_counter() - start)
runs.sort()
print(f"{1000 / runs[1]:.1f} {runs[1] * 1000:.0f} {runs[2] * 1000:.0f} 0")
PY
)
  read -r rate median slowest _ <<<"$bulk"
  read -r b_rate b_median b_slowest _ <<<"$bulk_disk"
  printf '| POST /api/v1/documents/bulk, 1,000 documents of %s B (3 runs) | %s documents/s, median %s ms, slowest %s ms | write + fsync: %s files/s, median %s ms, slowest %s ms | %s |\n' \
    "$(stat -c %s "$data/bulk0/0.pdf")" "$rate" "$median" "$slowest" "$b_rate" "$b_median" "$b_slowest" \
    "$(awk -v a="$rate" -v b="$b_rate" 'BEGIN { printf "%.3f", a / b }')" >>"$table"
  echo "server peak memory at the end: $(peak_mib) MiB; resident now: $(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status") MiB"
  echo "warnings and errors in the server log: $(grep -cE ' (WARN|ERROR) |panicked' "$data/server.log" || true)"
  grep -E ' (WARN|ERROR) |panicked' "$data/server.log" | sed -E 's/^[^ ]+ +//' | cut -c1-120 | sort | uniq -c | sort -rn | head -5 || true
  cat "$table"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  if [[ -n "$database" ]]; then psql -q "$pg_server/postgres" -c "DROP DATABASE $database WITH (FORCE)"; database=""; fi
  rm -rf "$data"
done
