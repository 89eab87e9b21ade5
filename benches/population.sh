#!/usr/bin/env bash
# Times `espace-usager generate-data` (release build) on SQLite and on PostgreSQL, and the size
# of what it writes. Usage: benches/population.sh [applicants] [documents per applicant]
# (1,000,000 x 10 by default: the issue's national scale). PostgreSQL: 127.0.0.1:5432, user
# postgres; the database is created and dropped here.
set -euo pipefail
cd "$(dirname "$0")/.."

applicants="${1:-1000000}"
per="${2:-10}"
binary=target/release/espace-usager
data="$(mktemp -d)"
database="population_$$"
trap 'rm -rf "$data"; psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS $database" 2>/dev/null || true' EXIT

run() {
  local url="$1"
  /usr/bin/time -f 'peak memory %M KB' env EU_DATA_DIR="$data/files" DATABASE_URL="$url" \
    EU_DEMO_DATA=off RUST_LOG=warn \
    "$binary" generate-data --applicants "$applicants" --documents-per-applicant "$per" --downloadable 1000
}

echo "== SQLite ($applicants applicants x $per documents)"
run "sqlite://$data/population.db"
printf 'database file: %s\n' "$(du -h "$data/population.db" | cut -f1)"

echo "== PostgreSQL"
psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE $database"
run "postgres://postgres@127.0.0.1:5432/$database"
psql -h 127.0.0.1 -U postgres -d "$database" -Atc \
  "SELECT 'database size: ' || pg_size_pretty(pg_database_size(current_database()))"
