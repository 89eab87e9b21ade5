import { test, expect } from '@playwright/test';
import { expectNoAxeViolations, expectNoHorizontalScroll } from './applicant';
import { signedInStaff } from './staff-helpers';

// The figures themselves are checked against the documents in `tests/staff_dashboard.rs`; here,
// what a person sees and hears: charts drawn without JavaScript, each named by its heading,
// each with its figures as a table a keyboard opens. Phone, desktop and the counter's tablet.
test('staff read the dashboard as charts or as tables, without JavaScript @tablet', async ({ page }) => {
  await signedInStaff(page, 'agent');
  await page.getByRole('navigation', { name: 'Navigation des agents' })
    .getByRole('link', { name: 'Tableau de bord' }).click();
  await expect(page).toHaveURL(/\/staff\/dashboard$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tableau de bord');
  await expect(page.getByText(/^Chiffres calculés le \d\d\/\d\d\/\d{4} à \d\d:\d\d/)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Voir les courriers non ouverts' })).toBeVisible();

  // The weekly chart is an image named by its heading, and always drawn.
  const weekly = page.getByRole('img', { name: 'Courriers déposés, ouverts et réputés notifiés, par semaine' });
  await expect(weekly).toBeVisible();
  expect(await weekly.locator('rect').count()).toBe(36);
  for (const heading of ['Délai entre le dépôt et la première ouverture, par type', 'Messages envoyés, par canal']) {
    await expect(page.getByRole('heading', { level: 2, name: heading })).toBeVisible();
  }

  // Its table, opened from the keyboard: twelve weeks, a number in every cell.
  const summary = page.getByText('Voir les chiffres en tableau').first();
  await summary.focus();
  await page.keyboard.press('Enter');
  const table = page.getByRole('table', { name: 'Courriers déposés, ouverts et réputés notifiés, par semaine' });
  await expect(table).toBeVisible();
  await expect(table.getByRole('columnheader')).toHaveText([
    'Semaine du', 'Déposés', 'Ouverts (première ouverture)', 'Réputés notifiés (15 jours)',
  ]);
  const rows = table.locator('tbody tr');
  await expect(rows).toHaveCount(12);
  for (const cell of await rows.locator('td').allInnerTexts()) {
    expect(cell).toMatch(/^\d+$/);
  }
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  // The charts and tables are in the page as the server sends it: no script draws them.
  const html = await (await page.request.get('/staff/dashboard')).text();
  expect(html.match(/<svg role="img"/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
  expect(html).toMatch(/<caption>Courriers déposés, ouverts et réputés notifiés, par semaine(<!>)?<\/caption>/);
  await page.screenshot({ path: test.info().outputPath('dashboard.png'), fullPage: true });
});
