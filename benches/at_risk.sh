#!/usr/bin/env bash
# The staff's at-risk list at national scale: generates a population (release binary, 10
# documents per applicant) on SQLite and on PostgreSQL, times the list through the storage code
# the page runs (server/benches/at_risk.rs), and prints the query plans of its two reads.
# Usage: benches/at_risk.sh [applicants]   (1,000,000 by default; BENCH_ENGINES="sqlite";
# BENCH_SQLITE_DB=path/population.db measures a population generated before, kept by hand)
set -euo pipefail
cd "$(dirname "$0")/.."

applicants="${1:-1000000}"
engines="${BENCH_ENGINES:-sqlite postgres}"
binary=target/release/espace-usager
data="$(mktemp -d)"
database="at_risk_$$"
pg="postgres://postgres@127.0.0.1:5432"
trap 'rm -rf "$data"; psql -q "$pg/test" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" 2>/dev/null || true' EXIT

cargo build --release --features ssr --bin espace-usager -q
cargo bench -p server --bench at_risk --no-run -q 2>/dev/null

# The list's reads as `server/src/storage/watch_records.rs` writes them, with a month's window.
kinds="'interview_summons','interview_cancellation','medical_certificate_request','procedure_change','interview_transcript','decision','renotification'"
columns="d.id, d.applicant_id, d.kind, d.title, d.made_available_at, d.appointment_at, a.given_names, a.family_name, a.foreigner_number, a.phone, a.given_phone"
unopened="SELECT $columns FROM documents d JOIN applicants a ON a.id = d.applicant_id
  WHERE d.first_opened_at IS NULL AND d.withdrawn_at IS NULL AND a.electronic_notification
  AND d.made_available_at > :after AND d.made_available_at <= :now
  AND (d.made_available_at, d.id) > (:after, :nil) AND (d.kind || '') IN ($kinds)
  ORDER BY d.made_available_at, d.id LIMIT 50"
interviews="SELECT $columns FROM documents d JOIN applicants a ON a.id = d.applicant_id
  WHERE d.appointment_at IS NOT NULL AND d.withdrawn_at IS NULL
  AND d.appointment_at > :now AND d.appointment_at <= :reach
  AND d.first_opened_at IS NULL AND d.made_available_at > :after AND a.electronic_notification
  ORDER BY d.appointment_at LIMIT 1000"

generate() {
  /usr/bin/time -f 'generated in %e s, peak memory %M KB' env EU_DATA_DIR="$data/files" \
    DATABASE_URL="$1" EU_DEMO_DATA=off RUST_LOG=warn \
    "$binary" generate-data --applicants "$applicants" --documents-per-applicant 10 --downloadable 0
}

for engine in $engines; do
  case "$engine" in
    sqlite)
      file="${BENCH_SQLITE_DB:-$data/population.db}"
      url="sqlite://$file"
      echo "== SQLite, $applicants applicants"
      [[ -n "${BENCH_SQLITE_DB:-}" ]] || generate "$url?mode=rwc"
      BENCH_DATABASE_URL="$url" cargo bench -p server --bench at_risk -q 2>/dev/null
      python3 - "$file" "$unopened" "$interviews" <<'PY'
import sqlite3, sys, datetime
db = sqlite3.connect(sys.argv[1])
now = datetime.datetime.now(datetime.timezone.utc)
stamp = lambda t: t.isoformat(timespec='microseconds')
values = {'now': stamp(now), 'after': stamp(now - datetime.timedelta(days=15)),
          'reach': stamp(now + datetime.timedelta(days=20)), 'nil': bytes(16)}
for label, sql in (('unopened letters', sys.argv[2]), ('interviews at risk', sys.argv[3])):
    print(f'-- plan, {label}:')
    for row in db.execute('EXPLAIN QUERY PLAN ' + sql, values):
        print('   ', row[3])
PY
      ;;
    postgres)
      echo "== PostgreSQL, $applicants applicants"
      psql -q "$pg/test" -c "CREATE DATABASE $database"
      generate "$pg/$database"
      psql -q "$pg/$database" -c "ANALYZE"
      BENCH_DATABASE_URL="$pg/$database" cargo bench -p server --bench at_risk -q 2>/dev/null
      after_sql="(now() - interval '15 days')"
      reach_sql="(now() + interval '20 days')"
      nil_sql="'00000000-0000-0000-0000-000000000000'::uuid"
      for sql in "$unopened" "$interviews"; do
        echo "-- plan:"
        sql="${sql//:after/$after_sql}"
        sql="${sql//:now/now()}"
        sql="${sql//:reach/$reach_sql}"
        sql="${sql//:nil/$nil_sql}"
        psql -q "$pg/$database" -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $sql" | sed 's/^/   /'
      done
      ;;
  esac
done
