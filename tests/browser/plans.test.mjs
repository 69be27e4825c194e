// Browser tests of the preparedness plans in Chromium, through the real
// forms (no JavaScript needed): MOIA issues ED 17 to every department; a
// liaison answers every requirement of their department's ED 17 plan,
// attaches evidence and submits it; a MOIA reviewer asks for changes on one requirement; the liaison revises and
// resubmits; the reviewer compares the two versions and accepts. axe-core
// (WCAG 2.1 A/AA) on every page of the way, on a desktop and a phone.
//
// Run: HAVEN_BIN=build/haven node --test --test-concurrency=1 tests/browser/plans.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoLogins, signIn as apiSignIn, api } from '../api/lib.mjs';
import {
  DESKTOP, PHONE, axeViolations, flowProblems, formatViolations, launchBrowser, startServer,
  submitForm, watchPage,
} from './lib.mjs';

let srv;
let browser;
let logins;
let ed17;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launchBrowser()]);
  logins = demoLogins(srv.dir);
  const moia = await apiSignIn(srv, logins.moia.email, logins.moia.password);
  const dirs = await (await api(srv, moia, 'GET', '/api/v1/directives')).json();
  ed17 = dirs.items.find((d) => d.number === 'ED 17');
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

async function assertAxe(page, what) {
  const v = await axeViolations(page);
  assert.deepEqual(v, [], `${what}:\n${formatViolations(v)}`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const vw = page.viewportSize().width;
  assert.ok(width <= vw, `${what}: page is ${width}px wide on a ${vw}px screen`);
}

const main = (page) => page.locator('main#main-content');

// Opens a requirement's answer form and saves it.
async function answer(page, title, status, { note, reason } = {}) {
  const section = page.locator('section.hv-requirement', { has: page.getByRole('heading', { name: title, exact: true }) });
  await section.locator('summary').click();
  await section.getByLabel('Status').selectOption(status);
  if (note !== undefined) await section.getByLabel('How the department meets it').fill(note);
  if (reason !== undefined) await section.getByLabel('If it does not apply: why').fill(reason);
  return submitForm(page, section.getByRole('button', { name: 'Save answer' }));
}

test('MOIA issues ED 17 to every department through the form, with axe', async () => {
  const context = await browser.newContext({ viewport: PHONE });
  try {
    const page = await context.newPage();
    const log = watchPage(page);
    await signIn(page, 'moia');
    await go(page, '/plans');
    await assertAxe(page, 'plans list with the issue form');
    // a day in the future is refused beside the field
    await page.getByLabel('ED 17 issued on').fill('2199-01-01');
    let res = await submitForm(page, page.getByRole('button', { name: 'Issue ED 17 to every department' }));
    assert.equal(res.status(), 422);
    assert.match(await main(page).getByRole('alert').innerText(), /not in the future/);
    await assertAxe(page, 'plans list with an error');
    await page.getByLabel('ED 17 issued on').fill('');
    res = await submitForm(page, page.getByRole('button', { name: 'Issue ED 17 to every department' }));
    assert.equal(res.status(), 200);
    assert.match(await page.getByRole('status').innerText(), /every department has its plan/);
    assert.equal(await page.getByRole('button', { name: 'Issue ED 17 to every department' }).count(), 0);
    assert.ok(await page.getByRole('link', { name: 'Board of ED 17 plans' }).isVisible());
    const p = flowProblems(log, srv.url);
    assert.deepEqual(p, [], `problems:\n  ${p.join('\n  ')}`);
  } finally {
    await context.close();
  }
});

for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`a liaison submits the plan and a reviewer decides, on a ${name}, with axe`, async () => {
    const liaison = name === 'desktop' ? 'liaison' : 'liaison2';
    const dept = name === 'desktop' ? 'Public Library' : 'Recreation and Parks';
    const lctx = await browser.newContext({ viewport });
    const mctx = await browser.newContext({ viewport });
    try {
      const page = await lctx.newPage();
      const log = watchPage(page);
      await signIn(page, liaison);
      await go(page, '/plans');
      assert.equal((await page.locator('h1').innerText()).trim(), 'Preparedness plans');
      await assertAxe(page, 'plans list (liaison)');
      // only their own department's plans are listed
      const rows = await page.locator('table tbody tr th').allInnerTexts();
      assert.ok(rows.length >= 2 && rows.every((r) => r.trim() === dept), rows.join(', '));
      const link = page.locator('table tbody tr', { hasText: 'ED 17' }).getByRole('link');
      await Promise.all([page.waitForURL(/\/plans\/\d+$/), link.click()]);
      const planUrl = new URL(page.url()).pathname;
      assert.equal((await page.locator('h1').innerText()).trim(), `${dept}: ED 17 preparedness plan`);
      await assertAxe(page, 'plan page (liaison)');

      // submitting with requirements still to do is refused beside the form
      let res = await submitForm(page, page.getByRole('button', { name: 'Submit the plan to MOIA' }));
      assert.equal(res.status(), 422);
      assert.match(await main(page).getByRole('alert').innerText(), /Every requirement needs an answer/);
      await assertAxe(page, 'plan page with an error');

      // not applicable without a reason is refused by field
      res = await answer(page, 'Prevention in place at at-risk facilities', 'not_applicable');
      assert.equal(res.status(), 422);
      assert.match(await main(page).getByRole('alert').innerText(), /Say why this requirement does not apply/);

      res = await answer(page, 'Facilities at risk of being used as staging areas identified', 'done', { note: 'Two yards and one parking lot.' });
      assert.equal(res.status(), 200);
      assert.match(await page.getByRole('status').innerText(), /The answer was saved/);
      await answer(page, 'Prevention in place at at-risk facilities', 'in_progress', { note: 'Locks ordered.' });
      await answer(page, 'Escalation contacts named', 'done', { note: 'Posted at every desk.' });
      assert.match(await page.locator('#plan-status').innerText(), /In progress/);

      // evidence through the upload form
      const staging = page.locator('section.hv-requirement', { has: page.getByRole('heading', { name: 'Facilities at risk of being used as staging areas identified', exact: true }) });
      await staging.locator('summary').click();
      await staging.locator('input[type=file]').setInputFiles({ name: 'sites.pdf', mimeType: 'application/pdf', buffer: PDF });
      await staging.getByLabel('Effective from').fill('2026-02-20');
      res = await submitForm(page, staging.getByRole('button', { name: 'Attach evidence' }));
      assert.equal(res.status(), 200);
      assert.match(await page.getByRole('status').innerText(), /The evidence file was attached/);
      assert.match(await staging.innerText(), /Item 1, version 1: sites\.pdf \(effective 2026-02-20; SHA-256 [0-9a-f]{12}…\)/);

      res = await submitForm(page, page.getByRole('button', { name: 'Submit the plan to MOIA' }));
      assert.equal(res.status(), 200);
      assert.match(await page.getByRole('status').innerText(), /submitted to MOIA/);
      assert.match(await page.locator('#plan-status').innerText(), /Submitted, awaiting review/);
      assert.equal(await page.getByRole('button', { name: 'Save answer' }).count(), 0, 'no editing once submitted');
      await assertAxe(page, 'plan page after submission');

      // MOIA asks for changes on one requirement
      const mpage = await mctx.newPage();
      const mlog = watchPage(mpage);
      await signIn(mpage, 'moia');
      await go(mpage, `/plans/board/${ed17.id}?sort=status&order=desc`);
      assert.equal((await mpage.locator('h1').innerText()).trim(), 'ED 17 plans board');
      // the department's row carries its training and contractor figures
      const row = await mpage.getByRole('row').filter({ hasText: dept }).first().innerText();
      assert.match(row, /\d+% \(\d+ of \d+\)/, `training reached in: ${row}`);
      assert.match(row, /\d+ of \d+ valid/, `contractor coverage in: ${row}`);
      assert.match(await main(mpage).innerText(), /Training reached: employees covered/);
      await assertAxe(mpage, 'board');
      await go(mpage, planUrl);
      await assertAxe(mpage, 'plan page with the review form');
      await mpage.locator('label[for="decision-changes"]').click();
      await mpage.getByLabel('Changes needed to “Prevention in place at at-risk facilities” (leave empty if none)').fill('Say when the locks will be fitted.');
      res = await submitForm(mpage, mpage.getByRole('button', { name: 'Record the decision' }));
      assert.equal(res.status(), 200);
      assert.match(await mpage.getByRole('status').innerText(), /Changes were requested/);
      assert.match(await mpage.locator('#plan-status').innerText(), /Changes requested/);

      // the liaison sees the comment beside the requirement, revises, resubmits
      await go(page, planUrl);
      const prevention = page.locator('section.hv-requirement', { has: page.getByRole('heading', { name: 'Prevention in place at at-risk facilities', exact: true }) });
      assert.match(await prevention.innerText(), /Reviewer asks: Say when the locks will be fitted\./);
      await assertAxe(page, 'plan page with the reviewer\'s comments');
      await answer(page, 'Prevention in place at at-risk facilities', 'done', { note: 'Locks fitted on 3 March.' });
      res = await submitForm(page, page.getByRole('button', { name: 'Submit the plan to MOIA' }));
      assert.equal(res.status(), 200);

      // the reviewer compares the versions and accepts
      await go(mpage, planUrl);
      await Promise.all([mpage.waitForURL(/compare\?from=1&to=2/), mpage.getByRole('link', { name: /Compare with version 2/ }).click()]);
      const cmp = mpage.getByRole('table', { name: 'Changes to “Prevention in place at at-risk facilities”' });
      const cells = await cmp.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
      assert.deepEqual(cells, [['Status', 'In progress', 'Done'], ['How it is met', 'Locks ordered.', 'Locks fitted on 3 March.']]);
      assert.match(await main(mpage).innerText(), /1 requirement\(s\) changed/);
      await assertAxe(mpage, 'compare page');
      await go(mpage, planUrl);
      await mpage.locator('label[for="decision-accept"]').click();
      res = await submitForm(mpage, mpage.getByRole('button', { name: 'Record the decision' }));
      assert.equal(res.status(), 200);
      assert.match(await mpage.locator('#plan-status').innerText(), /Accepted/);
      await assertAxe(mpage, 'accepted plan');

      for (const l of [log, mlog]) {
        const p = flowProblems(l, srv.url);
        assert.deepEqual(p, [], `problems:\n  ${p.join('\n  ')}`);
      }
    } finally {
      await lctx.close();
      await mctx.close();
    }
  });
}
