import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { chooseLanguage } from './applicant';

/** Fails the test on any Content-Security-Policy violation or script error. */
function watchForErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

test('the landing page renders, hydrates under the CSP and fits the screen', async ({ page }) => {
  const errors = watchForErrors(page);
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(
    "Votre espace personnel de demandeur d'asile",
  );
  await expect(page).toHaveTitle('Accueil – Espace usager');
  // The WebAssembly ran: the app marks the document once hydrated.
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: test.info().outputPath('landing.png'), fullPage: true });
  expect(errors).toEqual([]);
});

test('the language switcher changes the language and remembers it', async ({ page }) => {
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connexion');
  await chooseLanguage(page, 'English');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  // The picker is a named group; its summary is a button saying the language in use.
  await expect(page.getByRole('group', { name: 'Language' })).toBeVisible();
  await page.getByRole('button', { name: 'Language : English' }).click();
  await expect(page.getByRole('button', { name: 'English', exact: true })).toHaveAttribute('aria-current', 'true');

  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(
    'Your personal space as an asylum applicant',
  );
  await chooseLanguage(page, 'Français');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
});

test('pages work without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await chooseLanguage(page, 'English');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(
    'Your personal space as an asylum applicant',
  );
  await page.getByRole('navigation').getByRole('link', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  await context.close();
});

test('keyboard users reach the content first through the skip link', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Aller au contenu' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);
});

for (const language of ['fr', 'en']) {
  for (const path of ['/', '/sign-in', '/sign-in/reset', '/sign-in/reset/code', '/sign-in/code', '/staff/sign-in', '/no-such-page']) {
    test(`axe finds no violation on ${path} in ${language}`, async ({ page, context, baseURL }) => {
      await context.addCookies([{ name: 'lang', value: language, url: baseURL! }]);
      await page.goto(path);
      await expect(page.locator('html')).toHaveAttribute('lang', language);
      await expectNoAxeViolations(page);
    });
  }
}
