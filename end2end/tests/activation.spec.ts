import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { registerApplicant, uniqueNumber } from './applicant';

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
  // Signed in at once, and asked for an email address.
  await expect(page).toHaveURL(/\/account\/contact\?activated=1$/);
  await expect(page.getByRole('status')).toHaveText('Votre compte est activé');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes coordonnées');
  // No address or number yet: neither channel is ticked, and each says what it needs.
  for (const channel of ['Par courriel', 'Par SMS']) {
    const box = page.getByRole('checkbox', { name: new RegExp(`^${channel}`) });
    await expect(box).not.toBeChecked();
    await expect(box).toBeDisabled();
    await expect(box).toHaveAccessibleName(/ajoutez d'abord/);
  }
  await page.screenshot({ path: test.info().outputPath('activated.png'), fullPage: true });
});

test('a used key is refused with a clear message', async ({ page, context }) => {
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
    await expect(page).toHaveURL(attempt === 1 ? /\/account\/contact/ : /error=key_spent/);
    await context.clearCookies();
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
