# Espace usager: `make run` serves the portal, `make test` runs every test.
# Both install what is missing first (idempotent; nothing is reinstalled when present).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := run

CARGO_LEPTOS_VERSION := 0.3.10
# wasm-bindgen-cli must match the wasm-bindgen library pinned in Cargo.toml / Cargo.lock.
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/version = "\(.*\)"/\1/p}' Cargo.lock)
MOTO_VERSION := 5.2.5
SCHEMATHESIS_VERSION := 4.32.5
SQLMAP_VERSION := 1.10.10

# cargo-leptos downloads wasm-opt, sass... when they are not on PATH, and that hangs here:
# npm's binaryen 132 (Debian's 108 breaks hydration) comes first.
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
NPM_STAMP := end2end/node_modules/.installed

.PHONY: bench-scale run release test test-rust test-e2e test-summary test-hostile-input hostile-input-tools fuzz fuzz-smoke cargo-fuzz bench bench-tools lighthouse lint setup-build setup-test wasm-target cargo-leptos wasm-bindgen npm-packages chromium moto postgres clamav nginx

## Build and serve the portal on http://127.0.0.1:3000 (SQLite, local files, email to data/outbox).
run: setup-build
	cargo leptos serve

## The same with the optimised build (as measured in docs/performance.md).
release: setup-build
	cargo leptos serve --release

## Every test: Rust unit and integration tests on SQLite and PostgreSQL, S3 and SMTP, the fuzz
## targets for a few seconds each, the browser, then schemathesis and sqlmap on the built server.
test: setup-test test-rust fuzz-smoke test-e2e test-hostile-input test-summary

# Each step keeps its output in target/test-logs/ too, for the summary at the end.
TEST_LOGS := target/test-logs

test-rust:
	@mkdir -p $(TEST_LOGS)
	cargo test --workspace --features ssr 2>&1 | tee $(TEST_LOGS)/rust.log

test-e2e:
	@mkdir -p $(TEST_LOGS)
	cargo leptos build
	cd end2end && npx playwright test 2>&1 | tee ../$(TEST_LOGS)/e2e.log || { \
	  echo "== browser tests that failed, and why (first lines)"; \
	  grep -E '^ +([0-9]+\) \[|(Error|TimeoutError): |Test timeout)' ../$(TEST_LOGS)/e2e.log | cut -c1-240 | head -40; \
	  exit 1; }

## What ran, counted from the logs of the steps above (the last lines of a CI run).
test-summary:
	@echo "== tests run"
	@awk '/^test result:/ { suites++; passed += $$4; failed += $$6; ignored += $$8 } END { \
	  printf "Rust: %d passed, %d failed, %d ignored, in %d test binaries\n", passed, failed, ignored, suites }' \
	  $(TEST_LOGS)/rust.log
	@grep -E '^ +[0-9]+ (passed|failed|flaky|skipped)' $(TEST_LOGS)/e2e.log | sed 's/^ */Browser (Playwright): /'
	@grep -E '^Done [0-9]+ runs' $(TEST_LOGS)/fuzz.log | sed 's/^/Fuzzing (one line per target): /' || true
	@grep -E 'test cases:|generated, ' $(TEST_LOGS)/hostile-input.log | sed 's/^ */Schemathesis: /' || true
	@grep -E 'nothing injectable|no injection' $(TEST_LOGS)/hostile-input.log | sed 's/^ */sqlmap: /' || true
	@# The last line, in the plain form CI reads: Rust tests and browser tests added up.
	@awk '/^test result:/ { passed += $$4; failed += $$6; skipped += $$8 } \
	  /^ +[0-9]+ passed/ { passed += $$1 } /^ +[0-9]+ failed/ { failed += $$1 } /^ +[0-9]+ flaky/ { passed += $$1 } \
	  /^ +[0-9]+ skipped/ { skipped += $$1 } \
	  END { printf "Total: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' \
	  $(TEST_LOGS)/rust.log $(TEST_LOGS)/e2e.log

## Schemathesis (no server error) and sqlmap (no injection) against the debug build.
test-hostile-input: hostile-input-tools
	@[ -x target/debug/espace-usager ] || cargo leptos build
	@mkdir -p $(TEST_LOGS)
	bash tests/hostile_input/run.sh 2>&1 | tee $(TEST_LOGS)/hostile-input.log

