// Browser tests for incident reports, driven through the real pages in
// Chromium: a quick alert from a phone without JavaScript and from the
// keyboard alone; the liaison completing the full report (validation beside
// each field, the narrative scanner's preview); submission, review, a request
// for information, resubmission and verification; the history with its
// field-by-field comparison; two people editing at once; and what an auditor
// may (not) do. Every page state, error states included, is checked with
// axe-core at WCAG 2.1 A/AA and for console errors and other origins.
//
// The tests in "from quick alert to verified report" build on each other (one
// report goes through its whole life); the others stand alone.
//
// Run: HAVEN_BIN=build/haven node --test --test-concurrency=1 tests/browser/incidents.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoLogins } from '../api/lib.mjs';
import {
  DESKTOP, axeViolations, flowProblems, formatViolations, launchBrowser, startServer, submitForm, watchPage,
} from './lib.mjs';

const SMALL_PHONE = { width: 360, height: 640 };
const REF = /INC-\d{4}-\d{6}/;
// A step that does not happen fails in this time, not after Playwright's 30 s.
const STEP_TIMEOUT = 10000;

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

// Signed-in browser state per role, made once through the sign-in form.
const states = new Map();
async function signedInState(role) {
  if (!states.has(role)) {
    const context = await browser.newContext({ viewport: DESKTOP });
    try {
      const page = await context.newPage();
      await page.goto(`${srv.url}/signin`);
      await page.getByLabel('Work email').fill(logins[role].email);
      await page.getByLabel('Password', { exact: true }).fill(logins[role].password);
      const res = await submitForm(page, page.getByRole('button', { name: 'Sign in', exact: true }));
      assert.equal(res.status(), 200, `${role} signs in`);
      states.set(role, await context.storageState());
    } finally {
      await context.close();
    }
  }
  return states.get(role);
}

// A fresh context signed in as `role` with one watched page; the page's log
// is checked for problems when fn returns.
async function asRole(role, options, fn) {
  const context = await browser.newContext({ viewport: DESKTOP, storageState: await signedInState(role), ...options });
  context.setDefaultTimeout(STEP_TIMEOUT);
  if (options.javaScriptEnabled === false) noScript.add(context);
  try {
    const page = await context.newPage();
    const log = watchPage(page);
    const result = await fn(page, context);
    const p = flowProblems(log, srv.url);
    assert.deepEqual(p, [], `problems:\n  ${p.join('\n  ')}`);
    return result;
  } finally {
    await context.close();
  }
}

async function go(page, path, status = 200) {
  const response = await page.goto(srv.url + path, { waitUntil: 'load' });
  assert.equal(response.status(), status, `GET ${path}`);
  return response;
}

const main = (page) => page.locator('main#main-content');
const h1 = async (page) => (await page.locator('h1').innerText()).trim();

// Contexts with JavaScript turned off. axe-core cannot run there (its
// promises never settle), so checkPage runs it on a copy of the page.
const noScript = new WeakSet();

// axe-core on a copy of a page whose context has no JavaScript: the same
// HTML served at the same address in a context of the same size, with the
// page's own scripts blocked so it looks as it did without JavaScript.
async function axeOnCopy(page) {
  const html = await page.content();
  const url = page.url();
  const context = await browser.newContext({ viewport: page.viewportSize(), isMobile: true, hasTouch: true });
  context.setDefaultTimeout(STEP_TIMEOUT);
  try {
    await context.route('**/*', (route) => {
      const req = route.request();
      if (req.url() === url && req.isNavigationRequest()) {
        return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      }
      if (req.resourceType() === 'script') return route.abort();
      return route.continue();
    });
    const copy = await context.newPage();
    await copy.goto(url, { waitUntil: 'load' });
    return await axeViolations(copy);
  } finally {
    await context.close();
  }
}

// axe-core at WCAG 2.1 A/AA on the page as it is now, and nothing wider than
// the screen (WCAG 1.4.10).
async function checkPage(page, what) {
  assert.equal(await page.locator('h1').count(), 1, `${what}: exactly one <h1>`);
  const v = noScript.has(page.context()) ? await axeOnCopy(page) : await axeViolations(page);
  assert.equal(v.length, 0, `axe violations on ${what}:\n${formatViolations(v)}`);
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
  }));
  assert.ok(scroll <= inner, `${what}: page is ${scroll}px wide on a ${inner}px screen`);
}

