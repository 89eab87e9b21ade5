import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';

/** Registers an applicant through the real command line, against the server's own database. */
function registerApplicant(foreignerNumber: string): string {
  const output = execFileSync(
    process.env.E2E_SERVER_BIN ?? '../target/debug/espace-usager',
    [
      'create-applicant',
      '--foreigner-number', foreignerNumber,
      '--given-names', 'Test',
      '--family-name', 'Applicant',
      '--date-of-birth', '1991-04-12',
      '--language', 'fr',
    ],
    { env: { ...process.env, EU_DATA_DIR: '../target/e2e-data', EU_DEMO_DATA: 'off', RUST_LOG: 'warn' } },
  ).toString();
  const key = output.match(/connection key (\S+)/)?.[1];
  if (!key) throw new Error(`no key in: ${output}`);
  return key;
}

let counter = 0;
function uniqueNumber(): string {
  counter += 1;
  return `09${String(Date.now() % 1_000_000).padStart(6, '0')}${String(counter).padStart(2, '0')}`;
}

test('an applicant activates their account with the keyboard alone', async ({ page }) => {
  const number = uniqueNumber();
  const key = registerApplicant(number);
  await page.goto('/activate');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Activer mon compte');

  await page.getByLabel('Numéro étranger').focus();
  await page.keyboard.type(number);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Clé de connexion')).toBeFocused();
  await page.keyboard.type(key.toLowerCase());
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Jour')).toBeFocused();
  await page.keyboard.type('12');
  await page.keyboard.press('Tab');
  await page.keyboard.type('4');
  await page.keyboard.press('Tab');
  await page.keyboard.type('1991');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Choisissez un mot de passe')).toBeFocused();
  await page.keyboard.type('password');
  await page.keyboard.press('Enter');

  // A common password: the refusal is announced and tied to the field.
  await expect(page).toHaveURL(/error=common/);
  await expect(page.getByRole('alert')).toContainText('trop courant');
  await expect(page).toHaveTitle('Erreur : Activer mon compte – Espace usager');
  const password = page.getByLabel('Choisissez un mot de passe');
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(password).toHaveAccessibleDescription(/trop courant/);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);

  await page.getByLabel('Numéro étranger').fill(number);
  await page.getByLabel('Clé de connexion').fill(key);
  await page.getByLabel('Jour').fill('12');
  await page.getByLabel('Mois').fill('4');
  await page.getByLabel('Année').fill('1991');
  await password.fill('un thé vert à midi');
  await password.press('Enter');
  await expect(page).toHaveURL(/\/activate\/done$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Votre compte est activé');
  await page.screenshot({ path: test.info().outputPath('activated.png'), fullPage: true });
});

test('a used key is refused with a clear message', async ({ page }) => {
  const number = uniqueNumber();
  const key = registerApplicant(number);
  for (const attempt of [1, 2]) {
    await page.goto('/activate');
    await page.getByLabel('Numéro étranger').fill(number);
    await page.getByLabel('Clé de connexion').fill(key);
    await page.getByLabel('Jour').fill('12');
    await page.getByLabel('Mois').fill('04');
    await page.getByLabel('Année').fill('1991');
    await page.getByLabel('Choisissez un mot de passe').fill(`une phrase assez longue ${attempt}`);
    await page.getByRole('button', { name: 'Activer mon compte' }).click();
    await expect(page).toHaveURL(attempt === 1 ? /\/activate\/done$/ : /error=key_spent/);
  }
  await expect(page.getByRole('alert')).toContainText('déjà été utilisée');
});

test('the activation form is clean for axe and fits a phone', async ({ page }) => {
  await page.goto('/activate');
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
});
