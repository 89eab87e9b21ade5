import { test, expect, type Browser, type Page } from '@playwright/test';
import {
  activate,
  APPLICANT_PASSWORD,
  chooseLanguage,
  expectNoAxeViolations,
  expectNoHorizontalScroll,
  latestCodeFor,
  registerApplicant,
  uniqueNumber,
} from './applicant';
import { pdfSaying, signedInStaff } from './staff-helpers';

const PASSWORD = APPLICANT_PASSWORD;

/** A staff member on a desktop posts one document into the applicant's account. */
async function postDocument(browser: Browser, number: string, title: string) {
  const office = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
  const staff = await office.newPage();
  await signedInStaff(staff, 'agent');
  await staff.getByLabel('Numéro étranger ou numéro de dossier').fill(number);
  await staff.getByRole('button', { name: 'Ouvrir son dossier' }).click();
  await staff.getByLabel('Type de document').selectOption('interview_summons');
  await staff.getByLabel("Date et heure de l'entretien (heure de Paris)").fill('2027-01-09T09:30');
  await staff.getByLabel("Lieu de l'entretien").fill('201 rue Carnot, Fontenay-sous-Bois');
  await staff.getByLabel('Intitulé (vu par le demandeur)').fill(title);
  await staff.getByLabel('Fichiers PDF').setInputFiles([
    { name: 'convocation.pdf', mimeType: 'application/pdf', buffer: pdfSaying('Convocation') },
  ]);
  await staff.getByRole('button', { name: 'Déposer dans le compte' }).click();
  await expect(staff).toHaveURL(/published=1$/);
  await office.close();
}

/** Checks a page (axe, 360 px fit) and keeps its screenshot as a test artifact. */
async function checkAndKeep(page: Page, name: string) {
  await expectNoAxeViolations(page);
  await expectNoHorizontalScroll(page);
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
}

for (const [language, name, dir] of [
  ['fr', 'Français', 'ltr'],
  ['ar', 'العربية', 'rtl'],
  ['fa-AF', 'دری', 'rtl'],
] as const) {
  test(`the applicant's pages in ${language}: picker before sign-in, layout, every page checked`, async ({ browser, page }) => {
    // Twelve pages, each checked with axe, and a staff member posting a document.
    test.setTimeout(120_000);
    await page.goto('/');
    await chooseLanguage(page, name);
    await expect(page.locator('html')).toHaveAttribute('lang', language);
    await expect(page.locator('html')).toHaveAttribute('dir', dir);
    // The browser side loads the same language and hydrates.
    await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
    await checkAndKeep(page, `${language}-landing`);
    for (const path of ['/sign-in', '/activate', '/help', '/accessibility', '/sign-in/reset', '/offline', '/no-such-page']) {
      await page.goto(path);
      await expect(page.locator('html')).toHaveAttribute('lang', language);
      await checkAndKeep(page, `${language}${path.replaceAll('/', '-')}`);
    }

    const number = uniqueNumber();
    await activate(page, number, registerApplicant(number));
    await checkAndKeep(page, `${language}-contact`);
    await postDocument(browser, number, 'Convocation du 9 janvier');
    await page.goto('/account');
    await expect(page.locator('.inbox-item')).toHaveCount(1);
    await expect(page.locator('.pictogram')).toBeVisible();
    // What the summons says, in the page's language, beside the PDF.
    await expect(page.locator('.inbox-facts')).toContainText('09/01/2027');
    await expect(page.locator('.inbox-facts')).toContainText('201 rue Carnot, Fontenay-sous-Bois');
    await checkAndKeep(page, `${language}-account`);
    await page.goto('/account/notifications');
    await checkAndKeep(page, `${language}-notifications`);
    // The password again, before a change of where codes and alerts go.
    await page.goto('/account/confirm-password');
    await expect(page.locator('input[type=password]')).toBeVisible();
    await checkAndKeep(page, `${language}-confirm-password`);
    // Sign-out is in the applicant's navigation on every page of the space.
    await expect(page.locator('.nav-sign-out button')).toBeVisible();
  });
}

test('the language chosen while signed in is kept on the account and follows to a new phone', async ({ browser, page }) => {
  const number = uniqueNumber();
  await activate(page, number, registerApplicant(number));
  await chooseLanguage(page, 'Русский');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
  // The same page, query included.
  await expect(page).toHaveURL(/\/account\/contact\?activated=1$/);

  // Another phone, in French by default: once signed in, the portal speaks Russian.
  const other = await browser.newContext({ locale: 'fr-FR', viewport: { width: 360, height: 740 } });
  const phone = await other.newPage();
  await phone.goto('/sign-in');
  await expect(phone.locator('html')).toHaveAttribute('lang', 'fr');
  await phone.locator('#foreigner_number').fill(number);
  await phone.locator('#password').fill(PASSWORD);
  await phone.locator('#password').press('Enter');
  // No verified contact yet: the portal asks for one, in the account's language.
  await expect(phone).toHaveURL(/\/account\/contact$/);
  await expect(phone.locator('html')).toHaveAttribute('lang', 'ru');
  await other.close();
});

