// Accessibility and keyboard checks of the Witryna site in a real browser (Debian's
// Chromium driven by playwright-core). Expects WITRYNA_URL of a `witryna serve --demo`,
// and optionally WITRYNA_GENERIC_URL of `examples/custom_content serve` (a kind without a template).
//
// - axe-core with the tags wcag2a, wcag2aa, wcag21a, wcag21aa on every page type, in the
//   default, high-contrast and largest-font modes: every violation is listed;
// - a keyboard-only run: the skip link is the first Tab stop and moves focus to the main
//   content; the settings change from the keyboard alone;
// - html-validate (its `standard` preset: the HTML standard's content models, required and
//   duplicate attributes, ids, nesting) on the served HTML of every page type;
// - screenshots of the home page (default and high contrast) in WITRYNA_TEST_OUTPUT;
// - with WITRYNA_ADMIN_EMAIL and WITRYNA_ADMIN_PASSWORD (an administrator's), the editor
//   interface at /admin, in the same browser: see admin.mjs.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { HtmlValidate } from 'html-validate';
import { checkAdmin } from './admin.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const base = process.env.WITRYNA_URL;
if (!base) throw new Error('set WITRYNA_URL to the site under test');
const out = process.env.WITRYNA_TEST_OUTPUT || 'test-output/browser';
mkdirSync(out, { recursive: true });

const COOKIE = 'witryna_ustawienia';
const modes = {
  default: 'f0-c0-u0-s0-m0-k1-o0',
  'high-contrast': 'f0-c1-u0-s0-m0-k1-o0',
  'largest-font': 'f99-c0-u0-s0-m0-k1-o0',
};
const news = await (await fetch(`${base}/api/v1/news?limit=1`)).json();
// A public change with a reason (an editor's token from browser-check.sh), so the item's
// history has two public versions to compare and the register a change.
const token = process.env.WITRYNA_TOKEN;
let changed = null;
if (token) {
  const path = `${base}/api/v1/pages/klauzula-informacyjna`;
  const page = await (await fetch(path)).json();
  const body = { content: { ...page.content, summary: 'Jak przetwarzamy dane osobowe.' },
    reason: 'Dodano krótki opis klauzuli' };
  const res = await fetch(path, { method: 'PUT', body: JSON.stringify(body),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': `"${page.version}"` } });
  if (res.ok) changed = (await res.json()).version;
  else throw new Error(`the change for the history pages failed: ${res.status} ${await res.text()}`);
}
const pageTypes = {
  home: '/',
  'news list': '/aktualnosci',
  'news item': `/aktualnosci/${news.items[0].slug}`,
  'programme list': '/projekty',
  'news item with a picture and an attachment': '/aktualnosci/spotkanie-informacyjne-w-klubie-integracji-spolecznej',
  'programme item': '/projekty/rowni-na-starcie',
  'programme item with an attachment': '/projekty/aktywni-w-kis',
  unit: '/jednostki/mops-glowno',
  declaration: '/deklaracja-dostepnosci',
  'easy-to-read text': '/tekst-latwy-do-czytania',
  'sign language': '/polski-jezyk-migowy',
  'search results': '/szukaj?q=integracji',
  '404': '/nie-ma-takiej-strony',
  'change register': '/rejestr-zmian',
  'item history': '/strony/klauzula-informacyjna/historia',
  'en change register': '/en/change-register',
  'en item history': '/en/news/information-meeting-at-the-social-integration-club/history',
};
if (changed) pageTypes['changes between versions'] = `/strony/klauzula-informacyjna/historia?od=${changed - 1}&do=${changed}`;
// The site in English and Ukrainian (the demo translates one news item, one programme and
// the main unit): home, a list, a translated item, an untranslated programme shown in
// Polish with a note (the fallback), search and settings.
const translated = {
  en: { home: '/en/', list: '/en/news', item: '/en/news/information-meeting-at-the-social-integration-club',
    fallback: '/en/projects/aktywni-w-kis', search: '/en/search?q=integration', settings: '/en/settings' },
  uk: { home: '/uk/', list: '/uk/novyny', item: '/uk/novyny/informatsiina-zustrich-u-klubi-sotsialnoi-intehratsii',
    fallback: '/uk/proiekty/aktywni-w-kis', search: '/uk/poshuk?q=інтеграції', settings: '/uk/nalashtuvannia' },
};
for (const [code, pages] of Object.entries(translated)) {
  for (const [type, path] of Object.entries(pages)) pageTypes[`${code} ${type}`] = path;
}
// A kind without a template (the job offer of examples/custom_content.rs): the generic
// list and item pages, laid out from its schema.
const generic = process.env.WITRYNA_GENERIC_URL;
if (generic) {
  pageTypes['generic list'] = { base: generic, path: '/oferty-pracy' };
  pageTypes['generic item'] = { base: generic, path: '/oferty-pracy/pracownik-socjalny' };
}
const urlOf = (target) => (typeof target === 'string' ? base + target : target.base + target.path);
const pathOf = (target) => (typeof target === 'string' ? target : target.path);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
let passed = 0;
let failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) { passed += 1; console.log(`ok   ${name}`); } else { failed += 1; console.log(`FAIL ${name}${detail ? `\n${detail}` : ''}`); }
};