// The field `id`'s message beside it: the field says it is invalid and points
// at a visible message inside its own form group.
async function assertFieldError(page, id, pattern) {
  const field = page.locator(`#${id}`);
  assert.equal(await field.getAttribute('aria-invalid'), 'true', `#${id} aria-invalid`);
  const described = (await field.getAttribute('aria-describedby') || '').split(/\s+/);
  const errorId = described.find((d) => d.endsWith('-error'));
  assert.ok(errorId, `#${id} aria-describedby (${described.join(' ')}) names an error message`);
  const message = page.locator(`#${errorId}`);
  assert.ok(await message.isVisible(), `#${errorId} visible`);
  assert.match((await message.innerText()).trim(), pattern, `#${id} message`);
  const sameGroup = await page.evaluate(([f, m]) => {
    const group = document.getElementById(f).closest('.usa-form-group');
    return !!group && group.contains(document.getElementById(m));
  }, [id, errorId]);
  assert.ok(sameGroup, `#${errorId} sits in the same form group as #${id}`);
}

// The error summary at the top of a form page: focused on arrival (so a
// screen reader reads it first), and linking to each field named.
async function assertErrorSummary(page, fieldIds) {
  const summary = main(page).locator('.hv-error-summary');
  assert.ok(await summary.isVisible(), 'error summary visible');
  await page.waitForFunction(() => document.activeElement?.classList.contains('hv-error-summary'));
  for (const id of fieldIds) {
    assert.equal(await summary.locator(`a[href="#${id}"]`).count(), 1, `summary links to #${id}`);
  }
  return summary;
}

// A date and time (city time, as the form takes it) `days` days ago.
function pastLocal(days, hhmm) {
  const d = new Date(Date.now() - days * 86400000);
  return `${d.toISOString().slice(0, 10)}T${hhmm}`;
}

async function csrfOf(page) {
  return page.locator('input[name="csrf"]').first().inputValue();
}

// Ticks a USWDS checkbox or radio the way a person does: by its label.
async function tick(page, id) {
  const input = page.locator(`#${id}`);
  if (!(await input.isChecked())) await page.locator(`label[for="${id}"]`).click();
  assert.equal(await input.isChecked(), true, `#${id} checked`);
}

const facts = async (page) => (await main(page).locator('dl.hv-facts').innerText());
// textContent: USWDS shows tags in capitals (CSS), the words are as written.
const statusTag = async (page) => (await main(page).locator('.usa-tag').first().textContent()).trim();

