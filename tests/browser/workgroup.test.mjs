// Browser test of the working group's pages in Chromium: the overview, a
// consultation with feedback added through the form (its phone number
// replaced before saving), a recommendation moved through the status form
// (a decline without a reason refused beside its field), a guideline
// document with its versions, and the public /consultations page in English
// and Spanish without signing in, all with axe-core (WCAG 2.1 A/AA) on a
// desktop and a phone, and the public page with JavaScript off.
//
// Run: HAVEN_BIN=build/haven node --test --test-concurrency=1 tests/browser/workgroup.test.mjs
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

async function noOverflow(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(wide, false, `${what}: nothing wider than the screen`);
}

for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`the staff pages on a ${name}, with axe`, async () => {
    const context = await browser.newContext({ viewport });
    try {
      const page = await context.newPage();
      const log = watchPage(page);
      await signIn(page, 'workgroup');
      await go(page, '/workgroup');
      assert.equal((await page.locator('h1').innerText()).trim(), 'Working group and consultations');
      await assertAxe(page, 'overview');

      // a consultation: feedback through the form, redacted
      await page.getByRole('link', { name: 'Koreatown community consultation' }).click();
      await page.waitForLoadState('load');
      await assertAxe(page, 'session page');
      await page.getByLabel('Topic').fill(`Phone tree (${name})`);
      await page.getByLabel('What was said').fill('Residents asked for a phone tree; one gave 213-555-0177.');
      await page.getByLabel('Source (optional)').fill('Resident at the session');
      await submitForm(page, page.getByRole('button', { name: 'Add feedback' }));
      assert.match(await page.getByRole('status').innerText(), /1 personal identifier/);
      const main = await page.locator('main').innerText();
      assert.match(main, new RegExp(`Phone tree \\(${name}\\)`));
      assert.match(main, /one gave \[PHONE\]/);
      assert.doesNotMatch(main, /555-0177/);
      await assertAxe(page, 'session page after feedback');

      // a recommendation: decline refused without a reason, then moved
      await go(page, '/workgroup');
      await page.getByRole('link', { name: 'A hotline answered by LAPD for reports of federal activity' }).click();
      await page.waitForLoadState('load');
      if (name === 'desktop') {
        await page.getByLabel('New status').selectOption('declined');
        await submitForm(page, page.getByRole('button', { name: 'Change status' }));
        assert.match(await page.getByRole('alert').innerText(), /Say why the recommendation is declined/);
        await assertAxe(page, 'recommendation with a refusal');
        await page.getByLabel('New status').selectOption('under_review');
        await submitForm(page, page.getByRole('button', { name: 'Change status' }));
        assert.match(await page.locator('main').innerText(), /Under review since/);
      }
      await assertAxe(page, 'recommendation page');

      // the guideline with its two versions
      await go(page, '/workgroup');
      await page.getByRole('link', { name: /LAPD response guidelines/ }).click();
      await page.waitForLoadState('load');
      assert.match(await page.locator('main').innerText(), /Version 2 \(current\)/);
      assert.equal(await page.locator('section.hv-version').count(), 2);
      await assertAxe(page, 'guideline page');
      await noOverflow(page, 'guideline page');

      for (const path of ['/workgroup/members', '/workgroup/sessions/new', '/workgroup/recommendations/new', '/workgroup/guidelines/new']) {
        await go(page, path);
        await assertAxe(page, path);
        await noOverflow(page, path);
      }
      const p = flowProblems(log, srv.url);
      assert.deepEqual(p, [], `problems:\n  ${p.join('\n  ')}`);
    } finally {
      await context.close();
    }
  });

  test(`the public consultations page on a ${name}, with axe`, async () => {
    const context = await browser.newContext({ viewport, isMobile: name === 'phone', hasTouch: name === 'phone' });
    try {
      const page = await context.newPage();
      const log = watchPage(page);
      await go(page, '/consultations');
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      assert.equal(await page.locator('html').getAttribute('dir'), 'ltr');
      assert.equal((await page.locator('h1').innerText()).trim(), 'Community consultations');
      const main = await page.locator('main').innerText();
      assert.match(main, /Upcoming consultations[\s\S]*Westlake community consultation/);
      assert.match(main, /Consultations held[\s\S]*Boyle Heights community consultation/);
      assert.match(main, /Recommendations and their status[\s\S]*Declined/);
      assert.doesNotMatch(main, /\(demo\)/, 'no member names');
      await assertAxe(page, 'public page');
      await noOverflow(page, 'public page');
      await page.getByRole('link', { name: 'Español' }).click();
      await page.waitForLoadState('load');
      assert.equal(await page.locator('html').getAttribute('lang'), 'es');
      assert.equal((await page.locator('h1').innerText()).trim(), 'Consultas comunitarias');
      assert.match(await page.locator('main').innerText(), /Próximas consultas/);
      await assertAxe(page, 'public page in Spanish');
      await noOverflow(page, 'public page in Spanish');
      const p = flowProblems(log, srv.url);
      assert.deepEqual(p, [], `problems:\n  ${p.join('\n  ')}`);
    } finally {
      await context.close();
    }
  });
}

test('the public page works without JavaScript', async () => {
  const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await go(page, '/consultations/es');
    assert.match(await page.locator('main').innerText(), /Consultas realizadas[\s\S]*Boyle Heights/);
  } finally {
    await context.close();
  }
});
