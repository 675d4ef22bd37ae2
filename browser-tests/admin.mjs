// Browser checks of the editor interface at /admin (crate witryna-admin), run by run.mjs in
// the same browser against the same `witryna serve --demo`, logged in as the administrator
// the script created (WITRYNA_ADMIN_EMAIL, WITRYNA_ADMIN_PASSWORD).
//
// - axe-core (WCAG 2.1 A/AA) on every admin page type, in the default mode; the preview
//   (a site page with a preview banner) in the site's three modes;
// - the task „add a news item” with the keyboard alone, from the login page to the public
//   page, through a validation error and its error summary — with JavaScript, and again in
//   a browser context with JavaScript disabled; both under the admin's Content-Security-Policy;
// - screenshots admin-dashboard.png and admin-edit.png in the test output (the README's copies
//   in docs/screenshots/ are refreshed with WITRYNA_SCREENSHOTS=docs/screenshots)
//   (copied into WITRYNA_TEST_OUTPUT like the site's).
import { copyFileSync, mkdirSync } from 'node:fs';

const VIEWPORT = { width: 1280, height: 900 };

/**
 * @param {object} o
 * @param {import('playwright-core').Browser} o.browser
 * @param {string} o.base the site's address
 * @param {(page: any, name: string) => Promise<void>} o.axe runs axe on the page and records the result
 * @param {(name: string, ok: boolean, detail?: string) => void} o.check records a result
 * @param {Record<string, string>} o.modes the site's settings cookie per visitor mode
 * @param {string} o.cookie the settings cookie's name
 * @param {string} o.out where test output (screenshots) goes
 */