describe('from quick alert to verified report', () => {
  const report = { ref: null, id: null };

  test('quick alert on a 360x640 phone without JavaScript: protocol, an error, then the reference', async () => {
    await asRole('staff', { viewport: SMALL_PHONE, isMobile: true, hasTouch: true, javaScriptEnabled: false }, async (page) => {
      await go(page, '/alert');
      assert.equal(await h1(page), 'Quick alert');
      const protocol = main(page).getByRole('region', { name: 'Employee protocol' });
      assert.ok(await protocol.isVisible(), 'protocol visible');
      assert.match(await protocol.innerText(), /judicial warrant/i);
      assert.match(await protocol.innerText(), /Do not consent/);
      await checkPage(page, '/alert on a small phone without JavaScript');

      // Tap targets: every control of the form is at least 40 CSS pixels
      // each way (USWDS's input height; WCAG 2.5.8 asks for 24). Checkboxes
      // and radios are tapped through their labels (the inputs are moved
      // off screen).
      const small = await page.locator('main form').evaluate((form) => {
        const out = [];
        for (const el of form.querySelectorAll('select, input:not([type=hidden]), textarea, button, label.usa-checkbox__label, label.usa-radio__label')) {
          const r = el.getBoundingClientRect();
          if (r.right <= 0 || r.bottom <= 0) continue; // off screen: the inputs behind the labels
          if (r.height < 40 || r.width < 40) out.push(`${el.tagName}#${el.id || el.htmlFor} ${Math.round(r.width)}x${Math.round(r.height)}`);
        }
        return out;
      });
      assert.deepEqual(small, [], 'tap targets too small');
      const send = await page.getByRole('button', { name: 'Send alert now' }).boundingBox();
      assert.ok(send.width >= 200 && send.height >= 44, `send button ${JSON.stringify(send)}`);

      // Facility chosen but not what is happening: the form comes back with
      // the message beside the field, and the facility kept.
      const facility = page.locator('#facility_id');
      const options = await facility.locator('option').evaluateAll((os) => os.map((o) => ({ value: o.value, text: o.textContent })));
      const first = options.find((o) => o.value);
      assert.match(first.text, /\(LAPL\)$/, 'own department first');
      await facility.selectOption(first.value);
      const refused = await submitForm(page, page.getByRole('button', { name: 'Send alert now' }));
      assert.equal(refused.status(), 400);
      await assertFieldError(page, 'happening', /needed/);
      const summary = main(page).locator('.hv-error-summary');
      assert.equal(await summary.getAttribute('autofocus'), '', 'the summary takes focus on arrival');
      assert.equal(await summary.locator('a[href="#happening"]').innerText(), 'What is happening now');
      assert.equal(await facility.inputValue(), first.value, 'facility kept');
      await checkPage(page, '/alert with an error on a small phone');

      await page.locator('#happening').selectOption('entry_requested');
      await page.locator('label[for="agencies-ice_ero"]').click();
      await page.locator('label[for="entry_requested-yes"]').click();
      const sent = await submitForm(page, page.getByRole('button', { name: 'Send alert now' }));
      assert.equal(sent.status(), 201);
      const status = main(page).getByRole('status');
      const text = await status.innerText();
      assert.match(text, new RegExp(`Alert INC-${new Date().getFullYear()}-\\d{6} sent`));
      report.ref = REF.exec(text)[0];
      // The protocol stays on screen after sending.
      assert.ok(await main(page).getByRole('region', { name: 'Employee protocol' }).isVisible());
      await checkPage(page, '/alert after sending on a small phone');
    });
  });

  test('the liaison finds the draft and gets messages beside each wrong field', async () => {
    assert.ok(report.ref, 'the alert was sent');
    await asRole('liaison', {}, async (page) => {
      await go(page, '/incidents');
      await checkPage(page, '/incidents as the liaison');
      await main(page).getByRole('link', { name: report.ref }).click();
      await page.waitForURL(/\/incidents\/\d+$/);
      report.id = Number(/\/incidents\/(\d+)$/.exec(page.url())[1]);
      assert.equal(await h1(page), report.ref);
      assert.equal(await statusTag(page), 'Draft');
      assert.match(await main(page).innerText(), /Agents ask to enter a non-public area/);
      assert.match(await facts(page), /Agencies present\s+ICE Enforcement and Removal Operations \(ERO\)/);
      await checkPage(page, 'a draft from a quick alert');

      await main(page).getByRole('link', { name: 'Edit report' }).click();
      await page.waitForURL(`**/incidents/${report.id}/edit`);
      assert.equal(await h1(page), 'Edit report');
      // The alert's answers are carried into the form.
      assert.equal(await page.locator('#agencies-ice_ero').isChecked(), true);
      await checkPage(page, 'the edit form');

      await page.locator('#started_at').fill(pastLocal(2, '10:00'));
      await page.locator('#ended_at').fill(pastLocal(2, '09:00'));
      await page.locator('#agents_count').fill('9999');
      await page.locator('#narrative').fill('Agents waited in the lobby.');
      const refused = await submitForm(page, page.getByRole('button', { name: 'Save', exact: true }));
      assert.equal(refused.status(), 400);
      await assertFieldError(page, 'ended_at', /end is before the start/);
      await assertFieldError(page, 'agents_count', /from 0 to 500/);
      assert.equal(await page.locator('#started_at').getAttribute('aria-invalid'), null, 'a good field is not marked');
      const summary = await assertErrorSummary(page, ['ended_at', 'agents_count']);
      assert.match(await summary.innerText(), /When it ended/, 'the summary names fields by their labels');
      // What was typed is kept.
      assert.equal(await page.locator('#agents_count').inputValue(), '9999');
      assert.equal(await page.locator('#narrative').inputValue(), 'Agents waited in the lobby.');
      // The summary's link takes the keyboard to the field.
      await summary.locator('a[href="#agents_count"]').click();
      await page.waitForFunction(() => location.hash === '#agents_count');
      await checkPage(page, 'the edit form with errors');

      // A facility of another department (not offered; a tampered form).
      await page.locator('#ended_at').fill(pastLocal(2, '10:45'));
      await page.locator('#agents_count').fill('4');
      await page.locator('#facility_id').evaluate((sel) => {
        sel.add(new Option('MacArthur Park (RAP)', '7'));
        sel.value = '7';
      });
      const other = await submitForm(page, page.getByRole('button', { name: 'Save', exact: true }));
      assert.equal(other.status(), 422);
      await assertFieldError(page, 'facility_id', /not one of your department's/);
      await assertErrorSummary(page, ['facility_id']);
      assert.equal(await page.locator('#agents_count').inputValue(), '4');
      await checkPage(page, 'the edit form refusing another department\'s facility');
    });
  });

  test('the narrative scanner shows what it found; the saved text has placeholders only', async () => {
    assert.ok(report.id, 'the draft was found');
    const originals = ['A-123-456-789', '123-45-6789', '213-555-0100'];
    const narrative = `Two agents asked staff for a visitor with alien number ${originals[0]} and SSN ${originals[1]}; `
      + `they left the number (213) 555-0100. One agent said the visitor was undocumented. They left after 40 minutes.`;
    await asRole('liaison', {}, async (page) => {
      await go(page, `/incidents/${report.id}/edit`);
      await page.locator('#facility_id').selectOption({ label: 'Central Library (LAPL)' });
      await page.locator('#area').fill('Lobby');
      await page.locator('#started_at').fill(pastLocal(2, '10:00'));
      await page.locator('#ended_at').fill(pastLocal(2, '10:40'));
      await tick(page, 'agencies-ice_ero');
      await page.locator('#agents_count').fill('2');
      await page.locator('#document_type').selectOption('admin_i200');
      await page.locator('#access').selectOption('refused');
      await page.locator('#narrative').fill(narrative);
      const preview = await submitForm(page, page.getByRole('button', { name: 'Save', exact: true }));
      assert.equal(preview.status(), 422, 'shown before saving');
      const shown = await main(page).innerText();
      assert.match(shown, /undocumented/, 'the flagged word is named');
      for (const kind of [/alien number/i, /Social Security number/i, /phone number/i]) assert.match(shown, kind);
      const text = await page.locator('#narrative').inputValue();
      for (const ph of ['[A-NUMBER]', '[SSN]', '[PHONE]']) assert.ok(text.includes(ph), `${ph} in the preview: ${text}`);
      for (const o of originals) assert.ok(!text.includes(o) && !shown.includes(o), `${o} not shown again`);
      assert.equal(await page.locator('#agents_count').inputValue(), '2', 'the rest of the form is kept');
      await checkPage(page, 'the narrative preview');

      // Not confirmed yet: nothing was saved.
      const before = await page.request.get(`${srv.url}/api/v1/incidents/${report.id}`);
      assert.equal((await before.json()).data.narrative, undefined);

      await tick(page, 'confirm');
      const saved = await submitForm(page, page.getByRole('button', { name: 'Save', exact: true }));
      assert.equal(saved.status(), 200);
      assert.match(page.url(), new RegExp(`/incidents/${report.id}(\\?|$)`));
      const shownFacts = await facts(page);
      for (const ph of ['[A-NUMBER]', '[SSN]', '[PHONE]']) assert.ok(shownFacts.includes(ph), `${ph} saved`);
      const html = await page.content();
      for (const o of [...originals, '2135550100', '(213) 555-0100']) assert.ok(!html.includes(o), `${o} not on the page`);
      const api = await (await page.request.get(`${srv.url}/api/v1/incidents/${report.id}`)).json();
      for (const o of originals) assert.ok(!JSON.stringify(api).includes(o), `${o} not stored`);
      assert.match(api.data.narrative, /undocumented/, 'the confirmed word stays as written');
      await checkPage(page, 'the saved report');
    });
  });

  test('submit; MOIA reviews and asks for information; the liaison sees the note, edits and resubmits', async () => {
    assert.ok(report.id);
    await asRole('liaison', {}, async (page) => {
      await go(page, `/incidents/${report.id}`);
      const res = await submitForm(page, main(page).getByRole('button', { name: 'Submit to MOIA' }));
      assert.equal(res.status(), 200);
      assert.equal(await statusTag(page), 'Submitted');
      assert.equal(await main(page).getByRole('link', { name: 'Edit report' }).count(), 0, 'no edits once submitted');
      await checkPage(page, 'a submitted report (liaison)');
    });
    await asRole('moia', {}, async (page) => {
      await go(page, '/incidents?status=submitted');
      assert.equal(await page.locator('#status').inputValue(), 'submitted');
      await checkPage(page, '/incidents filtered by status');
      await main(page).getByRole('link', { name: report.ref }).click();
      await page.waitForURL(`**/incidents/${report.id}`);
      await checkPage(page, 'a submitted report (MOIA)');
      await submitForm(page, main(page).getByRole('button', { name: 'Start review' }));
      assert.equal(await statusTag(page), 'In review');

      // Asking without saying what is needed is refused, with the message.
      const empty = await submitForm(page, main(page).getByRole('button', { name: 'Ask for more information' }));
      assert.equal(empty.status(), 400);
      assert.match(await main(page).getByRole('alert').first().innerText(), /Say what information is needed/);
      assert.equal(await statusTag(page), 'In review');
      await checkPage(page, 'a request for information without a note');

      await main(page).getByLabel('Note').first().fill('Please add the number of vehicles.');
      const asked = await submitForm(page, main(page).getByRole('button', { name: 'Ask for more information' }));
      assert.equal(asked.status(), 200);
      assert.equal(await statusTag(page), 'Needs information');
      await checkPage(page, 'a report sent back for information (MOIA)');
    });
    await asRole('liaison', {}, async (page) => {
      await go(page, `/incidents/${report.id}`);
      assert.equal(await statusTag(page), 'Needs information');
      assert.ok(await main(page).getByText('Please add the number of vehicles.').first().isVisible(), 'the note is shown');
      await checkPage(page, 'a report that needs information (liaison)');
      await main(page).getByRole('link', { name: 'Edit report' }).click();
      await page.waitForURL(`**/incidents/${report.id}/edit`);
      await page.locator('#vehicles_count').fill('3');
      // The word kept as written is pointed out again on every save (the
      // placeholders are not: nothing new was replaced).
      const again = await submitForm(page, page.getByRole('button', { name: 'Save', exact: true }));
      assert.equal(again.status(), 422);
      const preview = await main(page).locator('.hv-error-summary').innerText();
      assert.match(preview, /undocumented/);
      assert.doesNotMatch(preview, /alien number|Social Security|phone number/);
      await tick(page, 'confirm');
      assert.equal((await submitForm(page, page.getByRole('button', { name: 'Save', exact: true }))).status(), 200);
      assert.match(await facts(page), /Number of vehicles\s+3/);
      await submitForm(page, main(page).getByRole('button', { name: 'Submit to MOIA' }));
      assert.equal(await statusTag(page), 'Submitted');
    });
  });

  test('the liaison has no verify control, and a forged verify is refused', async () => {
    assert.ok(report.id);
    await asRole('liaison', {}, async (page) => {
      await go(page, `/incidents/${report.id}`);
      assert.equal(await main(page).getByRole('button', { name: 'Verify' }).count(), 0);
      assert.equal(await main(page).locator('input[name="confidence"]').count(), 0);
      assert.equal(await main(page).locator('input[name="action"][value="verify"], button[value="verify"]').count(), 0);
      const version = (await (await page.request.get(`${srv.url}/api/v1/incidents/${report.id}`)).json()).version;
      const res = await page.request.post(`${srv.url}/incidents/${report.id}/actions`, {
        headers: { Origin: srv.url },
        form: { csrf: await csrfOf(page), version: String(version), action: 'verify', confidence: 'confirmed' },
        maxRedirects: 0,
      });
      assert.equal(res.status(), 403);
      assert.match(await res.text(), /Only MOIA verifies reports/);
      await go(page, `/incidents/${report.id}`);
      assert.equal(await statusTag(page), 'Submitted', 'unchanged');
    });
  });

  test('MOIA verifies with a confidence and a note (a missing confidence is refused first)', async () => {
    assert.ok(report.id);
    await asRole('moia', {}, async (page) => {
      await go(page, `/incidents/${report.id}`);
      await main(page).getByLabel('Note').first().fill('Matches the branch security log.');
      const refused = await submitForm(page, main(page).getByRole('button', { name: 'Verify', exact: true }));
      assert.equal(refused.status(), 400);
      assert.match(await main(page).getByRole('alert').first().innerText(), /how confident/);
      await checkPage(page, 'verify without a confidence');

      await tick(page, 'confidence-probable');
      await main(page).getByLabel('Note').first().fill('Matches the branch security log.');
      const ok = await submitForm(page, main(page).getByRole('button', { name: 'Verify', exact: true }));
      assert.equal(ok.status(), 200);
      assert.equal(await statusTag(page), 'Verified');
      assert.match(await main(page).locator('p').filter({ has: page.locator('.usa-tag') }).innerText(), /verified: probable/);
      assert.equal(await main(page).getByRole('link', { name: 'Edit report' }).count(), 0);
      await checkPage(page, 'a verified report');
    });
  });

  test('the history lists each version with who and when, and field-by-field before and after', async () => {
    assert.ok(report.id);
    await asRole('liaison', {}, async (page) => {
      await go(page, `/incidents/${report.id}`);
      const items = main(page).locator('ol.hv-history > li');
      const texts = await items.allInnerTexts();
      const dateTime = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}|\w{3} \d{1,2}, \d{4}/;
      const find = (re) => texts.find((t) => re.test(t));
      const first = find(/^Version 1\b/);
      assert.match(first || '', /Sam Lopez/, 'the alert, by the staff member');
      for (const t of texts) assert.match(t, dateTime, `a time in "${t.split('\n')[0]}"`);
      assert.match(find(/request_info|asked for more information/i) || '', /Maria Ortega.*\n?.*Please add the number of vehicles/s);
      assert.match(find(/verif/i) || '', /Maria Ortega[\s\S]*probable/);
      // The edit that added the vehicles: before (empty) and after (3).
      const vehicles = main(page).locator('ol.hv-history li li').filter({ hasText: 'Number of vehicles' });
      assert.equal(await vehicles.count(), 1, 'one change of the number of vehicles');
      const change = await vehicles.innerText();
      assert.match(change, /before:?\s*(—|\(empty\)|none)/i, change);
      assert.match(change, /after:?\s*3\b/i, change);
      // The first edit changed the number of agents from nothing to 2 and the
      // narrative to its redacted text (never the original).
      const agents = await main(page).locator('ol.hv-history li li').filter({ hasText: 'Number of agents' }).first().innerText();
      assert.match(agents, /after:?\s*2\b/i, agents);
      assert.ok(!(await page.content()).includes('123-45-6789'));
      await checkPage(page, 'a report with its history');
    });
  });
});

