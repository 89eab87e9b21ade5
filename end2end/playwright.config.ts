import { defineConfig, devices } from '@playwright/test';

// Debian's Chromium, never a downloaded browser (downloads fail on these machines).
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const port = process.env.E2E_PORT ?? '3400';
const baseURL = `http://127.0.0.1:${port}`;
const serverBinary = process.env.E2E_SERVER_BIN ?? '../target/debug/espace-usager';

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  // Debug build (Argon2 unoptimised) on 2 shared cores: the longest journeys take 16 s here.
  timeout: 60_000,
  // A test that fails once and then passes is reported as flaky (counted in `make test`'s
  // summary) rather than failing the run; twice in a row fails it. A known cause of hangs is
  // gone: pages with data no longer use Leptos resources, which left about 2 in 300 pages
  // unfinished (`tests/ssr_pages_finish.rs`).
  retries: 1,
  reporter: [['list']],
  preserveOutput: 'always',
  outputDir: './test-results',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
  },
  projects: [
    {
      name: 'phone',
      use: {
        ...devices['Pixel 5'],
        browserName: 'chromium',
        viewport: { width: 360, height: 740 },
        locale: 'fr-FR',
      },
    },
    {
      name: 'desktop',
      use: { browserName: 'chromium', viewport: { width: 1280, height: 800 }, locale: 'fr-FR' },
    },
    {
      // Tablets at the counter: the journeys tagged @tablet (the applicant's file, the dashboard).
      name: 'tablet',
      grep: /@tablet/,
      use: { browserName: 'chromium', viewport: { width: 768, height: 1024 }, hasTouch: true, locale: 'fr-FR' },
    },
  ],
  // E2E_EXTERNAL_SERVER: the portal is already running (end2end/multi-instance.sh: two
  // instances behind nginx on E2E_PORT).
  webServer: process.env.E2E_EXTERNAL_SERVER ? undefined : {
    // A fresh data folder each run: the server creates its database, keys and demo data.
    command: `rm -rf ../target/e2e-data && exec ${serverBinary} serve`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      EU_DATA_DIR: '../target/e2e-data',
      EU_LISTEN_ADDR: `127.0.0.1:${port}`,
      EU_PUBLIC_URL: baseURL,
      LEPTOS_SITE_ROOT: '../target/site',
      RUST_LOG: 'warn',
    },
  },
});
