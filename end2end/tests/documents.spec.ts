import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { activate, expectNoAxeViolations, expectNoHorizontalScroll, registerApplicant, uniqueNumber } from './applicant';
import { pdfSaying, signedInStaff } from './staff-helpers';

test('staff post a summons, the applicant opens it on a phone, staff see when', async ({ browser, page }) => {
  const number = uniqueNumber();
  const key = registerApplicant(number);

  // Staff work on a desktop, whatever the project's viewport.
  const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
  const staff = await office.newPage();
  await signedInStaff(staff, 'supervisor');
  await staff.getByLabel('Numéro étranger ou numéro de dossier').fill(number);
  await staff.getByRole('button', { name: 'Ouvrir son dossier' }).click();
  await expect(staff.getByRole('heading', { level: 1 })).toContainText('Test Applicant');
  await staff.getByLabel('Type de document').selectOption('interview_summons');
  await staff.getByLabel("Date et heure de l'entretien (heure de Paris)").fill('2027-01-09T09:30');
  await staff.getByLabel("Lieu de l'entretien").fill('201 rue Carnot, Fontenay-sous-Bois');
  await staff.getByLabel('Intitulé (vu par le demandeur)').fill('Convocation du 3 décembre');
  await staff.getByLabel('Fichiers PDF').setInputFiles([
    { name: 'convocation.pdf', mimeType: 'application/pdf', buffer: pdfSaying('Convocation') },
  ]);
  await staff.getByRole('button', { name: 'Déposer dans le compte' }).click();
  await expect(staff).toHaveURL(/published=1$/);
  await expect(staff.getByRole('status')).toHaveText('Documents déposés : 1.');
  // The document's row (the notifications table below names the document too).
  const row = staff
    .getByRole('row', { name: /Convocation du 3 décembre/ })
    .filter({ has: staff.getByRole('link', { name: 'Convocation du 3 décembre' }) });
  await expect(row).toContainText('Pas encore ouvert');
  await expectNoAxeViolations(staff);

  // The applicant, on the project's device (a 360 px phone, or a desktop).
  await activate(page, number, key);
  await page.goto('/account');
  const item = page.locator('.inbox-item', { hasText: 'Convocation du 3 décembre' });
  await expect(item).toContainText('Convocation à un entretien');
  await expect(item).toContainText('Nouveau');
  await expect(item).toContainText('Ouvrir ce document vaut notification');
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: test.info().outputPath('inbox.png'), fullPage: true });

  const link = item.getByRole('link', { name: /Convocation du 3 décembre/ });
  // Chromium shows the PDF in its own viewer: what the portal answered is what counts.
  const [answer] = await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname.startsWith('/account/documents/')),
    link.click(),
  ]);
  expect(answer.status()).toBe(200);
  expect(answer.headers()['content-type']).toBe('application/pdf');
  expect(answer.headers()['cache-control']).toBe('no-store');
  expect(answer.headers()['content-disposition']).toContain('filename="convocation.pdf"');
  // The viewer keeps the bytes to itself; their count is in the header.
  expect(answer.headers()['content-length']).toBe(String(pdfSaying('Convocation').length));
  await page.goto('/account');
  await expect(item).not.toContainText('Nouveau');
  await expect(item).toContainText('Notifié le');

  // Staff see the opening time and the rule that fixed the notification date.
  await staff.reload();
  await expect(row).not.toContainText('Pas encore ouvert');
  await expect(row).toContainText('(première ouverture)');
  await expect(row.getByRole('link', { name: 'Accusé de réception (PDF)' })).toBeVisible();

  // A supervisor withdraws it, with a reason; the applicant sees the withdrawal in its place.
  await row.getByText('Retirer ou remplacer').click();
  await row.getByLabel('Motif (obligatoire, conservé dans le dossier)').fill('Convocation envoyée par erreur');
  await row.getByRole('button', { name: 'Retirer (et remplacer)' }).click();
  await expect(staff.getByRole('status')).toHaveText('Le document a été retiré.');
  await expect(row).toContainText('Motif du retrait : Convocation envoyée par erreur');
  await expectNoAxeViolations(staff);
  await page.goto('/account');
  await expect(item).toContainText("Retiré par l'Office le");
  await expect(item.getByRole('link')).toHaveCount(0);

  // The applicant downloads everything the portal holds about them (an access request).
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Télécharger mes données' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^espace-usager-\d{4}-\d{2}-\d{2}\.json$/);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  expect(exported.applicant.foreigner_number).toBe(number);
  expect(exported.documents[0].title).toBe('Convocation du 3 décembre');
  expect(exported.documents[0].withdrawn_at).toBeTruthy();
  // Staff's own words on why stay with the office.
  expect(exported.documents[0].withdrawal_reason).toBeUndefined();

  // The procedure is over: the supervisor closes the file, after ticking the confirmation.
  await staff.getByLabel('Je confirme que la procédure de cette personne est terminée.').check();
  await staff.getByRole('button', { name: 'Clore le dossier' }).click();
  await expect(staff.getByRole('status')).toHaveText('Le dossier est clos.');
  await expect(staff.getByText(/^Dossier clos le /)).toBeVisible();
  await expect(staff.getByRole('button', { name: 'Rouvrir le dossier' })).toBeVisible();
  await expect(staff.getByRole('button', { name: 'Déposer dans le compte' })).toHaveCount(0);
  await expectNoAxeViolations(staff);
  // The applicant still reads their account, and is told when it will be erased.
  await page.goto('/account');
  await expect(page.getByRole('note')).toContainText('Votre dossier est clos.');
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  await office.close();
});
