import { test, expect, type Page } from '@playwright/test';
import {
  expectNoAxeViolations,
  expectNoHorizontalScroll,
  latestCodeFor,
  registerApplicant,
  uniqueNumber,
} from './applicant';

const PASSWORD = 'un thé vert à midi';

/** Activation with the keyboard only; lands signed in on the contact page. */
async function activate(page: Page, number: string, key: string) {
  await page.goto('/activate');
  await page.getByLabel('Numéro étranger').focus();
  await page.keyboard.type(number);
  await page.keyboard.press('Tab');
  await page.keyboard.type(key);
  await page.keyboard.press('Tab');
  await page.keyboard.type('12');
  await page.keyboard.press('Tab');
  await page.keyboard.type('4');
  await page.keyboard.press('Tab');
  await page.keyboard.type('1991');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account\/contact\?activated=1$/);
}

test('activation, email check, sign-out and sign-in on a new device, keyboard only', async ({ page }) => {
  const number = uniqueNumber();
  const email = `applicant-${number}@example.org`;
  await activate(page, number, registerApplicant(number));
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);

  // The address, then the code sent to it.
  await page.getByRole('textbox', { name: 'Adresse électronique' }).focus();
  await page.keyboard.type(email);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account\/contact\/confirm\?code=/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vérifier mon adresse électronique');
  await expectNoAxeViolations(page);
  await page.getByLabel('Code à 6 chiffres reçu').focus();
  await page.keyboard.type(latestCodeFor(email));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account\?contact=confirmed$/);
  await expect(page.getByRole('status')).toHaveText('Votre adresse électronique est vérifiée.');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bonjour Test');
  await expect(page.getByText(`Adresse électronique vérifiée : ${email}`)).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: test.info().outputPath('account.png'), fullPage: true });

  // Sign out with the keyboard: focus the button and press Enter.
  await page.getByRole('button', { name: 'Se déconnecter', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/sign-in\?signed_out=1$/);
  await expect(page.getByRole('status')).toHaveText('Vous êtes déconnecté.');
  await page.goto('/account');
  await expect(page).toHaveURL(/\/sign-in$/);

  // Sign in again: this browser was never remembered, so a code is asked for.
  await expectNoAxeViolations(page);
  await page.getByLabel('Numéro étranger').focus();
  await page.keyboard.type(number);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Mot de passe')).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/sign-in\/code\?via=email$/);
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  await page.getByLabel('Code à 6 chiffres reçu').focus();
  await page.keyboard.type(latestCodeFor(email));
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Se souvenir de cet appareil pendant 30 jours')).toBeFocused();
  await page.keyboard.press('Space');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bonjour Test');

  // Remembered: the next sign-in on this browser needs no code.
  await page.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
  await page.getByLabel('Numéro étranger').fill(number);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/account$/);
});

test('a wrong password is refused with a clear, announced message', async ({ page }) => {
  const number = uniqueNumber();
  await activate(page, number, registerApplicant(number));
  await page.context().clearCookies();
  await page.goto('/sign-in');
  await page.getByLabel('Numéro étranger').fill(number);
  await page.getByLabel('Mot de passe').fill('pas le bon mot de passe');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/sign-in\?error=refused$/);
  await expect(page.getByRole('alert')).toContainText('Le numéro ou le mot de passe est incorrect.');
  await expect(page).toHaveTitle('Erreur : Connexion – Espace usager');
  await expectNoAxeViolations(page);
});
