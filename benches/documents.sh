#!/usr/bin/env bash
# Documents on the release build (SQLite, local file store), beside nginx serving the same file
# statically in the same run:
#   - upload of a 20 MB PDF through the API (stream → PDF check → SHA-256 → AES-256-GCM → disk),
#     against `dd … conv=fsync` writing the same bytes;
#   - download of it by its applicant (disk → decrypt → SHA-256 check → socket), one at a time and
#     100 at once (wrk), against nginx (sendfile) serving the plain file;
#   - the server's peak resident memory (VmHWM) after each phase;
#   - the inbox page of an account holding 200 documents (wrk, p50/p99).
# Loopback only, bounded in time. Run through `make bench`, or alone once the release build exists.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${BENCH_PORT:-3502}"
nginx_port="${BENCH_NGINX_PORT:-3503}"
duration="${BENCH_DURATION:-15s}"
bin=target/release/espace-usager
data="$(mktemp -d)"
server=""
cleanup() {
  [[ -n "$server" ]] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  [[ -f "$data/nginx.pid" ]] && kill "$(cat "$data/nginx.pid")" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

export EU_DATA_DIR="$data/portal" EU_LISTEN_ADDR="127.0.0.1:$port" EU_PUBLIC_URL="http://127.0.0.1:$port" \
  LEPTOS_SITE_ROOT=target/site RUST_LOG=warn EU_DEMO_DATA=off EU_MAX_DOCUMENT_MB=25
"$bin" serve >"$data/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
url="http://127.0.0.1:$port"
peak_mib() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status"; }
echo "server peak memory after start: $(peak_mib) MiB"

api_key=$("$bin" create-api-key --name bench --scope documents:write,documents:read | grep -o '^eu_[^ ]*')

# An activated applicant and their session cookie.
signed_in_applicant() {
  local number="$1" key status
  key=$("$bin" create-applicant --foreigner-number "$number" --given-names Bench --family-name Account \
    --date-of-birth 1990-01-01 --language fr | sed -n 's/.*connection key \([^ ]*\).*/\1/p')
  status=$(curl -s -c "$data/jar-$number" -o /dev/null -w '%{redirect_url}' "$url/activate" \
    --data-urlencode "foreigner_number=$number" --data-urlencode "connection_key=$key" \
    -d birth_day=1 -d birth_month=1 -d birth_year=1990 --data-urlencode "password=a long phrase for the benchmark")
  [[ "$status" == *"/account/contact?activated=1" ]] || { echo "activation failed: $status" >&2; exit 1; }
  awk '$6 ~ /eu-session$/ { print $6 "=" $7 }' "$data/jar-$number"
}

# Valid PDFs of 20 MiB, each different (random hex in comment lines), and 200 small ones.
python3 - "$data" <<'PY'
import os, sys
sys.path.insert(0, "benches")
from pdf import pdf
folder = sys.argv[1]
for i in range(1, 6):
    open(f"{folder}/large-{i}.pdf", "wb").write(pdf(f"Transcript {i}", 20 * 1024 * 1024))
os.makedirs(f"{folder}/small", exist_ok=True)
for i in range(1, 201):
    open(f"{folder}/small/{i}.pdf", "wb").write(pdf(f"Document {i}", 2000))
PY
size=$(stat -c %s "$data/large-1.pdf")
mib=$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }')

cookie=$(signed_in_applicant 0790000001)
echo "== upload of a $mib MiB PDF through POST /api/v1/documents (5 files, one at a time)"
times=()
for i in 1 2 3 4 5; do
  t=$(curl -s -o "$data/posted-$i.json" -w '%{time_total}' -H "Authorization: Bearer $api_key" \
    -F applicant=0790000001 -F kind=interview_transcript -F "title=Transcript $i" \
    -F "file=@$data/large-$i.pdf;type=application/pdf" "$url/api/v1/documents")
  grep -q '"id"' "$data/posted-$i.json" || { cat "$data/posted-$i.json" >&2; exit 1; }
  times+=("$t")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v s="$size" '{ t[NR] = $1 } END {
  printf "portal: median %.3f s = %.0f MB/s (min %.3f s, max %.3f s)\n", t[3], s / t[3] / 1e6, t[1], t[5] }'
echo "server peak memory after uploads: $(peak_mib) MiB"
start=$(date +%s.%N)
dd if="$data/large-1.pdf" of="$data/copy.pdf" bs=1M conv=fsync status=none
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" -v s="$size" 'BEGIN { printf "baseline dd conv=fsync: %.3f s = %.0f MB/s\n", b - a, s / (b - a) / 1e6 }'