FUZZ_TARGETS := pdf_inspection bulk_manifest session_token connection_key
FUZZ_SECONDS ?= 300

## Each fuzz target for FUZZ_SECONDS (300 by default), after replaying the kept regressions. A
## crash stops it and leaves the input in fuzz/artifacts/<target>/: keep it in
## fuzz/regressions/<target>/ with the fix.
fuzz: cargo-fuzz
	cd fuzz && for target in $(FUZZ_TARGETS); do \
	  mkdir -p corpus/$$target; \
	  regressions=$$(find regressions/$$target -type f ! -name .keep); \
	  if [ -n "$$regressions" ]; then cargo fuzz run -s none $$target $$regressions; fi; \
	  dictionary=$$( [ -f dictionaries/$$target.dict ] && echo -dict=dictionaries/$$target.dict || true); \
	  cargo fuzz run -s none $$target corpus/$$target seeds/$$target -- \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -rss_limit_mb=1024 $$dictionary; \
	done

## The same, 15 seconds each: what CI runs.
fuzz-smoke:
	@mkdir -p $(TEST_LOGS)
	$(MAKE) fuzz FUZZ_SECONDS=15 2>&1 | tee $(TEST_LOGS)/fuzz.log

# Builds the targets with coverage instrumentation and no sanitizer, on the stable toolchain.
cargo-fuzz:
	@cargo fuzz --version >/dev/null 2>&1 || cargo install --locked cargo-fuzz --version 0.13.2

## Release figures for docs/performance.md: .wasm size, requests/second and sign-ins/second with wrk.
bench: setup-build bench-tools
	cargo leptos build --release
	bash benches/http.sh
	bash benches/sign_in.sh
	bash benches/documents.sh
	cargo bench -p server --bench notification_outbox

## The suite at national scale (about an hour): 10,000 and 1,000,000 generated applicants on
## SQLite, then on PostgreSQL; every figure beside its nginx or disk baseline.
bench-scale: setup-build bench-tools postgres
	cargo leptos build --release
	bash benches/scale.sh 10000 1000000
	BENCH_ENGINE=postgres bash benches/scale.sh 10000 1000000

## Lighthouse 12 (mobile) on the landing, sign-in and inbox pages of the release build.
lighthouse: setup-build chromium
	cargo leptos build --release
	bash benches/lighthouse.sh

bench-tools:
	@command -v wrk >/dev/null && command -v brotli >/dev/null && command -v sqlite3 >/dev/null && command -v nginx >/dev/null \
	  && command -v bc >/dev/null || { \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends wrk brotli sqlite3 nginx-light bc; }

lint: setup-build
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --features ssr -- -D warnings
	cargo clippy -p espace-usager -p app --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings
	cd fuzz && cargo fmt --check && cargo clippy --all-targets -- -D warnings

setup-build: wasm-target cargo-leptos wasm-bindgen npm-packages
setup-test: setup-build chromium moto postgres clamav nginx cargo-fuzz hostile-input-tools

wasm-target:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

cargo-leptos:
	@cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)$$" \
	  || cargo install --locked cargo-leptos --version $(CARGO_LEPTOS_VERSION)

# Not --locked: its lock file wants a crate newer than some registry mirrors have.
wasm-bindgen:
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)$$" \
	  || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

npm-packages: $(NPM_STAMP)
$(NPM_STAMP): end2end/package.json end2end/package-lock.json
	cd end2end && npm ci --no-audit --no-fund
	touch $@

# The virus-scan tests start their own clamd with a one-signature database: nothing is downloaded.
clamav:
	@test -x /usr/sbin/clamd || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clamav-daemon; }

# The proxy test runs the portal behind nginx configured as docs/deployment.md says.
nginx:
	@command -v nginx >/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light; }

chromium:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }

# The S3-compatible server the object-store tests start on loopback.
moto:
	@command -v moto_server >/dev/null || python3 -m pip install --quiet 'moto[server]==$(MOTO_VERSION)'

hostile-input-tools:
	@command -v st >/dev/null && command -v sqlmap >/dev/null || python3 -m pip install --quiet \
	  'schemathesis==$(SCHEMATHESIS_VERSION)' 'sqlmap==$(SQLMAP_VERSION)'

postgres:
	@bash .ci/ensure-postgres.sh
