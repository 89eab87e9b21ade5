import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import {
  activate,
  expectNoAxeViolations,
  expectNoHorizontalScroll,
  latestTextTo,
  registerApplicant,
  uniqueNumber,
} from './applicant';
import { pdfSaying, signedInStaff } from './staff-helpers';

/** Paris wall-clock time `minutes` from now, as the staff's datetime-local field takes it. */
function parisTimeIn(minutes: number): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(Date.now() + minutes * 60_000));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

test('a summons posted late: staff warned, the interview into the phone calendar, a reminder on every channel', async ({ browser, page }) => {
  // The reminder job runs once a minute: this journey waits for it, on the phone only (staff
  // use their desktop within it).
  test.skip(test.info().project.name !== 'phone', 'a phone journey');
  test.setTimeout(180_000);
  const number = uniqueNumber();
  const givenPhone = '+33698765432';
  const key = registerApplicant(number, 'fr', givenPhone);

  // Activated: the number noted at registration is there to confirm or remove.
  await activate(page, number, key);
  await expect(page.getByText(`Numéro noté par l'office à votre enregistrement : ${givenPhone}`)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Confirmer ce numéro' })).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);

  // Staff post a summons for an interview 90 minutes from now, from a desktop.
  const interview = parisTimeIn(90);
  const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
  const staff = await office.newPage();
  await signedInStaff(staff, 'agent');
  await staff.getByLabel('Numéro étranger ou numéro de dossier').fill(number);
  await staff.getByRole('button', { name: 'Ouvrir son dossier' }).click();
  await staff.getByLabel('Type de document').selectOption('interview_summons');
  await staff.getByLabel("Date et heure de l'entretien (heure de Paris)").fill(interview);
  await staff.getByLabel("Lieu de l'entretien").fill('201 rue Carnot, Fontenay-sous-Bois');
  await staff.getByLabel('Intitulé (vu par le demandeur)').fill('Convocation urgente');
  await staff.getByLabel('Fichiers PDF').setInputFiles([
    { name: 'convocation.pdf', mimeType: 'application/pdf', buffer: pdfSaying(`Convocation ${number}`) },
  ]);
  await staff.getByRole('button', { name: 'Déposer dans le compte' }).click();
  await expect(staff).toHaveURL(/published=1$/);
  // Accepted, with the warning: the law would count it notified long after the interview.
  await expect(staff.getByRole('alert').filter({ hasText: 'Prévenez la personne par téléphone' })).toBeVisible();
  await expect(staff.getByText(`Téléphone donné à l'enregistrement : ${givenPhone}`)).toBeVisible();
  await expectNoAxeViolations(staff);
  // The at-risk list puts it first, with the number to call.
  await staff.goto('/staff/at-risk');
  const atRisk = staff.locator('section', { has: staff.getByRole('heading', { name: /Entretiens menacés/ }) });
  await expect(atRisk.getByRole('row', { name: /Convocation urgente/ })).toContainText(givenPhone);
  await expectNoAxeViolations(staff);

  // On the phone: the inbox entry gives the interview, and the calendar file.
  await page.goto('/account');
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Ajouter à mon agenda' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^interview-\d{4}-\d{2}-\d{2}\.ics$/);
  const ics = readFileSync(await download.path(), 'utf8');
  const lines = ics.replace(/\r\n /g, '').split('\r\n');
  expect(lines[0]).toBe('BEGIN:VCALENDAR');
  expect(lines).toContain('TZID:Europe/Paris');
  expect(lines).toContain(`DTSTART;TZID=Europe/Paris:${interview.replace(/[-:]/g, '')}00`);
  expect(lines).toContain('LOCATION:201 rue Carnot\\, Fontenay-sous-Bois');
  expect(lines.filter((line) => line === 'BEGIN:VALARM')).toHaveLength(2);
  expect(lines).toContain('TRIGGER:-P1D');
  expect(lines).toContain('TRIGGER:-PT2H');
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);

  // Within the minute, the reminder: in the notification centre with the time and place...
  await expect(async () => {
    await page.goto('/account/notifications');
    await expect(page.locator('.notice-item', { hasText: /votre entretien a lieu/ }).first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 120_000, intervals: [5_000] });
  // (Just before midnight, both the evening's and the day's reminder are due at once.)
  await expect(page.locator('.notice-item', { hasText: /votre entretien a lieu/ }).first()).toContainText('201 rue Carnot');
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  // ...and by SMS to the number given at registration, saying nothing of an interview.
  await expect(() => expect(latestTextTo(givenPhone)).toContain('rendez-vous')).toPass({ timeout: 30_000 });
  expect(latestTextTo(givenPhone)).not.toMatch(/entretien|asile|Convocation/i);
  await office.close();
});

test('a change of postal address from the phone, with its receipt in the inbox', async ({ page }) => {
  const number = uniqueNumber();
  await activate(page, number, registerApplicant(number));
  await page.goto('/account');
  await page.getByRole('link', { name: 'Changer mon adresse postale' }).click();
  await expect(page).toHaveURL(/\/account\/address$/);
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  // A mistake comes back beside its field.
  await page.getByLabel('Une domiciliation').check();
  await page.getByLabel('Chez (organisme ou personne)').fill("France terre d'asile");
  await page.getByLabel('Numéro et rue').fill('24 rue Marc Seguin');
  await page.getByLabel('Code postal').fill('7501');
  await page.getByLabel('Commune').fill('Paris');
  await page.getByRole('button', { name: 'Déclarer cette adresse' }).click();
  await expect(page).toHaveURL(/error=postal_code/);
  await expect(page.getByLabel('Code postal')).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page);
  await page.getByLabel('Une domiciliation').check();
  await page.getByLabel('Chez (organisme ou personne)').fill("France terre d'asile");
  await page.getByLabel('Numéro et rue').fill('24 rue Marc Seguin');
  await page.getByLabel('Code postal').fill('75018');
  await page.getByLabel('Commune').fill('Paris');
  await page.getByRole('button', { name: 'Déclarer cette adresse' }).click();
  await expect(page.locator('.success-notice')).toContainText('Adresse enregistrée');
  await expect(page.getByText("France terre d'asile, 24 rue Marc Seguin, 75018 Paris")).toBeVisible();
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  await page.goto('/account');
  await expect(page.getByRole('link', { name: /Accusé de réception : changement d'adresse/ })).toBeVisible();
});
