// Browser test of the FOIA tracker's pages in Chromium: the board with the
// directive's request to ICE, a request page with its deadlines and the
// "how it was computed" block opened, an event added through the form
// without JavaScript, a document received added through the form with an
// exemption row (the release summary then shown), the printable full record
// (no script, print media without the screen bar), and axe-core (WCAG 2.1
// A/AA) on a desktop and a phone on each.
//
// Run: HAVEN_BIN=build/haven node --test --test-concurrency=1 tests/browser/foia.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoLogins } from '../api/lib.mjs';
import {
  DESKTOP, PHONE, axeViolations, flowProblems, formatViolations, launchBrowser, startServer,
  submitForm, watchPage, flowSteps,
} from './lib.mjs';

let srv;
let browser;
let logins;
let go, signIn, assertAxe;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launchBrowser()]);
  logins = demoLogins(srv.dir);
  ({ go, signIn, assertAxe } = flowSteps(srv, logins));
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  srv?.cleanup();
});

for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`the board and a request page on a ${name}, with axe`, async () => {
    const context = await browser.newContext({ viewport });
    try {
      const page = await context.newPage();
      const log = watchPage(page);
      await signIn(page, 'moia');
      await go(page, '/foia');
      assert.equal((await page.locator('h1').innerText()).trim(), 'FOIA requests');
      await assertAxe(page, 'board');
      await page.getByRole('link', { name: /Immigration enforcement activity in Los Angeles/ }).click();
      await page.waitForLoadState('load');
      assert.match(await page.locator('main').innerText(), /2025-ICFO-41872/);
      await page.locator('details.hv-how summary').first().click();
      assert.match(await page.locator('details.hv-how').first().innerText(), /Saturdays and Sundays passed over/);
      await assertAxe(page, 'request page, explanation open');
      // an event through the form
      await page.getByLabel('What happened').selectOption('interim_release');
      await page.getByLabel('Date', { exact: true }).fill('2025-09-02');
      await page.getByLabel('Note (optional)').fill(`First pages (${name})`);
      await submitForm(page, page.getByRole('button', { name: 'Add event' }));
      assert.match(await page.getByRole('status').innerText(), /The event was added/);
      assert.match(await page.locator('main').innerText(), new RegExp(`First pages \\(${name}\\)`));
      await assertAxe(page, 'request page after an event');
      // a document received, through the form (no JavaScript needed)
      await page.locator('#doc_file').setInputFiles({ name: 'letter.pdf', mimeType: 'application/pdf', buffer: PDF });
      await page.getByLabel('Received on').fill('2025-09-03');
      await page.getByLabel('Pages received').fill('20');
      await page.getByLabel('Came with (optional)').selectOption({ label: 'Interim release, 2025-09-02' });
      await page.getByLabel('Exemption, row 1').selectOption('(b)(7)(E)');
      await page.getByLabel('Pages withheld in full, row 1').fill('4');
      await page.getByLabel('Pages withheld in part, row 1').fill('6');
      await submitForm(page, page.getByRole('button', { name: 'Add document' }));
      assert.match(await page.getByRole('status').innerText(), /The document was added/);
      const summary = await page.locator('main').innerText();
      assert.match(summary, /Released in full\s+\d+/);
      assert.match(summary, /\(b\)\(7\)\(E\)/);
      await assertAxe(page, 'request page with a document and the release summary');
      // a mistake comes back beside the form, with axe
      await page.locator('#doc_file').setInputFiles({ name: 'letter.pdf', mimeType: 'application/pdf', buffer: PDF });
      await page.getByLabel('Received on').fill('2025-09-03');
      await page.getByLabel('Pages received').fill('2');
      await page.getByLabel('Exemption, row 2').selectOption('(b)(6)');
      await page.getByLabel('Pages withheld in full, row 2').fill('3');
      assert.equal((await submitForm(page, page.getByRole('button', { name: 'Add document' }))).status(), 422);
      assert.match(await page.getByRole('alert').innerText(), /more than the document's 2/);
      await assertAxe(page, 'request page with a document error');
      // the printable record
      await page.getByRole('link', { name: /The full record, for the City Attorney/ }).click();
      await page.waitForLoadState('load');
      assert.match(await page.locator('h1').innerText(), /Immigration enforcement activity in Los Angeles/);
      assert.match(await page.locator('main').innerText(), /foia\.document\.add/);
      assert.equal(await page.locator('script').count(), 0, 'no script on the record page');
      await assertAxe(page, 'record page');
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('.hv-print-bar').isVisible(), false, 'the screen-only bar is not printed');
      await page.emulateMedia({ media: 'screen' });
      await go(page, '/foia/new');
      await assertAxe(page, 'new request form');
      const p = flowProblems(log, srv.url);
      assert.deepEqual(p, [], `problems:\n  ${p.join('\n  ')}`);
    } finally {
      await context.close();
    }
  });
}
