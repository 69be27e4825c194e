// Browser test of the training pages in Chromium, on the demo city's sample
// training: a liaison uploads a completions file with a bad row through the
// import form (no JavaScript needed) and sees it refused with the row and
// column named; a good file is imported; the coverage pages by department
// and unit, the overdue list, the courses, and the department protocol with
// its acknowledgement, each checked with axe-core (WCAG 2.1 A/AA) on a
// desktop and a phone.
//
// Run: HAVEN_BIN=build/haven node --test --test-concurrency=1 tests/browser/training.test.mjs
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

const today = new Date(Date.now() - 86400000).toISOString().slice(0, 10); // yesterday: before today anywhere

for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`import with a bad row, coverage, overdue and a protocol on a ${name}, with axe`, async () => {
    const context = await browser.newContext({ viewport });
    try {
      const page = await context.newPage();
      const log = watchPage(page);
      await signIn(page, 'liaison');
      await page.getByRole('link', { name: 'Training', exact: true }).click();
      await page.waitForLoadState('load');
      assert.equal((await page.locator('h1').innerText()).trim(), 'Training coverage');
      assert.match(await page.locator('main').innerText(), /Public Library/);
      await assertAxe(page, 'coverage of the departments');

      await go(page, '/training/import');
      await assertAxe(page, 'import form');
      await page.locator('#file-completions').setInputFiles({
        name: 'completions.csv', mimeType: 'text/csv',
        buffer: Buffer.from(`employee_number,course,completed_on\nD00001,ED12,${today}\nD00002,ED12,31/12/2025\n`),
      });
      await submitForm(page, page.getByRole('button', { name: 'Check and import completions' }));
      assert.match(await page.getByRole('alert').innerText(), /refused and nothing was saved/);
      const row = page.locator('table.hv-import-errors tbody tr').first();
      assert.deepEqual(await row.locator('td').allInnerTexts(), ['3', 'completed_on', 'Write the date as YYYY-MM-DD (a real date from 1970 on).']);
      await assertAxe(page, 'import refused, problems listed');
      await page.locator('#file-completions').setInputFiles({
        name: 'completions.csv', mimeType: 'text/csv',
        buffer: Buffer.from(`employee_number,course,completed_on\nD00001,ED12,${today}\n`),
      });
      await submitForm(page, page.getByRole('button', { name: 'Check and import completions' }));
      assert.match(await page.getByRole('status').innerText(), /1 rows: [01] added/);

      await go(page, '/training/departments/LAPL');
      assert.equal((await page.locator('h1').innerText()).trim(), 'Training coverage: Public Library');
      assert.match(await page.locator('table.hv-coverage-units').innerText(), /Central Library/);
      await assertAxe(page, 'coverage by unit');
      await page.getByRole('link', { name: 'Who is overdue' }).click();
      await page.waitForLoadState('load');
      assert.match(await page.getByRole('status').innerText(), /overdue/);
      await assertAxe(page, 'overdue list');
      await go(page, '/training/courses');
      await assertAxe(page, 'courses');

      await go(page, '/protocols');
      await page.getByRole('link', { name: 'Library branches: when federal agents arrive' }).click();
      await page.waitForLoadState('load');
      await assertAxe(page, 'a department protocol');
      const ack = page.getByRole('button', { name: /I have read version 1/ });
      if (await ack.count()) {
        await submitForm(page, ack);
        assert.match(await page.locator('main').innerText(), /You acknowledged version 1/);
      }
      const p = flowProblems(log, srv.url);
      assert.deepEqual(p, [], `problems:\n  ${p.join('\n  ')}`);
    } finally {
      await context.close();
    }
  });
}