// axe-core with the WCAG 2.1 A and AA rules on the open page: every violation is listed
// with its rule, impact and the targets it was found on.
async function axe(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  const detail = result.violations.map((v) => `  - ${v.id} (${v.impact}): ${v.help}\n${v.nodes
    .map((n) => `      ${n.target.join(' ')}: ${n.failureSummary.replace(/\n/g, ' ')}`).join('\n')}`).join('\n');
  check(`axe ${name}: ${result.violations.length} violations, ${result.passes.length} rules passed`,
    result.violations.length === 0, detail);
}

// The HTML as served (not the browser's repaired DOM) against the HTML standard's rules.
const htmlValidator = new HtmlValidate({ extends: ['html-validate:standard'] });
for (const [type, target] of Object.entries(pageTypes)) {
  const text = await (await fetch(urlOf(target))).text();
  const report = await htmlValidator.validateString(text);
  const messages = report.results.flatMap((r) => r.messages);
  check(`html-validate ${type} ${pathOf(target)}: ${messages.length} problems`, report.valid,
    messages.map((m) => `  - ${m.line}:${m.column} ${m.ruleId}: ${m.message}`).join('\n'));
}

// axe is injected as a <script>, which the site's Content-Security-Policy (rightly) forbids:
// the axe runs bypass CSP; the keyboard run keeps it and checks nothing on a page breaks it.
async function contextWith(cookie, bypassCSP = false) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP });
  if (cookie) await context.addCookies([{ name: COOKIE, value: cookie, url: base }]);
  return context;
}

for (const [mode, cookie] of Object.entries(modes)) {
  const context = await contextWith(cookie, true);
  const page = await context.newPage();
  for (const [type, target] of Object.entries(pageTypes)) {
    const path = pathOf(target);
    const response = await page.goto(urlOf(target));
    const expected = type === '404' ? 404 : 200;
    if (response.status() !== expected) {
      check(`${mode} ${type} ${path}: HTTP ${expected}`, false, `got ${response.status()}`);
      continue;
    }
    await axe(page, `${mode} ${type} ${path}`);
    const lang = type.match(/^(en|uk) /)?.[1] ?? 'pl';
    const htmlLang = await page.evaluate(() => document.documentElement.lang);
    check(`${mode} ${type} ${path}: <html lang="${lang}">`, htmlLang === lang, `lang="${htmlLang}"`);
  }
  if (mode !== 'largest-font') {
    await page.goto(`${base}/`);
    await page.screenshot({ path: `${out}/home-${mode}.png`, fullPage: true });
  }
  await context.close();
}