test('installable: a manifest, and a service worker that keeps only the app shell', async ({ page, context }) => {
  const manifest = await (await page.request.get('/manifest.webmanifest')).json();
  expect(manifest.start_url).toBe('/account');
  expect(manifest.icons.map((icon: { sizes: string }) => icon.sizes)).toContain('512x512');
  // The installed app speaks the page's language: the page links the manifest in it.
  await page.goto('/help');
  await chooseLanguage(page, 'دری');
  const link = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(link).toBe('/manifest.webmanifest?lang=fa-AF');
  const dari = await (await page.request.get(link!)).json();
  expect(dari.lang).toBe('fa-AF');
  expect(dari.dir).toBe('rtl');
  expect(dari.description).not.toBe(manifest.description);

  const number = uniqueNumber();
  await activate(page, number, registerApplicant(number));
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await page.evaluate(() => navigator.serviceWorker.ready);
  // Pages visited with the worker in control: still none of them is kept.
  await page.goto('/account');
  await page.goto('/account/notifications');
  await page.goto('/help');
  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
    }
    return urls;
  });
  expect(cached).toContain('/offline');
  for (const path of cached) {
    expect(path).toMatch(/^\/(offline|favicon\.svg|manifest\.webmanifest|icons\/.+|pkg\/.+)$/);
  }

  // Without a network, a page says so instead of failing, at its own address, and hydrates.
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await context.setOffline(true);
  await page.goto('/account').catch(() => undefined);
  await expect(page).toHaveURL(/\/offline$/);
  // The shell is cached once, when the worker installs: in French if that came before the
  // switch to Dari, else in Dari (a race the test cannot order).
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^(Pas de connexion|انترنت وصل نیست)$/);
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  expect(errors).toEqual([]);
  await context.setOffline(false);
});

test('a shared phone: not remembered, nothing personal left in the browser after sign-out', async ({ page, context }) => {
  const number = uniqueNumber();
  const key = registerApplicant(number);
  const email = `shared-${number}@example.org`;
  await activate(page, number, key);
  await page.locator('#email').fill(email);
  await page.locator('#email').press('Enter');
  await page.locator('#code').fill(latestCodeFor(email));
  await page.locator('#code').press('Enter');
  await expect(page).toHaveURL(/\/account\?contact=confirmed$/);
  await page.getByRole('button', { name: 'Se déconnecter', exact: true }).click();

  await page.goto('/sign-in');
  await page.locator('#foreigner_number').fill(number);
  await page.locator('#password').fill(PASSWORD);
  await page.getByLabel('Ce téléphone est partagé avec d\'autres personnes').check();
  await page.locator('#password').press('Enter');
  await expect(page).toHaveURL(/\/sign-in\/code\?via=email&shared=1$/);
  // Another language on the code page: the phone is still shared, so never remembered.
  await chooseLanguage(page, 'English');
  await expect(page).toHaveURL(/\/sign-in\/code\?via=email&shared=1$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('#remember_device')).toHaveCount(0);
  await page.locator('#code').fill(latestCodeFor(email));
  await page.locator('#code').press('Enter');
  await expect(page).toHaveURL(/\/account$/);
  // Sign-out is at hand on every page while signed in, public ones included.
  for (const path of ['/', '/help', '/sign-in', '/no-such-page']) {
    await page.goto(path);
    await expect(page.locator('.nav-sign-out button'), path).toBeVisible();
  }
  await page.goto('/account');
  await page.locator('.nav-sign-out button').click();
  await expect(page).toHaveURL(/\/sign-in\?signed_out=1$/);

  // Not even the language: it would tell the next person something about the last one.
  const names = (await context.cookies()).map((cookie) => cookie.name);
  expect(names.filter((name) => /session|device|^lang$/i.test(name))).toEqual([]);
  const stored = await page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    databases: (await indexedDB.databases()).length,
    cachedPages: (await Promise.all((await caches.keys()).map(async (name) =>
      (await (await caches.open(name)).keys()).map((request) => new URL(request.url).pathname))))
      .flat()
      .filter((path) => path.startsWith('/account')),
  }));
  expect(stored).toEqual({ local: 0, session: 0, databases: 0, cachedPages: [] });
  // The browser's back button finds no copy of the space: pages are never stored.
  await page.goBack();
  await expect(page).toHaveURL(/\/sign-in/);
});

test('before a shared phone\'s short session ends, a warning offers to stay signed in on the same page', async ({ page }) => {
  const number = uniqueNumber();
  await activate(page, number, registerApplicant(number));
  await page.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
  // The page's clock is the test's: ten minutes of a shared phone's idle time pass at once.
  await page.clock.install();
  await page.goto('/sign-in');
  await page.locator('#foreigner_number').fill(number);
  await page.locator('#password').fill(PASSWORD);
  await page.getByLabel('Ce téléphone est partagé avec d\'autres personnes').check();
  await page.locator('#password').press('Enter');
  await page.goto('/account/notifications');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.clock.fastForward('08:30');
  const warning = page.getByRole('alert');
  await expect(warning).toContainText('votre session prendra fin dans 2 minutes');
  await expectNoAxeViolations(page);
  await warning.getByRole('button', { name: 'Rester connecté' }).click();
  await expect(page).toHaveURL(/\/account\/notifications$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
});
