// tests/browser/browser.test.mjs: the search page in a real headless Chromium (TAP).
// Run by tests/t_browser.sh, which starts arkivar-server on a corpus index and sets
// ARK_BASE (http://127.0.0.1:PORT) and ARK_SHOTS (where to write the screenshots).
// Covers what a user does: search and see marked words, pick a suggestion with the
// keyboard, page, filter, open a result at its passage, a hostile query shown as text,
// the page without JavaScript, the skip link, and the 404 page.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BASE = process.env.ARK_BASE;
const SHOTS = process.env.ARK_SHOTS || '';
const CHROMIUM = process.env.ARK_CHROMIUM || '/usr/bin/chromium';
if (!BASE) {
  console.log('1..0 # ARK_BASE not set (run tests/t_browser.sh)');
  process.exit(1);
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-quic'];
const HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>';

let n = 0;
let failed = 0;
const dirs = [];

function ok(desc) { console.log(`ok ${++n} - ${desc}`); }
function notOk(desc, err) {
  failed++;
  console.log(`not ok ${++n} - ${desc}`);
  for (const line of String(err && err.stack || err).split('\n').slice(0, 12)) console.log(`# ${line}`);
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }

async function test(desc, fn) {
  try {
    await fn();
    ok(desc);
  } catch (e) {
    notOk(desc, e);
  }
}

async function launch(options) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkivar-chromium-'));
  dirs.push(dir);
  return chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, args: ARGS,
    viewport: { width: 1280, height: 900 }, locale: 'da-DK', ...options,
  });
}

// Every dialog is a failure: the hostile query must never run.
let dialogs = 0;
function watch(page) {
  page.on('dialog', async (d) => { dialogs++; await d.dismiss(); });
  page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
}

async function shot(page, name, options = {}) {
  if (!SHOTS) return;
  await page.screenshot({ path: path.join(SHOTS, name), ...options });
}

const results = (page) => page.$$eval('.hits > li.hit', (lis) => lis.map((li) => ({
  href: li.querySelector('h2 a').getAttribute('href'),
  type: (li.querySelector('.tag') || {}).dataset?.type || '',
  marks: [...li.querySelectorAll('.snip mark')].map((m) => m.textContent),
})));