// Keyboard only, under the site's own Content-Security-Policy.
{
  const context = await contextWith(null);
  const page = await context.newPage();
  const cspViolations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(`${page.url()}: ${m.text()}`); });
  for (const target of Object.values(pageTypes)) await page.goto(urlOf(target));
  check(`CSP: no page breaks its Content-Security-Policy (${Object.keys(pageTypes).length} page types)`,
    cspViolations.length === 0, cspViolations.join('\n'));
  const styled = await page.evaluate(() => getComputedStyle(document.querySelector('main')).maxWidth);
  check('CSP: the stylesheet applies', styled !== 'none', `main max-width ${styled}`);
  await page.goto(`${base}/`);
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => ({ href: document.activeElement.getAttribute('href'), text: document.activeElement.textContent.trim() }));
  check(`keyboard: the first Tab stop is the skip link (${first.text})`, first.href === '#tresc', JSON.stringify(first));
  const visible = await page.evaluate(() => { const r = document.activeElement.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.top >= 0; });
  check('keyboard: the focused skip link is visible', visible);
  await page.keyboard.press('Enter');
  const focused = await page.evaluate(() => document.activeElement.id);
  check('keyboard: the skip link moves focus to the main content', focused === 'tresc', `focus on #${focused}`);

  async function tabTo(label) {
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    for (let i = 0; i < 80; i += 1) {
      await page.keyboard.press('Tab');
      const text = await page.evaluate(() => (document.activeElement ? document.activeElement.textContent.trim() : ''));
      if (text === label || text.endsWith(label)) return true;
    }
    return false;
  }
  check('keyboard: Tab reaches „Włącz wysoki kontrast”', await tabTo('Włącz wysoki kontrast'));
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  check('keyboard: Enter turns high contrast on', await page.evaluate(() => document.documentElement.classList.contains('kontrast')));
  check('keyboard: Tab reaches the largest text size „A++”', await tabTo('A++'));
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  const size = await page.evaluate(() => document.documentElement.style.fontSize);
  check('keyboard: Enter sets the largest text size', size === '150%', `font-size ${size}`);
  await page.goto(`${base}/ustawienia`);
  check('keyboard: Tab reaches the „Zapisz ustawienia” button of the form', await tabTo('Zapisz ustawienia'));
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  check('keyboard: the settings form keeps the choices', await page.evaluate(() => document.documentElement.classList.contains('kontrast')));
  // The language switcher: reachable by Tab, names each language in itself, leads to the
  // same page in the chosen language.
  await page.goto(`${base}/aktualnosci`);
  check('keyboard: Tab reaches „English” in the language switcher', await tabTo('English'));
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  check('keyboard: Enter on „English” opens the English news', new URL(page.url()).pathname === '/en/news', page.url());
  check('keyboard: Tab reaches „Українська” in the language switcher', await tabTo('Українська'));
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  check('keyboard: Enter on „Українська” opens the Ukrainian news', new URL(page.url()).pathname === '/uk/novyny', page.url());
  // The centre's activity for everyone: the footer leads to the sign-language page, whose
  // recording plays under the site's CSP (media-src 'self'), its transcript open under it.
  await page.goto(`${base}/`);
  check('keyboard: Tab reaches the footer\'s „Informacja w polskim języku migowym (PJM)”', await tabTo('Informacja w polskim języku migowym (PJM)'));
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  check('keyboard: Enter opens the sign-language page', new URL(page.url()).pathname === '/polski-jezyk-migowy', page.url());
  const video = await page.evaluate(() => new Promise((resolve) => {
    const v = document.querySelector('main video');
    if (!v) return resolve({ found: false });
    const done = () => resolve({ found: true, readyState: v.readyState, error: v.error && v.error.code, width: v.videoWidth });
    if (v.readyState >= 1) return done();
    v.addEventListener('loadedmetadata', done);
    v.addEventListener('error', done);
    setTimeout(done, 5000);
  }));
  check('sign language: the recording loads and decodes under the CSP', video.found && video.readyState >= 1 && !video.error && video.width > 0, JSON.stringify(video));
  check('sign language: the transcript is open under the recording',
    await page.evaluate(() => { const d = document.querySelector('main details.zapis'); return !!d && d.open && d.textContent.includes('polskiego języka migowego'); }));
  const text = await fetch(`${base}/informacje-o-dzialalnosci.txt`);
  const body = await text.text();
  check('the activity text file is UTF-8 plain text with the centre\'s text',
    text.headers.get('content-type') === 'text/plain; charset=utf-8' && body.startsWith('Informacje o działalności ośrodka\n') && body.includes('MOPS pomaga ludziom'),
    `${text.headers.get('content-type')}\n${body.slice(0, 200)}`);
  await context.close();
}

const screenshots = [`${out}/home-default.png`, `${out}/home-high-contrast.png`];
if (process.env.WITRYNA_ADMIN_EMAIL) {
  try {
    screenshots.push(...await checkAdmin({ browser, base, axe, check, modes, cookie: COOKIE, out }));
  } catch (e) {
    check('the editor interface\'s checks ran to their end', false, e.stack);
  }
} else {
  console.log('skipped: the editor interface (set WITRYNA_ADMIN_EMAIL and WITRYNA_ADMIN_PASSWORD)');
}

await browser.close();
console.log(`screenshots: ${screenshots.join(', ')}`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