describe('two people editing at once', () => {
  test('the second save is refused with a clear message and keeps what was typed', async () => {
    // A draft to edit.
    const id = await asRole('liaison', {}, async (page) => {
      await go(page, '/incidents/new');
      await checkPage(page, '/incidents/new');
      await page.locator('#facility_id').selectOption({ label: 'Central Library (LAPL)' });
      await page.locator('#narrative').fill('Agents parked in the staff lot.');
      const res = await submitForm(page, page.getByRole('button', { name: 'Save', exact: true }));
      assert.equal(res.status(), 200);
      return Number(/\/incidents\/(\d+)/.exec(page.url())[1]);
    });
    const state = await signedInState('liaison');
    const a = await browser.newContext({ viewport: DESKTOP, storageState: state });
    const b = await browser.newContext({ viewport: DESKTOP, storageState: state });
    a.setDefaultTimeout(STEP_TIMEOUT);
    b.setDefaultTimeout(STEP_TIMEOUT);
    try {
      const [pa, pb] = await Promise.all([a.newPage(), b.newPage()]);
      const logB = watchPage(pb);
      await go(pa, `/incidents/${id}/edit`);
      await go(pb, `/incidents/${id}/edit`);
      await pa.locator('#narrative').fill('First: agents parked in the staff lot for an hour.');
      assert.equal((await submitForm(pa, pa.getByRole('button', { name: 'Save', exact: true }))).status(), 200);

      const mine = 'Second: two vehicles in the staff lot, agents stayed in their cars.';
      await pb.locator('#narrative').fill(mine);
      await pb.locator('#vehicles_count').fill('2');
      const res = await submitForm(pb, pb.getByRole('button', { name: 'Save', exact: true }));
      assert.equal(res.status(), 409);
      const summary = await assertErrorSummary(pb, []);
      assert.match(await summary.innerText(), /Someone else saved this report since you opened it/);
      assert.equal(await pb.locator('#narrative').inputValue(), mine, 'the typed text is kept');
      assert.equal(await pb.locator('#vehicles_count').inputValue(), '2');
      await checkPage(pb, 'the edit form after a version conflict');
      const p = flowProblems(logB, srv.url);
      assert.deepEqual(p, [], p.join('\n'));

      // The first save stands.
      await go(pa, `/incidents/${id}`);
      assert.match(await facts(pa), /First: agents parked/);
      assert.doesNotMatch(await facts(pa), /Second:/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('keyboard only', () => {
  test('a quick alert can be sent with Tab, the arrow keys, Space and Enter, with focus always visible', async () => {
    await asRole('staff', { viewport: SMALL_PHONE, isMobile: true, hasTouch: true }, async (page) => {
      await go(page, '/alert');
      // Presses Tab until `selector` has focus; each stop must show focus.
      const tabTo = async (selector) => {
        for (let i = 0; i < 60; i++) {
          await page.keyboard.press('Tab');
          const at = await page.evaluate((sel) => {
            const el = document.activeElement;
            const cs = getComputedStyle(el);
            return { match: el.matches(sel), id: el.id || el.tagName, outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 };
          }, selector);
          assert.ok(at.outline, `focus visible on ${at.id}`);
          if (at.match) return;
        }
        assert.fail(`Tab never reached ${selector}`);
      };
      await tabTo('#facility_id');
      await page.keyboard.press('ArrowDown');
      assert.notEqual(await page.locator('#facility_id').inputValue(), '');
      await tabTo('#happening');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.locator('#happening').inputValue(), 'agents_present');
      await tabTo('#agencies-cbp');
      await page.keyboard.press('Space');
      assert.equal(await page.locator('#agencies-cbp').isChecked(), true);
      await tabTo('#entry_requested-yes');
      await page.keyboard.press('Space');
      assert.equal(await page.locator('#entry_requested-yes').isChecked(), true);
      await tabTo('#note');
      await page.keyboard.type('Two agents at the front desk.');
      await tabTo('button[type="submit"].usa-button--big');
      const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
      assert.equal(res.status(), 201);
      assert.match(await main(page).getByRole('status').innerText(), new RegExp(`Alert ${REF.source} sent`));
    });
  });
});

describe('the auditor', () => {
  test('reads reports but has no edit or action controls, and the edit pages are refused', async () => {
    await asRole('auditor', {}, async (page) => {
      await go(page, '/incidents');
      assert.equal(await main(page).getByRole('link', { name: 'New full report' }).count(), 0);
      const link = main(page).locator('table a[href^="/incidents/"]').first();
      assert.ok(await link.isVisible(), 'reports are listed');
      await checkPage(page, '/incidents as the auditor');
      await link.click();
      await page.waitForURL(/\/incidents\/\d+$/);
      const id = Number(/\/incidents\/(\d+)$/.exec(page.url())[1]);
      assert.match(await h1(page), REF);
      assert.equal(await main(page).locator('form').count(), 0, 'no forms');
      assert.equal(await main(page).getByRole('button').count(), 0, 'no buttons');
      assert.equal(await main(page).getByRole('link', { name: 'Edit report' }).count(), 0);
      await checkPage(page, 'a report as the auditor');
      await go(page, `/incidents/${id}/edit`, 403);
      await go(page, '/incidents/new', 403);
      const res = await page.request.post(`${srv.url}/incidents/${id}/actions`, {
        headers: { Origin: srv.url },
        form: { csrf: await csrfOf(page), version: '1', action: 'close' },
        maxRedirects: 0,
      });
      assert.equal(res.status(), 403);
    });
  });
});

test('the server saw no Content-Security-Policy violation reports', () => {
  const csp = srv.logLines().filter((l) => l.msg === 'csp violation' || l.route === '/api/v1/csp-report');
  assert.deepEqual(csp, []);
});
