// Browser test of the contractors' pages in Chromium: a Library liaison
// records a signed attestation for a contract that had none (the file chosen
// in the form, no JavaScript needed), records that the ordinance notice was
// acknowledged, and sees the coverage page change; a refused form shows its
// message beside the fields; axe-core (WCAG 2.1 A/AA) on every page on a
// desktop and a phone.
//
// Run: HAVEN_BIN=build/haven node --test --test-concurrency=1 tests/browser/contractors.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoLogins } from '../api/lib.mjs';
import {
  DESKTOP, PHONE, axeViolations, flowProblems, formatViolations, launchBrowser, startServer,
  submitForm, watchPage,
} from './lib.mjs';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n'
  + 'trailer\n<< /Root 1 0 R >>\n%%EOF\n');

let srv;
let browser;
let logins;

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launchBrowser()]);
  logins = demoLogins(srv.dir);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  srv?.cleanup();
});

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

let axeOn = true;
async function assertAxe(page, what) {
  if (!axeOn) return;
  const v = await axeViolations(page);
  assert.deepEqual(v, [], `${what}:\n${formatViolations(v)}`);
}

const plus = (day, n) => { const d = new Date(`${day}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + n); return d.toISOString().slice(0, 10); };
const cell = async (page, dept, col) => {
  const row = page.locator('table tbody tr', { has: page.locator('th', { hasText: dept }) }).first();
  return Number((await row.locator('td').nth(col).innerText()).trim());
};

// Each run takes its own Library contract: one with no attestation, one whose attestation expires soon.
// axe needs JavaScript: the run without it checks the flow only.
for (const [name, viewport, js, number, state] of [['desktop', DESKTOP, true, 'C-LAPL-2026-004', 'missing'],
  ['phone', PHONE, true, 'C-LAPL-2025-002', 'expiring'], ['desktop without JavaScript', DESKTOP, false, 'C-LAPL-2025-001', 'valid']]) {
  test(`a liaison records an attestation and a notice, and coverage follows (${name})`, async () => {
    const context = await browser.newContext({ viewport, javaScriptEnabled: js, isMobile: viewport === PHONE, hasTouch: viewport === PHONE });
    axeOn = js;
    try {
      const page = await context.newPage();
      const log = watchPage(page);
      await signIn(page, 'liaison');
      await go(page, '/contracts/coverage');
      assert.equal((await page.locator('h1').innerText()).trim(), 'Contractor coverage');
      await assertAxe(page, 'coverage page');
      const missingBefore = await cell(page, 'Public Library', 3);
      const validBefore = await cell(page, 'Public Library', 1);
      const today = (await page.locator('main p').first().innerText()).match(/On (\d{4}-\d{2}-\d{2})/)[1];

      await go(page, `/contracts?state=${state}`);
      assert.equal((await page.locator('h1').innerText()).trim(), 'Contracts');
      await assertAxe(page, 'contract list, filtered');
      await submitForm(page, page.getByRole('link', { name: number }));
      assert.equal((await page.locator('h1').innerText()).trim(), `Contract ${number}`);
      await assertAxe(page, 'contract page');

      // a refused form keeps the reader on the page with the message beside the field
      await page.locator('#file').setInputFiles({ name: 'signed.pdf', mimeType: 'application/pdf', buffer: PDF });
      await page.getByLabel('Signed on').fill(today);
      await page.getByLabel('Expires on').fill(plus(today, -1));
      await submitForm(page, page.getByRole('button', { name: 'Record attestation' }));
      assert.match(await page.getByRole('alert').innerText(), /must expire after the day it was signed/);
      await assertAxe(page, 'contract page with an error');

      await page.locator('#file').setInputFiles({ name: 'signed.pdf', mimeType: 'application/pdf', buffer: PDF });
      await page.getByLabel('Signed on').fill(today);
      await page.getByLabel('Expires on').fill(plus(today, 365));
      await submitForm(page, page.getByRole('button', { name: 'Record attestation' }));
      assert.match(await page.getByRole('status').innerText(), /signed attestation was recorded/);
      assert.match(await page.locator('main').innerText(), /Valid attestation/);
      await assertAxe(page, 'contract page after the attestation');

      await page.locator('#sent_on').fill(plus(today, -2));
      await page.getByLabel('How it was sent').selectOption('letter');
      await page.locator('#acknowledged_on').fill(plus(today, -1));
      await page.locator('#acknowledged_by_role').fill('Service manager');
      await submitForm(page, page.getByRole('button', { name: 'Record notice' }));
      assert.match(await page.getByRole('status').innerText(), /notice was recorded/);
      assert.match(await page.locator('#main-content').innerText(), /acknowledged on .* by the Service manager/);

      await go(page, '/contracts/coverage');
      // the contract moved from missing (or expiring) to valid
      if (state === 'missing') {
        assert.equal(await cell(page, 'Public Library', 3), missingBefore - 1);
        assert.equal(await cell(page, 'Public Library', 1), validBefore + 1);
      }
      assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(number), 'no longer a gap');
      await assertAxe(page, 'coverage page after');
      await go(page, '/contracts/import');
      await assertAxe(page, 'import page');
      const p = flowProblems(log, srv.url);
      assert.deepEqual(p, [], `problems:\n  ${p.join('\n  ')}`);
    } finally {
      await context.close();
    }
  });
}
