import { test, expect } from '@playwright/test';
import { expectNoAxeViolations, expectNoHorizontalScroll } from './applicant';
import { pdfSaying, signedInStaff } from './staff-helpers';

// Staff work at desks and, at the counter, on tablets: this runs at 1280×800 and 768×1024.
test('staff register, find a file by number through a form, and a refused upload keeps the form @tablet', async ({ page }) => {
  await signedInStaff(page, 'agent');

  // The staff's own navigation, sign-out included; nothing of the applicant's.
  const nav = page.getByRole('navigation', { name: 'Navigation des agents' });
  await expect(nav.getByRole('link', { name: 'Espace agents' })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('link', { name: 'Trouver un demandeur' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Courriers non ouverts' })).toBeVisible();
  await expect(nav.getByRole('button', { name: 'Se déconnecter' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Activer mon compte' })).toHaveCount(0);

  // Every number field says which number it wants.
  for (const name of [
    'Numéro étranger',
    'Numéro étranger du demandeur qui reçoit une nouvelle clé',
    'Numéro étranger ou numéro de dossier',
  ]) {
    await expect(page.getByRole('textbox', { name, exact: true })).toHaveCount(1);
  }
  // The language picker is a named group whose summary is a button.
  await expect(page.getByRole('group', { name: 'Langue' })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Langue/ })).toBeVisible();

  const number = `06${String(Date.now() % 100_000_000).padStart(8, '0')}`;
  await page.getByLabel('Numéro étranger', { exact: true }).fill(number);
  await page.getByLabel('Prénoms').fill('Amina');
  await page.getByLabel('Nom', { exact: true }).fill('Haidari');
  await page.getByLabel('Date de naissance (AAAA-MM-JJ)').fill('1990-03-04');
  await page.getByLabel('Langue du demandeur').selectOption({ label: 'Dari – دری' });
  await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: "Enregistrer et produire l'avis" }).click(),
  ]);

  await nav.getByRole('link', { name: 'Trouver un demandeur' }).click();
  await page.getByLabel('Numéro étranger ou numéro de dossier').fill(number);
  await page.getByRole('button', { name: 'Ouvrir son dossier' }).click();
  // The file's address names her by an opaque id, never by her number.
  await expect(page).toHaveURL(/\/staff\/applicants\/[0-9a-f-]{36}$/);
  expect(page.url()).not.toContain(number);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Documents d'Amina Haidari");
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  const file = page.url();

  // A summons without its interview time is refused: the form comes back as typed.
  await page.getByLabel('Type de document').selectOption('interview_summons');
  await page.getByLabel('Intitulé (vu par le demandeur)').fill('Convocation à l’entretien');
  await page.getByLabel("Lieu de l'entretien").fill('201 rue Carnot, Fontenay-sous-Bois');
  await page.getByLabel('Fichiers PDF').setInputFiles([
    { name: 'convocation.pdf', mimeType: 'application/pdf', buffer: pdfSaying('Convocation') },
  ]);
  await page.getByRole('button', { name: 'Déposer dans le compte' }).click();
  await expect(page.locator('#appointment_at-error')).toHaveText("Indiquez la date et l'heure de l'entretien.");
  await expect(page.getByLabel('Type de document')).toHaveValue('interview_summons');
  await expect(page.getByLabel('Intitulé (vu par le demandeur)')).toHaveValue('Convocation à l’entretien');
  await expect(page.getByLabel("Lieu de l'entretien")).toHaveValue('201 rue Carnot, Fontenay-sous-Bois');
  expect(page.url()).toBe(`${file}/documents`);
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);

  // Completed, it goes in.
  await page.getByLabel("Date et heure de l'entretien (heure de Paris)").fill('2027-01-09T09:30');
  await page.getByLabel('Fichiers PDF').setInputFiles([
    { name: 'convocation.pdf', mimeType: 'application/pdf', buffer: pdfSaying('Convocation') },
  ]);
  await page.getByRole('button', { name: 'Déposer dans le compte' }).click();
  await expect(page).toHaveURL(/published=1$/);
  await expect(page.getByRole('status')).toHaveText('Documents déposés : 1.');
  await page.screenshot({ path: test.info().outputPath('staff-file.png'), fullPage: true });

  // Sign-out from the navigation, on any staff page.
  await page.getByRole('navigation', { name: 'Navigation des agents' }).getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page).toHaveURL(/\/staff\/sign-in\?signed_out=1$/);
});