let ctx;
let nojs;
try {
  ctx = await launch({});
  const page = await ctx.newPage();
  watch(page);
  page.setDefaultTimeout(10000);

  await test('typing a query and pressing Enter shows results with the words marked', async () => {
    await page.goto(`${BASE}/`);
    await page.locator('#q').fill('samarbejde');
    await Promise.all([page.waitForURL(/\?q=samarbejde/), page.locator('#q').press('Enter')]);
    const rs = await results(page);
    assert(rs.length > 0, 'no results');
    const marks = rs.flatMap((r) => r.marks);
    assert(marks.length > 0, 'no <mark> in any snippet');
    const bad = marks.filter((m) => !/samarbejd/i.test(m));
    assert(bad.length === 0, `marks that are not forms of samarbejde: ${bad.join(', ')}`);
    const h1 = await page.locator('h1').innerText();
    assert(h1.includes('samarbejde'), `heading ${h1}`);
    const stat = await page.locator('.stat').innerText();
    assert(/resultat/.test(stat) && /ms/.test(stat), `summary ${stat}`);
    assert((await page.locator('.hit .src').first().innerText()).match(/linje \d+/), 'no line reference');
  });

  await test('a screenshot of the results page is written (docs/search.png)', async () => {
    await page.goto(`${BASE}/?q=innovation+partnerskab`);
    await page.locator('.hit').first().waitFor();
    await shot(page, 'search.png');
  });

  await test('a suggestion is picked with the keyboard and its results are shown', async () => {
    await page.goto(`${BASE}/`);
    const q = page.locator('#q');
    await q.click();
    await q.pressSequentially('inno', { delay: 60 });
    const list = page.locator('#q-list');
    await list.locator('[role=option]').first().waitFor({ state: 'visible' });
    assert(await q.getAttribute('aria-expanded') === 'true', 'combobox not expanded');
    const options = await list.locator('[role=option]').allInnerTexts();
    assert(options.length >= 2, `options ${options}`);
    assert(options.every((o) => o.toLowerCase().startsWith('inno')), `options ${options}`);
    await q.press('ArrowDown');
    await q.press('ArrowDown');
    const active = await q.getAttribute('aria-activedescendant');
    assert(active === 'q-opt-1', `active ${active}`);
    const want = await page.locator(`#${active}`).getAttribute('data-value');
    assert(await page.locator(`#${active}`).getAttribute('aria-selected') === 'true', 'not aria-selected');
    if (SHOTS) await shot(page, 'suggest.png', { clip: { x: 0, y: 0, width: 1280, height: 640 } });
    await Promise.all([page.waitForURL((u) => new URL(u).searchParams.get('q') === want), q.press('Enter')]);
    assert(await page.locator('#q').inputValue() === want, 'box does not hold the suggestion');
    assert((await results(page)).length > 0, `no results for ${want}`);
  });

  await test('Escape closes the suggestions and keeps the typed text', async () => {
    await page.goto(`${BASE}/`);
    const q = page.locator('#q');
    await q.pressSequentially('kom', { delay: 40 });
    await page.locator('#q-list [role=option]').first().waitFor({ state: 'visible' });
    await q.press('Escape');
    assert(await page.locator('#q-list').isHidden(), 'list still shown');
    assert(await q.inputValue() === 'kom', 'text changed');
  });

  await test('a misspelled query is corrected with "Viser resultater for", and "Mente du" leads back', async () => {
    await page.goto(`${BASE}/?q=inovation`);
    const note = await page.locator('.note').innerText();
    assert(/Viser resultater for innovation\. Søg i stedet efter inovation/.test(note), `note ${note}`);
    assert((await results(page)).length > 0, 'no results for the correction');
    await Promise.all([page.waitForURL(/exact=1/), page.locator('.note a').nth(1).click()]);
    assert((await results(page)).length === 0, 'the insisted query has results');
    assert(/Mente du: innovation/.test(await page.locator('.note').innerText()), 'no Mente du');
    await Promise.all([page.waitForURL((u) => new URL(u).searchParams.get('q') === 'innovation'),
      page.locator('.note a').click()]);
    assert((await results(page)).length > 0, 'Mente du link gave no results');
  });

  // A page lists documents (issue 15), and the corpus holds five: two a page.
  await test('the next page shows other results, numbered on, and links back', async () => {
    await page.goto(`${BASE}/?q=innovation&limit=2`);
    const first = await results(page);
    assert(first.length === 2, `page 1 has ${first.length}`);
    await Promise.all([page.waitForURL(/page=2/), page.locator('.pager a[rel=next]').click()]);
    const second = await results(page);
    assert(second.length > 0, 'page 2 empty');
    const a = new Set(first.map((r) => r.href));
    assert(second.every((r) => !a.has(r.href)), 'page 2 repeats page 1');
    assert(await page.locator('.hits').getAttribute('start') === '3', 'page 2 does not start at 3');
    assert(await page.locator('.pager [aria-current=page]').innerText() === '2', 'current page not 2');
    assert(await page.locator('.pager a[rel=prev]').count() === 1, 'no Forrige link');
  });

  await test('a type filter is selected by a click, every result has that type, and it is removed again', async () => {
    await page.goto(`${BASE}/?q=innovation`);
    const before = await results(page);
    const links = page.locator('.f-type a:not([aria-current])');
    assert(await links.count() >= 2, 'fewer than two types to choose from');
    // The last type listed: not simply the type of the first result.
    const link = links.last();
    const href = await link.getAttribute('href');
    const type = new URL(href, BASE).searchParams.get('type');
    await Promise.all([page.waitForURL(/type=/), link.click()]);
    const rs = await results(page);
    assert(rs.length > 0, `no results for type ${type}`);
    assert(rs.every((r) => r.type === type), `types ${rs.map((r) => r.type)} for ${type}`);
    assert(await page.locator('.f-type a[aria-current]').count() === 1, 'chosen type not shown as chosen');
    assert(await page.locator('.chips .chip').count() === 1, 'no chip for the filter');
    assert(await page.locator('#q').inputValue() === 'innovation', 'filter leaked into the box');
    await Promise.all([page.waitForURL((u) => !new URL(u).searchParams.has('type')),
      page.locator('.chips .chip').click()]);
    assert((await results(page)).length === before.length, 'removing the filter did not restore the results');
  });

  await test('a year filter narrows the results to that year', async () => {
    await page.goto(`${BASE}/?q=innovation`);
    const link = page.locator('.f-year a:not([aria-current])').first();
    const year = new URL(await link.getAttribute('href'), BASE).searchParams.get('year');
    await Promise.all([page.waitForURL(/year=/), link.click()]);
    const dates = await page.$$eval('.hit time', (ts) => ts.map((t) => t.getAttribute('datetime')));
    assert(dates.length > 0 && dates.every((d) => d.startsWith(year)), `dates ${dates} for ${year}`);
  });

  await test('opening a result lands on its passage: #pN, marked, in view', async () => {
    await page.goto(`${BASE}/?q=innovation`);
    const link = page.locator('.hit h2 a').nth(1);
    const href = await link.getAttribute('href');
    const hash = new URL(href, BASE).hash;
    assert(/^#p\d+$/.test(hash), `href ${href}`);
    await Promise.all([page.waitForURL(/\/doc\//), link.click()]);
    assert(await page.evaluate(() => location.hash) === hash, 'hash lost');
    const el = page.locator(hash);
    assert(await el.evaluate((e) => e.matches(':target')), 'passage is not :target');
    assert(await el.evaluate((e) => e.classList.contains('hit')), 'passage not marked as a hit');
    assert(await el.locator('mark').count() > 0, 'no <mark> in the passage');
    const marks = await el.locator('mark').allInnerTexts();
    assert(marks.every((m) => /innovation/i.test(m)), `marks ${marks}`);
    const inView = await el.evaluate((e) => {
      const r = e.getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight;
    });
    assert(inView, 'passage not in the viewport');
    const facts = await page.locator('.facts').innerText();
    assert(/Dokumenttype/.test(facts) && /Dokument/.test(facts) && /Linjer/.test(facts), `facts ${facts}`);
    assert(await page.locator('h1').innerText() !== '', 'no title');
  });

  await test('a screenshot of the document view is written (docs/document.png)', async () => {
    // An early passage, seen from the top, so the picture shows the metadata too.
    await page.goto(`${BASE}/doc/000_92fe6cf18886d868.txt?q=innovation#p2`);
    await page.locator('#p2').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'document.png');
  });

  await test('a hostile query is shown as text: no dialog, no injected element', async () => {
    const before = dialogs;
    await page.goto(`${BASE}/?q=${encodeURIComponent(HOSTILE)}`);
    await page.locator('#q').fill(HOSTILE);
    await Promise.all([page.waitForLoadState('load'), page.locator('#q').press('Enter')]);
    await page.waitForTimeout(300);
    assert(dialogs === before, 'a dialog fired');
    assert(await page.locator('img').count() === 0, 'an <img> was injected');
    const scripts = await page.$$eval('script', (s) => s.map((x) => x.getAttribute('src')));
    assert(scripts.length === 1 && scripts[0] === '/static/arkivar.js', `scripts ${scripts}`);
    assert(await page.locator('[onerror]').count() === 0, 'an onerror attribute exists');
    assert(await page.locator('#q').inputValue() === HOSTILE, 'box does not hold the query as typed');
    const h1 = await page.locator('h1').innerText();
    assert(h1.includes(HOSTILE), `heading ${h1}`);
    // The same query carried into a document view.
    const id = '000_92fe6cf18886d868.txt';
    await page.goto(`${BASE}/doc/${id}?q=${encodeURIComponent(HOSTILE)}`);
    await page.waitForTimeout(200);
    assert(dialogs === before, 'a dialog fired on the document view');
    assert(await page.locator('img, [onerror]').count() === 0, 'injected element on the document view');
    assert((await page.locator('.note').innerText()).includes(HOSTILE), 'query not shown as text');
  });

  await test('Tab first reaches the skip link, which moves to the content', async () => {
    await page.goto(`${BASE}/?q=innovation`);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement.className);
    assert(focused === 'skip', `first focus on .${focused}`);
    assert(await page.locator('.skip').isVisible(), 'skip link not visible when focused');
    await page.keyboard.press('Enter');
    assert(await page.evaluate(() => location.hash) === '#main', 'skip link did not move');
  });

  await test('an unknown document is a 404 page in Danish', async () => {
    const resp = await page.goto(`${BASE}/doc/findes-ikke.txt`);
    assert(resp.status() === 404, `status ${resp.status()}`);
    assert((await page.locator('h1').innerText()).includes('findes ikke'), 'no Danish heading');
    assert(await page.locator('html').getAttribute('lang') === 'da', 'lang is not da');
  });

  await test('on a 390 px phone the page has no horizontal scroll (docs/phone.png)', async () => {
    const phone = await ctx.newPage();
    watch(phone);
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${BASE}/?q=innovation+partnerskab`);
    await phone.locator('.hit').first().waitFor();
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert(wide <= 390, `page is ${wide} px wide`);
    await shot(phone, 'phone.png');
    await phone.close();
  });

  nojs = await launch({ javaScriptEnabled: false });
  const plain = await nojs.newPage();
  plain.setDefaultTimeout(10000);
  await test('without JavaScript the form submits, and results with marks and filters work', async () => {
    await plain.goto(`${BASE}/`);
    await plain.locator('#q').fill('skolemad');
    await Promise.all([plain.waitForURL(/\?q=skolemad/), plain.locator('button[type=submit]').click()]);
    const rs = await results(plain);
    assert(rs.length > 0, 'no results');
    assert(rs.some((r) => r.marks.length > 0), 'no marks');
    assert(await plain.locator('#q-list').count() === 0, 'script ran with JavaScript off');
    const link = plain.locator('.f-type a').first();
    await Promise.all([plain.waitForURL(/type=/), link.click()]);
    assert((await results(plain)).length > 0, 'filter gave no results');
  });
} catch (e) {
  notOk('the browser starts and the tests run', e);
} finally {
  if (ctx) await ctx.close().catch(() => {});
  if (nojs) await nojs.close().catch(() => {});
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
}

console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