export async function checkAdmin({ browser, base, axe, check, modes, cookie, out }) {
  const email = process.env.WITRYNA_ADMIN_EMAIL;
  const password = process.env.WITRYNA_ADMIN_PASSWORD;
  if (!email || !password) throw new Error('set WITRYNA_ADMIN_EMAIL and WITRYNA_ADMIN_PASSWORD to an administrator');
  const shots = process.env.WITRYNA_SCREENSHOTS || out;
  mkdirSync(shots, { recursive: true });

  // Waits for the navigation an action starts; gives its response (after redirects).
  const navigating = async (page, action) => (await Promise.all([page.waitForNavigation(), action()]))[0];
  const statusIs = (name, response, expected) => {
    const ok = response && response.status() === expected;
    if (!ok) check(`${name}: HTTP ${expected}`, false, `got ${response ? response.status() : 'no response'} at ${response?.url()}`);
    return ok;
  };
  // Opens a page and runs axe on it when it answers as expected.
  const visit = async (page, name, path, expected = 200) => {
    const response = await page.goto(base + path);
    if (statusIs(`${name} ${path}`, response, expected)) await axe(page, `${name} ${path}`);
    return response;
  };
  const hrefs = (page, selector) => page.$$eval(selector, (as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));

  // ------------------------------------------------------------------ axe on every page type
  // axe is injected as a <script>, which the admin's Content-Security-Policy forbids: these
  // contexts bypass CSP; the keyboard runs below keep it.
  const context = await browser.newContext({ viewport: VIEWPORT, bypassCSP: true });
  const page = await context.newPage();
  await visit(page, 'admin login', '/admin/logowanie');
  await page.fill('#email', email);
  await page.fill('#haslo', 'to nie jest moje hasło');
  let response = await navigating(page, () => page.click('form[action="/admin/logowanie"] button[type=submit]'));
  if (statusIs('admin failed login', response, 401)) {
    check('admin failed login: the error is shown', await page.locator('.error-summary').isVisible());
    await axe(page, 'admin login with a failed-login error /admin/logowanie');
  }
  await page.fill('#email', email);
  await page.fill('#haslo', password);
  response = await navigating(page, () => page.click('form[action="/admin/logowanie"] button[type=submit]'));
  check('admin login: the administrator reaches the dashboard', new URL(page.url()).pathname === '/admin', page.url());
  await axe(page, 'admin dashboard /admin');
  await page.screenshot({ path: `${shots}/admin-dashboard.png`, fullPage: true });

  // Lists of every kind; the first item of each (for a programme, the long demo one).
  const sections = { news: '/admin/aktualnosci', programme: '/admin/projekty', unit: '/admin/jednostki', page: '/admin/strony' };
  const items = {};
  for (const [kind, path] of Object.entries(sections)) {
    await visit(page, `admin ${kind} list`, path);
    const rows = await hrefs(page, 'table.items tbody a');
    const chosen = rows.find((r) => r.text === 'Równi na starcie') || rows[0];
    check(`admin ${kind} list: shows demo items (${rows.length})`, Boolean(chosen));
    if (chosen) items[kind] = chosen.href;
  }
  // The singleton's „list” address redirects to its one form.
  response = await page.goto(`${base}/admin/deklaracja-dostepnosci`);
  const declaration = new URL(page.url()).pathname;
  check('admin declaration: /admin/deklaracja-dostepnosci redirects to its form',
    /^\/admin\/deklaracja-dostepnosci\/[0-9a-f-]{36}$/.test(declaration), declaration);
  if (statusIs('admin declaration form', response, 200)) await axe(page, `admin declaration form (singleton) ${declaration}`);
  items.declaration = declaration;

  for (const [kind, path] of Object.entries(sections)) await visit(page, `admin new ${kind} form`, `${path}/nowy`);
  for (const kind of Object.keys(sections)) if (items[kind]) await visit(page, `admin edit ${kind} form`, items[kind]);

  // Translations: the list's links to a translation and to a new one; a translation's form
  // with its Polish source beside it (wide: side by side) and the form that starts one.
  await page.goto(base + sections.programme);
  const programmeLinks = await hrefs(page, 'table.items tbody td a');
  const translation = programmeLinks.find((r) => r.text.startsWith('Edytuj'));
  const start = programmeLinks.find((r) => r.text.startsWith('Dodaj tłumaczenie'));
  check('admin programme list: links to a demo translation and to a missing one', Boolean(translation && start),
    programmeLinks.map((r) => r.text).join(' | '));
  if (translation) {
    await visit(page, 'admin translation form beside its Polish source', translation.href);
    await page.setViewportSize({ width: 1400, height: 1200 });
    await page.screenshot({ path: `${shots}/admin-translation.png` });
    await page.setViewportSize(VIEWPORT);
  }
  if (start) await visit(page, 'admin new translation form', start.href);

  // The edit form of the demo programme (long) for the README: the top 1400 px.
  if (items.programme) {
    await page.goto(base + items.programme);
    await page.setViewportSize({ width: 1280, height: 1400 });
    await page.screenshot({ path: `${shots}/admin-edit.png` });
    await page.setViewportSize(VIEWPORT);
  }

  const news = items.news;
  if (news) {
    // A validation error: a news item saved with an empty title.
    await page.goto(base + news);
    await page.fill('#f-title', '');
    response = await navigating(page, () => page.click('button[value=zapisz]'));
    if (statusIs('admin edit form with errors', response, 422)) {
      const summary = await hrefs(page, '#bledy a');
      check('admin edit form with errors: the error summary links to the title field',
        summary.some((l) => l.href === '#f-title'), JSON.stringify(summary));
      check('admin edit form with errors: the page title starts with „Błąd:”', (await page.title()).startsWith('Błąd:'), await page.title());
      await axe(page, `admin edit news form with validation errors ${news}`);
    }
    // A real change (a new version), with its confirmation.
    await page.goto(base + news);
    const lead = await page.inputValue('#f-lead');
    await page.fill('#f-lead', `${lead.trim()} Zaktualizowano: zmiana godzin spotkania.`);
    // The item is public: without a reason the change is refused, naming the field.
    response = await navigating(page, () => page.click('button[value=zapisz]'));
    if (statusIs('admin edit form without a reason', response, 422)) {
      const summary = await hrefs(page, '#bledy a');
      check('admin edit form without a reason: the summary links to the reason', summary.some((l) => l.href === '#powod'), JSON.stringify(summary));
      await axe(page, `admin edit news form without a reason ${news}`);
    }
    await page.fill('#powod', 'Zmiana godzin spotkania');
    response = await navigating(page, () => page.click('button[value=zapisz]'));
    if (statusIs('admin edit form saved', response, 200)) {
      check('admin edit form saved: the confirmation is shown', (await page.locator('.flash').textContent() || '').includes('Zapisano'));
      await axe(page, `admin edit news form after saving (confirmation) ${new URL(page.url()).pathname}`);
    }
    // Someone else's save meanwhile: the form is based on an older version.
    await page.goto(base + news);
    await page.$eval('input[name=_wersja]', (input) => { input.value = String(Number(input.value) - 1); });
    await page.fill('#f-lead', 'Moja wersja wstępu, napisana w tym samym czasie.');
    response = await navigating(page, () => page.click('button[value=zapisz]'));
    if (statusIs('admin edit form with a concurrent-edit conflict', response, 409)) {
      check('admin edit form with a conflict: the notice is shown', await page.locator('#konflikt').isVisible());
      await axe(page, `admin edit news form with a concurrent-edit conflict ${news}`);
    }
    await visit(page, 'admin revisions', `${news}/wersje`);
    await visit(page, 'admin compare', `${news}/porownaj`);
    check('admin compare: the change is shown', (await page.locator('ins, del').count()) > 0);
    await visit(page, 'admin delete confirmation', `${news}/usun`);
  }

  // Previews: site pages with a banner, in the site's three modes.
  for (const [mode, value] of Object.entries(modes)) {
    await context.addCookies([{ name: cookie, value, url: base }]);
    for (const [kind, href] of Object.entries(items)) {
      if (!href) continue;
      const path = `${href}/podglad`;
      response = await page.goto(base + path);
      if (!statusIs(`admin preview ${kind} ${mode}`, response, 200)) continue;
      const banner = await page.evaluate(() => document.querySelector('main .podglad')?.textContent.includes('Podgląd') || false);
      const noindex = await page.evaluate(() => document.querySelector('meta[name=robots]')?.content || '');
      const shown = await page.evaluate(() => ({ contrast: document.documentElement.classList.contains('kontrast'), size: document.documentElement.style.fontSize }));
      const inMode = mode === 'high-contrast' ? shown.contrast : mode === 'largest-font' ? shown.size === '150%' : !shown.contrast;
      check(`admin preview ${kind} ${mode}: a preview banner, not indexed, in the visitor's mode`, banner && noindex.includes('noindex') && inMode,
        `banner ${banner}, robots „${noindex}”, ${JSON.stringify(shown)}`);
      await axe(page, `admin preview ${kind} ${mode} ${path}`);
    }
  }
  await context.clearCookies({ name: cookie });

  // Accounts, tokens, own password.
  await visit(page, 'admin users', '/admin/uzytkownicy');
  const users = await hrefs(page, 'table.items tbody a');
  await visit(page, 'admin new user', '/admin/uzytkownicy/nowy');
  response = await navigating(page, () => page.click('main form button[type=submit]'));
  if (statusIs('admin new user with errors', response, 422)) await axe(page, 'admin new user with validation errors /admin/uzytkownicy/nowy');
  if (users[0]) await visit(page, 'admin edit user', users[0].href);
  await visit(page, 'admin API tokens (none yet)', '/admin/tokeny');
  await page.fill('#nazwa', 'Import z systemu kadrowego');
  response = await navigating(page, () => page.click('form[action="/admin/tokeny"] button[type=submit]'));
  if (statusIs('admin API token created', response, 200)) {
    check('admin API token created: the secret is shown once', await page.locator('code.secret').isVisible());
    await axe(page, 'admin API tokens with a new token /admin/tokeny');
  }
  // The media library: the list, the upload form (empty, then refused files), a file's page.
  await visit(page, 'admin media list', '/admin/media');
  const files = await hrefs(page, 'table.items tbody a');
  check(`admin media list: shows the demo files (${files.length})`, files.length >= 3);
  if (files[0]) await visit(page, 'admin media item', files[0].href);
  await visit(page, 'admin upload form', '/admin/media/nowy');
  response = await navigating(page, () => page.click('main form button[type=submit]'));
  if (statusIs('admin upload without a file', response, 422)) await axe(page, 'admin upload form without a file /admin/media/nowy');
  await page.setInputFiles('#plik', { name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') });
  response = await navigating(page, () => page.click('main form button[type=submit]'));
  if (statusIs('admin upload of an SVG', response, 415)) {
    check('admin upload of an SVG: the error names the reason', (await page.locator('#plik-error').innerText()).includes('SVG'));
    await axe(page, 'admin upload form with a refused file /admin/media/nowy');
  }
  // The centre's activity for everyone: the easy-to-read text in the Markdown editor, the
  // recording chosen among the library's videos only.
  await visit(page, 'admin activity information', '/admin/tekst-latwy-do-czytania');
  check('admin activity information: the easy-to-read text is a Markdown field',
    await page.locator('textarea#f-easy_to_read[data-markdown]').count() === 1);
  // Up to 8 choices are radios, more a <select>.
  const offered = await page.$$eval('#f-sign_language_video option, label[for^="f-sign_language_video"]', (os) => os.map((o) => o.textContent));
  check('admin activity information: the recording is chosen among videos only',
    offered.some((o) => o.includes('informacja-pjm.webm')) && !offered.some((o) => /\.(png|jpg|pdf)/.test(o)), offered.join(' | '));
  // The audit log and webhooks (administrators).
  await visit(page, 'admin audit log', '/admin/dziennik');
  check('admin audit log: the change with its reason is there', (await page.locator('tbody').innerText()).includes('Zmiana godzin spotkania'));
  await visit(page, 'admin audit log filtered', '/admin/dziennik?akcja=updated');
  await visit(page, 'admin audit log with errors', '/admin/dziennik?od=wczoraj', 422);
  await visit(page, 'admin webhooks', '/admin/webhooki');
  await page.fill('#nazwa', 'Intranet');
  await page.fill('#adres', 'http://10.0.0.5/hook');
  response = await navigating(page, () => page.click('form[action="/admin/webhooki"] button[type=submit]'));
  if (statusIs('admin webhook on a private address', response, 422)) await axe(page, 'admin webhooks with a refused address /admin/webhooki');
  await page.fill('#nazwa', 'Portal miasta');
  await page.fill('#adres', 'https://portal.example.invalid/witryna');
  response = await navigating(page, () => page.click('form[action="/admin/webhooki"] button[type=submit]'));
  if (statusIs('admin webhook registered', response, 200)) {
    await axe(page, 'admin webhooks with an endpoint /admin/webhooki');
    const log = await hrefs(page, 'table.items tbody a');
    if (log[0]) await visit(page, 'admin webhook deliveries', log[0].href);
  }
  await visit(page, 'admin own password', '/admin/haslo');
  response = await navigating(page, () => page.click('main form button[type=submit]'));
  if (statusIs('admin own password with errors', response, 422)) await axe(page, 'admin own password with validation errors /admin/haslo');
  await visit(page, 'admin not found', '/admin/nie-ma-takiej-strony', 404);
  await context.close();
  if (shots !== out) for (const name of ['admin-dashboard.png', 'admin-edit.png']) copyFileSync(`${shots}/${name}`, `${out}/${name}`);

  // ------------------------------------------------------------------ keyboard only
  await keyboardTask({ browser, base, check, email, password, javaScript: true });
  await keyboardTask({ browser, base, check, email, password, javaScript: false });
  return [`${shots}/admin-dashboard.png`, `${shots}/admin-edit.png`];
}

// Two one-pixel PNGs, so the two keyboard runs upload different files.
const RED_PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGM4IScHAAK2AQU0pnWqAAAAAElFTkSuQmCC';
const BLUE_PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGOQkzsBAAFiAQURG6MhAAAAAElFTkSuQmCC';

/**
 * Logs in, adds a news item through a validation error, publishes it and opens its public
 * page, then adds a picture to the media library — with keyboard.press and keyboard.type
 * only (page.goto opens the login page and the upload form; setInputFiles stands in for the
 * system's file dialog).
 */
async function keyboardTask({ browser, base, check, email, password, javaScript }) {
  const how = javaScript ? 'keyboard' : 'keyboard, JavaScript off';
  const title = javaScript ? 'Dzień otwarty w Klubie Seniora' : 'Dzień otwarty w Klubie Seniora bez JavaScriptu';
  const context = await browser.newContext({ viewport: VIEWPORT, javaScriptEnabled: javaScript });
  const page = await context.newPage();
  const cspViolations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(`${page.url()}: ${m.text()}`); });
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    return e ? { tag: e.tagName.toLowerCase(), id: e.id, href: e.getAttribute('href'), value: e.getAttribute('value'), text: e.textContent.trim().replace(/\s+/g, ' ').slice(0, 80) } : {};
  });
  // Tabs forward until the focused element matches (at most `limit` presses).
  async function tabTo(matches, limit = 150) {
    for (let i = 0; i < limit; i += 1) {
      await page.keyboard.press('Tab');
      if (matches(await focused())) return true;
    }
    return false;
  }
  const press = async (key) => (await Promise.all([page.waitForNavigation(), page.keyboard.press(key)]))[0];
  const step = (name, ok, detail) => { check(`${how}: ${name}`, ok, detail); return ok; };
  const path = () => new URL(page.url()).pathname;

  try {
    await page.goto(`${base}/admin/logowanie`);
    if (!step('Tab reaches the e-mail field of the login form', await tabTo((f) => f.id === 'email'))) return;
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    step('the next Tab stop is the password', (await focused()).id === 'haslo');
    await page.keyboard.type(password);
    await press('Enter');
    if (!step('Enter logs in and opens the dashboard', path() === '/admin', page.url())) return;

    if (!step('Tab reaches „Aktualności” in the menu', await tabTo((f) => f.tag === 'a' && f.text === 'Aktualności'))) return;
    await press('Enter');
    step('Enter opens the news list', path() === '/admin/aktualnosci', page.url());
    if (!step('Tab reaches „Dodaj aktualność”', await tabTo((f) => f.tag === 'a' && f.text === 'Dodaj aktualność'))) return;
    await press('Enter');
    if (!step('Enter opens the new news form', path() === '/admin/aktualnosci/nowy', page.url())) return;

    // Every field but the title.
    const fill = async (id, text) => step(`Tab reaches #${id} and types`, await tabTo((f) => f.id === id) && (await page.keyboard.type(text), true));
    await fill('f-lead', 'Zapraszamy seniorów i ich rodziny.');
    await fill('f-body', 'W piątek od 10:00 Klub Seniora otwiera drzwi dla wszystkich chętnych.');
    await fill('f-author', 'MOPS Kalisz');
    const publish = (f) => f.tag === 'button' && f.text === 'Zapisz i opublikuj teraz';
    if (!step('Tab reaches „Zapisz i opublikuj teraz”', await tabTo(publish))) return;
    let response = await press('Enter');
    step('publishing without a title is refused (HTTP 422)', response?.status() === 422, `HTTP ${response?.status()}`);
    const summary = await page.evaluate(() => {
      const s = document.getElementById('bledy');
      return s ? { role: s.getAttribute('role'), links: [...s.querySelectorAll('a')].map((a) => a.getAttribute('href')), first: document.querySelector('main').firstElementChild === s } : null;
    });
    if (!step('the page shows the error summary first in the main content', summary?.first && summary.links.includes('#f-title'), JSON.stringify(summary))) return;
    step('the page title starts with „Błąd:”', (await page.title()).startsWith('Błąd:'), await page.title());
    if (javaScript) {
      step('focus lands on the error summary', (await focused()).id === 'bledy', JSON.stringify(await focused()));
      await page.keyboard.press('Tab');
    } else {
      // Without the script nothing moves focus: the skip link leads to the summary.
      await page.keyboard.press('Tab');
      step('the first Tab stop is the skip link', (await focused()).href === '#tresc', JSON.stringify(await focused()));
      await page.keyboard.press('Enter');
      step('the skip link moves focus to the main content', (await focused()).id === 'tresc', JSON.stringify(await focused()));
      await page.keyboard.press('Tab');
    }
    const link = await focused();
    if (!step('the next Tab stop is the summary’s link to the title', link.href === '#f-title', JSON.stringify(link))) return;
    await page.keyboard.press('Enter');
    await page.waitForTimeout(100);
    if (!step('Enter on the summary link moves focus to the title field', (await focused()).id === 'f-title', JSON.stringify(await focused()))) return;
    step('the other fields kept what was typed', await page.evaluate(() => document.getElementById('f-author').value === 'MOPS Kalisz'));
    await page.keyboard.type(title);
    if (!step('Tab reaches „Zapisz i opublikuj teraz” again', await tabTo(publish))) return;
    response = await press('Enter');
    const flash = await page.evaluate(() => document.querySelector('.flash')?.textContent.trim() || '');
    if (!step('Enter publishes: the item’s form with „Opublikowano.”', /^\/admin\/aktualnosci\/[0-9a-f-]{36}$/.test(path()) && flash === 'Opublikowano.', `${page.url()} „${flash}”`)) return;

    if (!step('Tab reaches „Zobacz na stronie”', await tabTo((f) => f.tag === 'a' && f.text === 'Zobacz na stronie'))) return;
    response = await press('Enter');
    const h1 = await page.evaluate(() => document.querySelector('h1')?.textContent.trim());
    step('Enter opens the public page with the title', response?.status() === 200 && path().startsWith('/aktualnosci/') && h1 === title, `${page.url()} HTTP ${response?.status()}: „${h1}”`);

    // Adding a picture to the library: the file input is reached with Tab; the system's file
    // dialog, which a page cannot drive, is stood in for by setInputFiles.
    await page.goto(`${base}/admin/media/nowy`);
    if (!step('Tab reaches the file input of the upload form', await tabTo((f) => f.id === 'plik'))) return;
    const pixel = javaScript ? RED_PIXEL : BLUE_PIXEL;
    await page.setInputFiles('#plik', { name: 'zdjecie.png', mimeType: 'image/png', buffer: Buffer.from(pixel, 'base64') });
    await page.keyboard.press('Tab');
    step('the next Tab stop is the title', (await focused()).id === 'tytul', JSON.stringify(await focused()));
    await page.keyboard.type('Kropka');
    await page.keyboard.press('Tab');
    step('the next Tab stop is the image description', (await focused()).id === 'opis', JSON.stringify(await focused()));
    await page.keyboard.type('Jednokolorowy kwadrat');
    if (!step('Tab reaches „Dodaj plik”', await tabTo((f) => f.tag === 'button' && f.text === 'Dodaj plik'))) return;
    response = await press('Enter');
    const added = await page.evaluate(() => document.querySelector('.flash')?.textContent.trim() || '');
    step('Enter uploads: the file’s page with a confirmation', /^\/admin\/media\/[0-9a-f-]{36}$/.test(path()) && added.startsWith('Dodano plik'), `${page.url()} „${added}”`);
    step(`the admin pages keep their Content-Security-Policy`, cspViolations.length === 0, cspViolations.join('\n'));
  } finally {
    await context.close();
  }
}
