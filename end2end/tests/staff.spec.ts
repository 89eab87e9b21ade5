import { test, expect } from '@playwright/test';
import { expectNoAxeViolations, expectNoHorizontalScroll } from './applicant';
import { inviteStaff, signedInStaff, totp } from './staff-helpers';

test('a supervisor enrols with an authenticator app, signs in and sees their tools', async ({ page }) => {
  const email = `supervisor-${Date.now()}-${test.info().project.name}@office.example`;
  await page.goto(inviteStaff(email, 'supervisor'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Activer mon accès agent');
  await expect(page.getByText(email)).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  // The QR code every authenticator app scans, drawn by the portal; the key stays for typing.
  const qr = page.getByRole('img', { name: "Code QR à scanner avec votre application d'authentification" });
  await expect(qr).toBeVisible();
  await expect(qr.locator('svg')).toHaveCount(1);
  const size = await qr.boundingBox();
  expect(size!.width).toBeGreaterThanOrEqual(160);
  const secret = (await page.locator('.totp-secret code').innerText()).trim();

  await page.getByLabel('Choisissez un mot de passe').fill('une phrase de passe pour agent');
  await page.getByLabel("Code de l'application d'authentification").fill(totp(secret));
  await page.getByRole('button', { name: 'Activer mon accès' }).click();
  await expect(page).toHaveURL(/\/staff\/sign-in\?enrolled=1$/);
  await expectNoAxeViolations(page);

  // The code used at enrolment never works twice: sign in with the next one.
  await page.getByLabel('Adresse électronique professionnelle').fill(email);
  await page.getByLabel('Mot de passe').fill('une phrase de passe pour agent');
  await page.getByLabel("Code de l'application d'authentification").fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByText('Camille Martin, connecté en tant que superviseur')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Débloquer un demandeur' })).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
});

test('staff register an applicant and get the printable notice at once', async ({ page }) => {
  await signedInStaff(page, 'agent');
  // Agents do not lift locks: the form is not even offered.
  await expect(page.getByRole('heading', { name: 'Débloquer un demandeur' })).toHaveCount(0);

  const number = `08${String(Date.now() % 100_000_000).padStart(8, '0')}`;
  await page.getByLabel('Numéro étranger', { exact: true }).fill(number);
  await page.getByLabel('Prénoms').fill('Farid');
  await page.getByLabel('Nom', { exact: true }).fill('Ahmadi');
  await page.getByLabel('Date de naissance (AAAA-MM-JJ)').fill('1993-06-05');
  // A choice among the portal's fifteen languages, by the name staff read.
  const language = page.getByLabel('Langue du demandeur');
  await expect(language.locator('option')).toHaveCount(15);
  await language.selectOption({ label: 'Dari – دری' });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: "Enregistrer et produire l'avis" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`avis-${number}.pdf`);
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');
  await expect(page).toHaveURL(/\/staff$/);
});

test('an administrator sees the staff list and invitation form, clean for axe', async ({ page }) => {
  const email = await signedInStaff(page, 'administrator');
  await expect(page.getByRole('heading', { name: 'Personnel', exact: true })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Inviter un membre du personnel' })).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: test.info().outputPath('staff-admin.png'), fullPage: true });
  // The page that asks for a fresh authenticator code before a sensitive change.
  await page.goto('/staff/confirm');
  await expect(page.getByLabel("Code de l'application d'authentification")).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  await page.goto('/staff');

  // A back-office API key: its secret is shown once, on the page the form leads to.
  await page.getByLabel('Nom (à quoi sert la clé)').fill('Système de gestion');
  await page.getByLabel('Déposer des documents').check();
  await page.getByRole('button', { name: 'Créer la clé' }).click();
  const newKey = page.locator('#new-api-key');
  await expect(newKey).toHaveText(/^eu_/);
  await expectNoAxeViolations(page);
  const shown = await newKey.innerText();
  const answer = await page.request.get('/api/v1/documents/00000000-0000-4000-8000-000000000000', {
    headers: { Authorization: `Bearer ${shown}` },
  });
  expect(answer.status()).toBe(403); // documents:write only: reading is another scope
  await page.reload();
  await expect(page.locator('#new-api-key')).toHaveCount(0);
  await page.getByRole('button', { name: 'Révoquer la clé « Système de gestion »' }).first().click();
  await expect(page.getByRole('status')).toHaveText('La clé a été révoquée.');
  const revoked = await page.request.get('/api/v1/documents/00000000-0000-4000-8000-000000000000', {
    headers: { Authorization: `Bearer ${shown}` },
  });
  expect(revoked.status()).toBe(401);
});

test('staff errors sit beside their field, keep what was typed, and the pages stay clean for axe', async ({ page }) => {
  await signedInStaff(page, 'agent');
  await page.getByLabel('Numéro étranger', { exact: true }).fill('0812345678');
  await page.getByLabel('Prénoms').fill('Farid');
  await page.getByLabel('Nom', { exact: true }).fill('Ahmadi');
  await page.getByLabel('Date de naissance (AAAA-MM-JJ)').fill('05/06/1993');
  await page.getByLabel('Langue du demandeur').selectOption('ps');
  await page.getByLabel(/^Téléphone mobile/).fill('06 12 34 56 78');
  await page.getByRole('button', { name: "Enregistrer et produire l'avis" }).click();
  // The answer is the page itself: nothing typed went into the address.
  await expect(page).toHaveURL(/\/staff\/applicants$/);
  const birth = page.getByLabel('Date de naissance (AAAA-MM-JJ)');
  await expect(birth).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#date_of_birth-error')).toBeVisible();
  await expect(birth).toHaveValue('05/06/1993');
  await expect(page.getByLabel('Prénoms')).toHaveValue('Farid');
  await expect(page.getByLabel('Nom', { exact: true })).toHaveValue('Ahmadi');
  await expect(page.getByLabel('Langue du demandeur')).toHaveValue('ps');
  await expect(page.getByLabel(/^Téléphone mobile/)).toHaveValue('06 12 34 56 78');
  await expect(page.getByLabel('Numéro étranger', { exact: true })).toHaveValue('0812345678');
  // The summary's link takes the keyboard to the field.
  await page.locator('.error-summary a').click();
  await expect(page).toHaveURL(/#date_of_birth$/);
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);

  // An applicant nobody registered: said beside the search, the number kept, not in the address.
  const nobody = `05${String(Date.now() % 100_000_000).padStart(8, '0')}`;
  await page.getByLabel('Numéro étranger ou numéro de dossier').fill(nobody);
  await page.getByRole('button', { name: 'Ouvrir son dossier' }).click();
  await expect(page).toHaveURL(/\/staff\/find$/);
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByLabel('Numéro étranger ou numéro de dossier')).toHaveValue(nobody);
  await expect(page.getByLabel('Numéro étranger ou numéro de dossier')).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
});
