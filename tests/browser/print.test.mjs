// Browser check of the printable report view (/incidents/{id}/print): it
// passes axe-core at WCAG 2.1 A/AA on screen, loads nothing from other
// origins, runs no script, and in print media hides the screen-only bar and
// prints black on white; the list page with its sort and export links
// passes axe too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, axeViolations, formatViolations, launchBrowser, openPage, problems, startServer } from './lib.mjs';
import { demoLogins, signIn, api, sql } from '../api/lib.mjs';

let srv, browser, moia, logins, id;

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launchBrowser()]);
  logins = demoLogins(srv.dir);
  moia = await signIn(srv, logins.moia.email, logins.moia.password);
  const fac = Number(sql(srv.db, "SELECT f.id FROM facilities f JOIN departments d ON d.id = f.department_id WHERE d.code = 'LAPL' ORDER BY f.id LIMIT 1").trim());
  const r = await api(srv, moia, 'POST', '/api/v1/incidents', {
    facility_id: fac, agencies: ['ice_ero', 'cbp'], agents_count: 3, document_type: 'admin_i200', access: 'refused',
    narrative: 'Three agents asked for the staff room; the branch manager refused and they left.', plates: '7ABC123',
  });
  assert.equal(r.status, 201);
  id = (await r.json()).id;
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  srv?.cleanup();
});

// A context signed in as MOIA through the sign-in form.
async function signedInContext() {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await page.goto(`${srv.url}/signin`);
  await page.getByLabel('Work email').fill(logins.moia.email);
  await page.getByLabel('Password', { exact: true }).fill(logins.moia.password);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  assert.ok((await context.cookies()).some((c) => c.name === '__Host-haven'), 'signed in');
  await page.close();
  return context;
}

test('the printable view passes axe, needs no script, and prints black on white without the screen bar', async () => {
  const context = await signedInContext();
  try {
    const url = `${srv.url}/incidents/${id}/print`;
    const { page, response, log } = await openPage(context, url);
    assert.equal(response.status(), 200);
    assert.deepEqual(problems(log, srv.url, url), []);
    assert.ok(!log.requests.some((u) => u.endsWith('.js')), 'no script is loaded');
    const v = await axeViolations(page);
    assert.equal(v.length, 0, formatViolations(v));
    assert.equal(await page.locator('.hv-print-bar').isVisible(), true);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.hv-print-bar').isVisible(), false, 'the screen-only bar is not printed');
    const colors = await page.evaluate(() => {
      const s = getComputedStyle(document.querySelector('.hv-print-ref'));
      const b = getComputedStyle(document.body);
      return [s.color, b.backgroundColor];
    });
    assert.deepEqual(colors, ['rgb(0, 0, 0)', 'rgb(255, 255, 255)']);
    assert.match(await page.locator('h1').innerText(), /^INC-\d{4}-\d{6}$/);
    const pdf = await page.pdf({ format: 'Letter' });
    assert.ok(pdf.length > 1000, 'it prints');
  } finally {
    await context.close();
  }
});

test('the list page with sort, filters and export links passes axe', async () => {
  const context = await signedInContext();
  try {
    const url = `${srv.url}/incidents?sort=oldest&q=staff`;
    const { page, response, log } = await openPage(context, url);
    assert.equal(response.status(), 200);
    assert.deepEqual(problems(log, srv.url, url), []);
    assert.equal(await page.locator('a[href^="/incidents/export.csv?"]').count(), 1);
    const v = await axeViolations(page);
    assert.equal(v.length, 0, formatViolations(v));
  } finally {
    await context.close();
  }
});
