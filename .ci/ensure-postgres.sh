#!/usr/bin/env bash
# Makes sure a PostgreSQL answers for the tests: TEST_POSTGRES_URL if set, else the one on
# 127.0.0.1:5432; if none answers, start (and if need be install) Debian's PostgreSQL.
set -euo pipefail

url="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

answers() { psql "$url" -Atqc 'SELECT 1' >/dev/null 2>&1; }

if answers; then exit 0; fi
if [[ -n "${TEST_POSTGRES_URL:-}" ]]; then
  echo "TEST_POSTGRES_URL is set but nothing answers at it." >&2
  exit 1
fi

sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  echo "Installing PostgreSQL from Debian's packages..."
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
# Trust auth on loopback, as on the CI machines: these are throw-away test databases.
hba="/etc/postgresql/$version/main/pg_hba.conf"
if ! sudo_if_needed grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
  sudo_if_needed sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
fi
sudo_if_needed pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do
  if psql "postgres://postgres@127.0.0.1:5432/postgres" -Atqc 'SELECT 1' >/dev/null 2>&1; then break; fi
  sleep 1
done
psql "postgres://postgres@127.0.0.1:5432/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 \
  || psql "postgres://postgres@127.0.0.1:5432/postgres" -qc 'CREATE DATABASE test'
answers || { echo "PostgreSQL still does not answer at $url" >&2; exit 1; }
