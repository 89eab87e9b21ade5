import { test, expect } from '@playwright/test';
import {
  activate,
  expectNoAxeViolations,
  expectNoHorizontalScroll,
  latestTextTo,
  registerApplicant,
  uniqueNumber,
} from './applicant';
import { pdfSaying, signedInStaff } from './staff-helpers';

test('a phone verified by SMS, a new document announced by SMS and in the notification centre', async ({ browser, page }) => {
  const number = uniqueNumber();
  const key = registerApplicant(number);

  // The applicant adds a mobile number and types back the code sent to it.
  await activate(page, number, key);
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  await page.getByLabel('Numéro de téléphone portable').fill('06 12 34 56 78');
  await page.getByRole('button', { name: "M'envoyer un code par SMS" }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vérifier mon téléphone');
  const code = latestTextTo('+33612345678').match(/(\d{6})/)?.[1] ?? '';
  await page.getByLabel('Code à 6 chiffres reçu').fill(code);
  await page.getByRole('button', { name: 'Valider le code' }).click();
  await expect(page).toHaveURL(/\/account\?contact=phone$/);
  await expect(page.getByRole('status')).toHaveText('Votre téléphone est vérifié.');
  await expect(page.getByText('Téléphone vérifié : +33612345678')).toBeVisible();

  // Staff post a summons from a desktop.
  const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
  const staff = await office.newPage();
  await signedInStaff(staff, 'agent');
  await staff.getByLabel('Numéro étranger ou numéro de dossier').fill(number);
  await staff.getByRole('button', { name: 'Ouvrir son dossier' }).click();
  await staff.getByLabel('Type de document').selectOption('interview_summons');
  await staff.getByLabel("Date et heure de l'entretien (heure de Paris)").fill('2027-01-09T09:30');
  await staff.getByLabel("Lieu de l'entretien").fill('201 rue Carnot, Fontenay-sous-Bois');
  await staff.getByLabel('Intitulé (vu par le demandeur)').fill('Convocation du 9 janvier');
  await staff.getByLabel('Fichiers PDF').setInputFiles([
    { name: 'convocation.pdf', mimeType: 'application/pdf', buffer: pdfSaying('Convocation') },
  ]);
  await staff.getByRole('button', { name: 'Déposer dans le compte' }).click();
  await expect(staff).toHaveURL(/published=1$/);

  // The delivery loop sends the text within seconds; staff see it sent, and what it says
  // names neither the document nor the procedure.
  const smsRow = staff.getByRole('row', { name: /Convocation du 9 janvier Nouveau document SMS/ });
  await expect(async () => {
    await staff.reload();
    await expect(smsRow).toContainText('Envoyé le', { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  const text = latestTextTo('+33612345678');
  expect(text).toContain('Un nouveau document est disponible');
  expect(text).not.toContain('Convocation');
  await expect(staff.getByRole('row', { name: /Convocation du 9 janvier Nouveau document Avis dans l'espace/ }))
    .toContainText('Affiché, pas encore lu');
  await expectNoAxeViolations(staff);

  // The badge is on every applicant page; the centre lists the notice.
  await page.goto('/account');
  const centreLink = page.getByRole('link', { name: /Notifications/ });
  await expect(centreLink).toHaveAccessibleName('Notifications (1 non lue(s))');
  await centreLink.click();
  await expect(page).toHaveURL(/\/account\/notifications$/);
  await expect(page.getByRole('link', { name: 'Notifications (1 non lue(s))' })).toHaveAttribute('aria-current', 'page');
  const notice = page.locator('.notice-item', { hasText: 'Nouveau document : Convocation du 9 janvier' });
  await expect(notice).toContainText('Nouveau');
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: test.info().outputPath('notifications.png'), fullPage: true });
  await notice.getByRole('button', { name: 'Marquer comme lu' }).click();
  await expect(page.getByRole('status')).toHaveText('Les notifications sont marquées comme lues.');
  await expect(page.getByRole('link', { name: 'Notifications', exact: true })).toBeVisible();
  await expect(page.locator('.count-badge')).toHaveCount(0);

  // Contact settings: the only contact cannot go; SMS alerts can be turned off.
  await page.getByRole('link', { name: 'Mes coordonnées' }).click();
  await expect(page.getByRole('button', { name: 'Supprimer ce numéro' })).toHaveCount(0);
  await page.getByLabel(/^Par SMS/).uncheck();
  await page.getByRole('button', { name: 'Enregistrer mes choix' }).click();
  await expect(page.locator('.success-notice')).toHaveText('Vos choix sont enregistrés.');
  await expect(page.getByLabel(/^Par SMS/)).not.toBeChecked();
  // The alerts on this phone: the page's script found the browser's push API (under the CSP).
  await expect(page.getByRole('button', { name: 'Recevoir les alertes sur ce téléphone' })).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);

  // Sign-out is on every page of the space.
  await page.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await office.close();
});
