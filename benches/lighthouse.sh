#!/usr/bin/env bash
# Lighthouse 12 (mobile emulation: Moto G Power, slow 4G, 4x CPU slowdown) in Debian's Chromium,
# on the release build: the landing page, the sign-in page and an applicant's inbox holding three
# documents (signed in through a real activation). Prints each page's scores and what it
# transferred. Run through `make lighthouse` (needs the release build).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v curl >/dev/null || { echo "curl is needed: apt-get install curl" >&2; exit 1; }

port="${BENCH_PORT:-3504}"
bin=target/release/espace-usager
data="$(mktemp -d)"
server=""
cleanup() {
  [[ -n "$server" ]] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  rm -rf "$data"
}
trap cleanup EXIT

export EU_DATA_DIR="$data/portal" EU_LISTEN_ADDR="127.0.0.1:$port" EU_PUBLIC_URL="http://127.0.0.1:$port" \
  LEPTOS_SITE_ROOT=target/site RUST_LOG=warn EU_DEMO_DATA=off
"$bin" serve >"$data/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
url="http://127.0.0.1:$port"

number=0795000001
key=$("$bin" create-applicant --foreigner-number "$number" --given-names Amina --family-name Lighthouse \
  --date-of-birth 1990-01-01 --language fr | sed -n 's/.*connection key \([^ ]*\).*/\1/p')
curl -s -c "$data/jar" -o /dev/null "$url/activate" \
  --data-urlencode "foreigner_number=$number" --data-urlencode "connection_key=$key" \
  -d birth_day=1 -d birth_month=1 -d birth_year=1990 --data-urlencode "password=a long phrase for the audit"
cookie=$(awk '$6 ~ /eu-session$/ { print $6 "=" $7 }' "$data/jar")
[[ -n "$cookie" ]] || { echo "activation failed" >&2; exit 1; }

api_key=$("$bin" create-api-key --name lighthouse --scope documents:write | grep -o '^eu_[^ ]*')
for kind in registration_letter interview_summons decision; do
  # One file per kind (the same file twice in an account is refused), with the facts it needs.
  python3 benches/pdf.py "$data/$kind.pdf" "Document $kind"
  facts=()
  case "$kind" in
    interview_summons) facts=(-F "appointment_at=2027-01-09T09:30:00+01:00" -F "appointment_place=201 rue Carnot, Fontenay-sous-Bois") ;;
    decision) facts=(-F "decision_outcome=subsidiary_protection") ;;
  esac
  curl -sS --fail-with-body -o /dev/null -H "Authorization: Bearer $api_key" -F "applicant=$number" -F "kind=$kind" \
    -F "title=Document $kind" "${facts[@]}" -F "file=@$data/$kind.pdf;type=application/pdf" "$url/api/v1/documents"
done

npm --prefix benches/lighthouse ci --no-audit --no-fund --silent
LIGHTHOUSE_COOKIE="$cookie" node benches/lighthouse/audit.mjs "$url/" "$url/sign-in" "$url/account"