id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$data/posted-1.json")
echo "== download of it by its applicant, one at a time (5 times)"
for i in 1 2 3 4 5; do
  curl -s -o /dev/null -H "Cookie: $cookie" -w '%{time_total} %{size_download} %{http_code}\n' "$url/account/documents/$id"
done | sort -n | awk -v s="$size" '$3 != 200 { bad = 1 } { t[NR] = $1; n[NR] = $2 } END {
  if (bad || n[3] != s) { print "unexpected answer" > "/dev/stderr"; exit 1 }
  printf "portal: median %.3f s = %.0f MB/s\n", t[3], s / t[3] / 1e6 }'

mkdir -p "$data/static" "$data/nginx-temp"
cp "$data/large-1.pdf" "$data/static/document.pdf"
# nginx's workers run as an unprivileged user: they must be able to reach the file.
chmod a+x "$data"
chmod -R a+rX "$data/static"
cat > "$data/nginx.conf" <<NGINX
worker_processes 2;
daemon on;
pid $data/nginx.pid;
error_log $data/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $data/nginx-temp/body;
  proxy_temp_path $data/nginx-temp/proxy;
  fastcgi_temp_path $data/nginx-temp/fastcgi;
  uwsgi_temp_path $data/nginx-temp/uwsgi;
  scgi_temp_path $data/nginx-temp/scgi;
  types { application/pdf pdf; }
  server { listen 127.0.0.1:$nginx_port; root $data/static; }
}
NGINX
nginx -c "$data/nginx.conf" -p "$data" 2>/dev/null
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$nginx_port/document.pdf" && break; sleep 0.1; done
for i in 1 2 3 4 5; do
  curl -fs -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$nginx_port/document.pdf"
done | sort -n | awk -v s="$size" '{ t[NR] = $1 } END { printf "nginx:  median %.3f s = %.0f MB/s\n", t[3], s / t[3] / 1e6 }'

echo "== 100 concurrent downloads (wrk -t2 -c100 -d$duration)"
throughput() {
  awk -v s="$size" -v label="$1" '/Requests\/sec/ { rate = $2 } /Latency/ && !latency { latency = $2 }
    /Non-2xx/ { bad = $NF }
    END { printf "%s: %.1f downloads/s = %.0f MB/s, latency avg %s%s\n", label, rate, rate * s / 1e6,
      latency, bad ? ", NON-2XX ANSWERS: " bad : "" }'
}
wrk -t2 -c100 -d"$duration" --timeout 30s -H "Cookie: $cookie" "$url/account/documents/$id" | throughput portal
echo "server peak memory after 100 concurrent downloads: $(peak_mib) MiB"
wrk -t2 -c100 -d"$duration" --timeout 30s "http://127.0.0.1:$nginx_port/document.pdf" | throughput nginx
nginx_kib=$(ps -o rss= -C nginx | awk '{ s += $1 } END { print s }')
echo "nginx resident memory (all processes): $((nginx_kib / 1024)) MiB"

echo "== the inbox of an account holding 200 documents (GET /account, wrk -t2 -c8 -d$duration)"
inbox_cookie=$(signed_in_applicant 0790000002)
manifest='{"documents":['
form=()
for i in $(seq 1 200); do
  manifest+="{\"file\":\"f$i\",\"applicant\":\"0790000002\",\"kind\":\"other\",\"title\":\"Document $i\"},"
  form+=(-F "f$i=@$data/small/$i.pdf;type=application/pdf")
done
manifest="${manifest%,}]}"
curl -s -o "$data/bulk.json" -w 'bulk push of 200 documents: %{time_total} s\n' -H "Authorization: Bearer $api_key" \
  -F "manifest=$manifest" "${form[@]}" "$url/api/v1/documents/bulk"
grep -q '"published":200' "$data/bulk.json" || { head -c 500 "$data/bulk.json" >&2; exit 1; }
items=$(curl -s -H "Cookie: $inbox_cookie" "$url/account" | grep -o 'class="inbox-item' | wc -l)
html=$(curl -s -H "Cookie: $inbox_cookie" -H 'Accept-Encoding: br' "$url/account" | wc -c)
echo "documents in the page: $items; page size with brotli: $html B"
wrk -t2 -c8 -d"$duration" --latency -H "Cookie: $inbox_cookie" -H 'Accept-Encoding: br' "$url/account" \
  | grep -E 'Requests/sec|Latency|50%|99%|Non-2xx'
echo "server peak memory at the end: $(peak_mib) MiB"
