import { expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where the server under test keeps its data (see playwright.config.ts). */
const DATA_DIR = '../target/e2e-data';

/** Registers an applicant through the real command line, against the server's own database. */
export function registerApplicant(foreignerNumber: string, language = 'fr', givenPhone?: string): string {
  const output = execFileSync(
    process.env.E2E_SERVER_BIN ?? '../target/debug/espace-usager',
    [
      'create-applicant',
      '--foreigner-number', foreignerNumber,
      '--given-names', 'Test',
      '--family-name', 'Applicant',
      '--date-of-birth', '1991-04-12',
      '--language', language,
      // The mobile number the applicant gave at registration, if any.
      ...(givenPhone ? ['--phone', givenPhone] : []),
    ],
    { env: { ...process.env, EU_DATA_DIR: DATA_DIR, EU_DEMO_DATA: 'off', RUST_LOG: 'warn' } },
  ).toString();
  const key = output.match(/connection key (\S+)/)?.[1];
  if (!key) throw new Error(`no key in: ${output}`);
  return key;
}

let counter = 0;
/** A foreigner number no other test of this run uses. */
export function uniqueNumber(): string {
  counter += 1;
  return `09${String(Date.now() % 1_000_000).padStart(6, '0')}${String(counter).padStart(2, '0')}`;
}

/** The code in the newest message the server wrote to its outbox for `to`. */
export function latestCodeFor(to: string): string {
  const folder = join(DATA_DIR, 'outbox');
  const messages = readdirSync(folder)
    .filter((name) => name.endsWith('.eml'))
    .map((name) => join(folder, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    .map((path) => readFileSync(path, 'utf8'))
    .filter((text) => text.includes(to));
  const code = messages[0]?.match(/: (\d{6})(?!\d)/)?.[1];
  if (!code) throw new Error(`no code sent to ${to}`);
  return code;
}

/** The newest text message the server wrote to its outbox for `to` (an E.164 number). */
export function latestTextTo(to: string): string {
  const folder = join(DATA_DIR, 'outbox');
  const texts = readdirSync(folder)
    .filter((name) => name.startsWith('sms-') && name.endsWith('.json'))
    .map((name) => join(folder, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    .map((path) => JSON.parse(readFileSync(path, 'utf8')) as { to: string; text: string })
    .filter((message) => message.to === to);
  if (!texts[0]) throw new Error(`no text sent to ${to}`);
  return texts[0].text;
}

export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

export async function expectNoHorizontalScroll(page: Page) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
}

/** Opens the language picker (a disclosure in the header of every page) and picks `name`. */
export async function chooseLanguage(page: Page, name: string) {
  await page.locator('.language-switcher summary').click();
  await page.getByRole('button', { name, exact: true }).click();
}

/** The password every test applicant chooses. */
export const APPLICANT_PASSWORD = 'un thé vert à midi';

/** Activates the account in this page (which signs the applicant in), by field ids: any language. */
export async function activate(page: Page, number: string, key: string) {
  await page.goto('/activate');
  await page.locator('#foreigner_number').fill(number);
  await page.locator('#connection_key').fill(key);
  await page.locator('#birth_day').fill('12');
  await page.locator('#birth_month').fill('4');
  await page.locator('#birth_year').fill('1991');
  await page.locator('#password').fill(APPLICANT_PASSWORD);
  await page.locator('#password').press('Enter');
  await expect(page).toHaveURL(/\/account\/contact\?activated=1$/);
}
