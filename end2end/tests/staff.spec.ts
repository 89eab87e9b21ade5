import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { expectNoAxeViolations, expectNoHorizontalScroll } from './applicant';

/** Invites a staff member through the real command line; returns the set-up link's path. */
function inviteStaff(email: string, role: string): string {
  const output = execFileSync(
    process.env.E2E_SERVER_BIN ?? '../target/debug/espace-usager',
    ['create-staff', '--email', email, '--name', 'Camille Martin', '--role', role],
    { env: { ...process.env, EU_DATA_DIR: '../target/e2e-data', EU_DEMO_DATA: 'off', RUST_LOG: 'warn' } },
  ).toString();
  const link = output.match(/https?:\/\/[^/]+(\/staff\/enrol\?token=\S+)/)?.[1];
  if (!link) throw new Error(`no link in: ${output}`);
  return link;
}

/** What an authenticator app shows (RFC 6238, SHA-1, 6 digits), `offset` steps from now. */
function totp(secret: string, offset = 0): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/\s/g, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + offset));
  const hash = createHmac('sha1', key).update(counter).digest();
  const start = hash[19] & 0x0f;
  const value = (hash.readUInt32BE(start) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

test('a supervisor enrols with an authenticator app, signs in and sees their tools', async ({ page }) => {
  const email = `supervisor-${Date.now()}-${test.info().project.name}@office.example`;
  await page.goto(inviteStaff(email, 'supervisor'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Activer mon accès agent');
  await expect(page.getByText(email)).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
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
  const email = `agent-${Date.now()}-${test.info().project.name}@office.example`;
  await page.goto(inviteStaff(email, 'agent'));
  const secret = (await page.locator('.totp-secret code').innerText()).trim();
  await page.getByLabel('Choisissez un mot de passe').fill('une phrase de passe pour agent');
  await page.getByLabel("Code de l'application d'authentification").fill(totp(secret));
  await page.getByRole('button', { name: 'Activer mon accès' }).click();
  await page.getByLabel('Adresse électronique professionnelle').fill(email);
  await page.getByLabel('Mot de passe').fill('une phrase de passe pour agent');
  await page.getByLabel("Code de l'application d'authentification").fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/staff$/);
  // Agents do not lift locks: the form is not even offered.
  await expect(page.getByRole('heading', { name: 'Débloquer un demandeur' })).toHaveCount(0);

  const number = `08${String(Date.now() % 100_000_000).padStart(8, '0')}`;
  await page.getByLabel('Numéro étranger', { exact: true }).first().fill(number);
  await page.getByLabel('Prénoms').fill('Farid');
  await page.getByLabel('Nom', { exact: true }).fill('Ahmadi');
  await page.getByLabel('Date de naissance (AAAA-MM-JJ)').fill('1993-06-05');
  await page.getByLabel(/Langue du demandeur/).fill('prs');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: "Enregistrer et produire l'avis" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`avis-${number}.pdf`);
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  expect(readFileSync(path).subarray(0, 8).toString()).toBe('%PDF-1.4');
  await expect(page).toHaveURL(/\/staff$/);
});

test('an administrator sees the staff list and invitation form, clean for axe', async ({ page }) => {
  const email = `admin-${Date.now()}-${test.info().project.name}@office.example`;
  await page.goto(inviteStaff(email, 'administrator'));
  const secret = (await page.locator('.totp-secret code').innerText()).trim();
  await page.getByLabel('Choisissez un mot de passe').fill('une phrase de passe pour admin');
  await page.getByLabel("Code de l'application d'authentification").fill(totp(secret));
  await page.getByRole('button', { name: 'Activer mon accès' }).click();
  await page.getByLabel('Adresse électronique professionnelle').fill(email);
  await page.getByLabel('Mot de passe').fill('une phrase de passe pour admin');
  await page.getByLabel("Code de l'application d'authentification").fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByRole('heading', { name: 'Personnel', exact: true })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Inviter un membre du personnel' })).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: test.info().outputPath('staff-admin.png'), fullPage: true });
});
