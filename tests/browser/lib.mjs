// Browser-test helpers: playwright-core driving Debian's chromium against the
// real server (started by tests/api/lib.mjs), plus axe-core for accessibility.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

export { startServer } from '../api/lib.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const CHROMIUM = process.env.HAVEN_CHROMIUM || '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

// Opens `url` in a new page of `context` while recording everything that
// happens: every request, failed requests, HTTP errors on sub-resources,
// console errors and uncaught page errors. Returns { page, response, log }.
export async function openPage(context, url, { expectStatus = 200 } = {}) {
  const page = await context.newPage();
  const log = { requests: [], responses: [], failed: [], console: [], pageErrors: [] };
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('response', (r) => log.responses.push({ url: r.url(), status: r.status() }));
  page.on('requestfailed', (r) => log.failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('pageerror', (e) => log.pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium reports a document's own non-2xx status as a console error;
    // that is expected for error pages and checked via the response instead.
    const loc = m.location()?.url;
    if (expectStatus >= 400 && loc === url && /status of \d{3}/.test(m.text())) return;
    log.console.push(`${m.text()} (${loc || '?'})`);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  // Let fonts and any deferred work settle so late errors are caught.
  await page.evaluate(() => document.fonts && document.fonts.ready).catch(() => {});
  return { page, response, log };
}

// Everything that went wrong while loading, as readable lines ([] = clean).
export function problems(log, origin, pageUrl) {
  const out = [];
  const host = new URL(origin).host;
  for (const u of log.requests) {
    const parsed = new URL(u);
    if (parsed.protocol === 'data:') continue;
    if (parsed.host !== host) out.push(`third-party request: ${u}`);
  }
  for (const f of log.failed) out.push(`failed request: ${f}`);
  for (const r of log.responses) {
    if (r.url === pageUrl) continue; // the document's status is checked separately
    if (r.status !== 200 && r.status !== 304) out.push(`HTTP ${r.status}: ${r.url}`);
  }
  for (const c of log.console) out.push(`console error: ${c}`);
  for (const e of log.pageErrors) out.push(`page error: ${e}`);
  return out;
}

// Runs axe-core in the page (evaluated through DevTools, so the page's
// Content-Security-Policy stays in force) and returns the violations.
export async function axeViolations(page, tags = WCAG_TAGS) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(
    (values) => window.axe.run(document, { runOnly: { type: 'tag', values }, resultTypes: ['violations'] }),
    tags,
  );
  return result.violations;
}

export function formatViolations(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.map((n) => `    ${n.target.join(' ')}\n      ${n.failureSummary.replace(/\n/g, '\n      ')}`);
    return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes.join('\n')}`;
  }).join('\n');
}

// Records what happens on an open `page` from now on, across navigations and
// form submissions: every request (with whether it is a page navigation),
// failed requests, console errors and uncaught page errors.
export function watchPage(page) {
  const log = { requests: [], responses: [], failed: [], console: [], pageErrors: [] };
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('response', (r) => log.responses.push({
    url: r.url(), status: r.status(), document: r.request().isNavigationRequest(),
  }));
  page.on('requestfailed', (r) => log.failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('pageerror', (e) => log.pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') log.console.push({ text: m.text(), url: m.location()?.url || '' });
  });
  return log;
}

// What went wrong in a watchPage log, as readable lines ([] = clean). Page
// navigations may answer with any status (401 for a wrong password, 422 for a
// refused upload: the tests check those); Chromium's console error about such a
// document status is expected too. Everything else must be same-origin and OK.
export function flowProblems(log, origin) {
  const out = [];
  const host = new URL(origin).host;
  const documents = new Set(log.responses.filter((r) => r.document).map((r) => r.url));
  for (const u of log.requests) {
    const parsed = new URL(u);
    if (parsed.protocol === 'data:') continue;
    if (parsed.host !== host) out.push(`third-party request: ${u}`);
  }
  for (const f of log.failed) out.push(`failed request: ${f}`);
  for (const r of log.responses) {
    if (r.document) continue;
    if (r.status !== 200 && r.status !== 304) out.push(`HTTP ${r.status}: ${r.url}`);
  }
  for (const c of log.console) {
    if (documents.has(c.url) && /status of \d{3}/.test(c.text)) continue;
    out.push(`console error: ${c.text} (${c.url || '?'})`);
  }
  for (const e of log.pageErrors) out.push(`page error: ${e}`);
  return out;
}

// Submits a form by clicking `locator` (its submit button) and waits until
// the page it leads to has loaded; resolves with that page's final response
// (after any redirects).
export async function submitForm(page, locator) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    locator.click(),
  ]);
  return response;
}

// The steps every flow test takes, bound to its server and demo logins:
// go(page, path, status) loads a page and checks its status; signIn(page,
// who) signs in as one of the demo logins through the form; assertAxe(page,
// what) fails with the violations axe-core finds.
export function flowSteps(srv, logins) {
  async function go(page, path, status = 200) {
    const response = await page.goto(srv.url + path, { waitUntil: 'load' });
    assert.equal(response.status(), status, `GET ${path}`);
  }
  async function signIn(page, who) {
    await go(page, '/signin');
    await page.getByLabel('Work email').fill(logins[who].email);
    await page.getByLabel('Password', { exact: true }).fill(logins[who].password);
    await submitForm(page, page.getByRole('button', { name: 'Sign in', exact: true }));
  }
  async function assertAxe(page, what) {
    const v = await axeViolations(page);
    assert.deepEqual(v, [], `${what}:\n${formatViolations(v)}`);
  }
  return { go, signIn, assertAxe };
}
