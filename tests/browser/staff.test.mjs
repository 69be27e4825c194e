// Browser tests for the staff pages: signing in and out, the first sign-in
// with a one-time password, user administration, API tokens, CSV import, the
// city registry and the audit log, each driven through the real forms in
// Chromium; and every staff page checked with axe-core at WCAG 2.1 A/AA on a
// desktop and a phone, for console errors and for requests to other origins.
//
// Run: HAVEN_BIN=build/haven node --test --test-concurrency=1 tests/browser/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoLogins, runHaven } from '../api/lib.mjs';
import {
  DESKTOP, PHONE, axeViolations, flowProblems, formatViolations, launchBrowser, startServer,
  submitForm, watchPage,
} from './lib.mjs';

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

// A fresh context (own cookies) with one watched page; the page's log is
// checked for problems when fn returns.
async function withPage(options, fn) {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  try {
    const page = await context.newPage();
    const log = watchPage(page);
    const result = await fn(page, context);
    assertClean(log);
    return result;
  } finally {
    await context.close();
  }
}

function assertClean(log) {
  const p = flowProblems(log, srv.url);
  assert.deepEqual(p, [], `problems:\n  ${p.join('\n  ')}`);
}

async function go(page, path, status = 200) {
  const response = await page.goto(srv.url + path, { waitUntil: 'load' });
  assert.equal(response.status(), status, `GET ${path}`);
  return response;
}

const h1 = async (page) => (await page.locator('h1').innerText()).trim();
const main = (page) => page.locator('main#main-content');
const alertText = async (page, role = 'alert') => (await main(page).getByRole(role).innerText()).trim();

// Signs in through the form at /signin; resolves with the final response.
async function signInForm(page, email, password) {
  await go(page, '/signin');
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  return submitForm(page, page.getByRole('button', { name: 'Sign in', exact: true }));
}

// Checks a USWDS checkbox or radio (the input itself is visually hidden) the
// way a person does: by clicking its label.
async function setChoice(page, id, on = true) {
  const input = page.locator(`#${id}`);
  if ((await input.isChecked()) !== on) await page.locator(`label[for="${id}"]`).click();
  assert.equal(await input.isChecked(), on, `#${id} checked=${on}`);
}

// Cells of a table's body rows, as text.
async function tableRows(table) {
  return table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
}

async function apiStatus(path, token) {
  const res = await fetch(srv.url + path, { headers: { Authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

const FACILITY_HEADER = 'department_code,name,address,kind,latitude,longitude,areas\n';

describe('signing in and out', () => {
  test('a wrong password shows the error in an alert and keeps the email', async () => {
    await withPage({}, async (page) => {
      const res = await signInForm(page, logins.admin.email, 'not the right password at all');
      assert.equal(res.status(), 401);
      assert.equal(new URL(page.url()).pathname, '/signin');
      assert.equal(await alertText(page), 'Email or password is incorrect.');
      assert.equal(await page.getByLabel('Work email').inputValue(), logins.admin.email);
      assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'password not echoed');
      assert.equal(await page.getByLabel('Work email').getAttribute('aria-describedby'), 'signin-error');
      assert.equal(await page.getByText('Signed in as').count(), 0);
    });
  });

  test('the right password lands on / signed in; "Sign out" goes back to /signin and ends the session', async () => {
    await withPage({}, async (page, context) => {
      const res = await signInForm(page, logins.admin.email, logins.admin.password);
      assert.equal(res.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/');
      assert.equal(await h1(page), 'Haven');
      assert.ok(await page.getByText('Signed in as Ada Admin (demo)').isVisible());
      const cookie = (await context.cookies()).find((c) => c.name === '__Host-haven');
      assert.ok(cookie, 'session cookie set');
      assert.deepEqual([cookie.secure, cookie.httpOnly, cookie.sameSite, cookie.path], [true, true, 'Strict', '/']);
      // /signin while signed in goes home.
      await go(page, '/signin');
      assert.equal(new URL(page.url()).pathname, '/');

      const out = await submitForm(page, page.locator('header').getByRole('button', { name: 'Sign out' }));
      assert.equal(out.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/signin');
      assert.equal(await h1(page), 'Sign in');
      assert.ok(await page.locator('header').getByRole('link', { name: 'Staff sign in' }).isVisible());
      assert.equal((await context.cookies()).filter((c) => c.name === '__Host-haven').length, 0, 'cookie cleared');
      await go(page, '/account/password', 401);
      assert.equal(await h1(page), 'Unauthorized');
    });
  });
});

describe('first sign-in with a one-time password', () => {
  test('the new user must choose a password; a short one is refused, a good one is taken', async () => {
    const email = 'first.timer@demo.lacity.org';
    const r = await runHaven(['user', 'add', '--email', email, '--name', 'Fran First', '--roles', 'legal',
      '--data', srv.dir, '--db', srv.db]);
    assert.equal(r.code, 0, r.stderr);
    const otp = /password: (\S+)/.exec(r.stdout)?.[1];
    assert.ok(otp, r.stdout);

    await withPage({}, async (page) => {
      await signInForm(page, email, otp);
      assert.equal(new URL(page.url()).pathname, '/account/password');
      assert.equal(await h1(page), 'Change your password');
      assert.ok(await main(page).getByText('Choose your own password before going on.').isVisible());
      // Other pages send the user back here until the password is changed.
      await go(page, '/registry');
      assert.equal(new URL(page.url()).pathname, '/account/password');

      await page.getByLabel('Current password').fill(otp);
      await page.getByLabel('New password', { exact: true }).fill('too short');
      await page.getByLabel('New password again').fill('too short');
      const refused = await submitForm(page, page.getByRole('button', { name: 'Change password' }));
      assert.equal(refused.status(), 400);
      const error = page.locator('#password-error');
      assert.ok(await error.isVisible());
      assert.match(await error.innerText(), /15/, 'the error says how long');
      // The message sits right above the form and the field points at it.
      const next = await error.evaluate((el) => el.closest('.usa-alert').nextElementSibling?.tagName);
      assert.equal(next, 'FORM');
      const field = page.getByLabel('New password', { exact: true });
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      assert.equal(await field.getAttribute('aria-describedby'), 'password-error');
      assert.equal(await field.inputValue(), '', 'passwords are not echoed');

      await page.getByLabel('Current password').fill(otp);
      await field.fill('quiet river lantern harbor');
      await page.getByLabel('New password again').fill('quiet river lantern harbor');
      const ok = await submitForm(page, page.getByRole('button', { name: 'Change password' }));
      assert.equal(ok.status(), 200);
      assert.equal(await alertText(page, 'status'), 'Your password was changed.');

      await go(page, '/');
      assert.equal(new URL(page.url()).pathname, '/');
      assert.ok(await page.getByText('Signed in as Fran First').isVisible());
      await go(page, '/registry');
      assert.equal(await h1(page), 'City registry');
    });
    // The one-time password no longer works; the new one does.
    await withPage({}, async (page) => {
      assert.equal((await signInForm(page, email, otp)).status(), 401);
      await signInForm(page, email, 'quiet river lantern harbor');
      assert.equal(new URL(page.url()).pathname, '/');
    });
  });
});

describe('user administration', () => {
  test('add a user, change roles, end sessions, disable the account', async () => {
    const email = 'new.staffer@demo.lacity.org';
    const name = 'Nora Staffer';
    await withPage({}, async (page) => {
      await signInForm(page, logins.admin.email, logins.admin.password);
      await page.locator('header').getByRole('link', { name: 'Users' }).click();
      await page.waitForURL('**/admin/users');
      assert.equal(await h1(page), 'Users');
      const table = page.getByRole('table', { name: 'Staff accounts' });
      const rows = await tableRows(table);
      assert.ok(rows.some((r) => r[1] === logins.admin.email && r[2].includes('admin')), JSON.stringify(rows.slice(0, 3)));
      assert.ok(rows.some((r) => r[1] === logins.liaison.email && r[3] === 'LAPL'));

      // Add a liaison for the Public Library.
      await page.getByLabel('Work email').fill(email);
      await page.getByLabel('Name', { exact: true }).fill(name);
      await setChoice(page, 'new-role-liaison');
      await page.getByLabel('Department (needed for liaisons)').selectOption({ label: 'Public Library (LAPL)' });
      const created = await submitForm(page, page.getByRole('button', { name: 'Add user' }));
      assert.equal(created.status(), 201);
      const status = main(page).getByRole('status');
      assert.match(await status.innerText(), new RegExp(`Account created for ${email}`));
      const otp = (await status.locator('code.hv-secret').innerText()).trim();
      assert.match(otp, /^\S{20}$/);
      const row = (await tableRows(table)).find((r) => r[1] === email);
      assert.deepEqual(row?.slice(0, 5), [name, email, 'liaison', 'LAPL', 'active']);

      // Shown once: reloading the list does not show it again.
      await go(page, '/admin/users');
      assert.equal(await page.locator('code.hv-secret').count(), 0);
      assert.equal(await page.getByText(otp).count(), 0);

      // The same email again is refused with a message.
      await page.getByLabel('Work email').fill(email);
      await page.getByLabel('Name', { exact: true }).fill(name);
      await setChoice(page, 'new-role-legal');
      const dup = await submitForm(page, page.getByRole('button', { name: 'Add user' }));
      assert.equal(dup.status(), 409);
      assert.equal(await alertText(page), 'That email already has an account.');

      // The new person signs in elsewhere (with the one-time password).
      const other = await browser.newContext({ viewport: DESKTOP });
      try {
        const theirs = await other.newPage();
        await signInForm(theirs, email, otp);
        assert.equal(new URL(theirs.url()).pathname, '/account/password');

        await page.getByRole('link', { name }).click();
        await page.waitForURL(/\/admin\/users\/\d+$/);
        assert.equal(await h1(page), name);
        assert.ok(await main(page).getByText(`${email} · active`).isVisible());
        assert.equal(await page.locator('#role-liaison').isChecked(), true);
        assert.equal(await page.locator('#department option:checked').innerText(), 'Public Library (LAPL)');

        // Roles and department.
        await setChoice(page, 'role-liaison', false);
        await setChoice(page, 'role-legal');
        await setChoice(page, 'role-auditor');
        await page.getByLabel('Department', { exact: true }).selectOption({ label: 'None (citywide)' });
        const saved = await submitForm(page, page.getByRole('button', { name: 'Save roles and department' }));
        assert.equal(saved.status(), 200);
        assert.equal(await alertText(page, 'status'), 'Roles and department saved.');
        for (const [role, on] of [['liaison', false], ['legal', true], ['auditor', true], ['admin', false]]) {
          assert.equal(await page.locator(`#role-${role}`).isChecked(), on, role);
        }
        assert.equal(await page.locator('#department option:checked').innerText(), 'None (citywide)');

        // End all sessions: the other browser is signed out.
        const ended = await submitForm(page, page.getByRole('button', { name: 'End all sessions' }));
        assert.equal(ended.status(), 200);
        assert.equal(await alertText(page, 'status'), 'Every session of this user was ended.');
        assert.equal((await theirs.goto(srv.url + '/account/password')).status(), 401);

        // Disable: sign-in is refused from then on.
        const disabled = await submitForm(page, page.getByRole('button', { name: 'Disable account' }));
        assert.equal(disabled.status(), 200);
        assert.equal(await alertText(page, 'status'), 'The account is disabled and its sessions ended.');
        assert.ok(await main(page).getByText(`${email} · disabled`).isVisible());
        assert.ok(await page.getByRole('button', { name: 'Enable account' }).isVisible());
        assert.equal((await signInForm(theirs, email, otp)).status(), 401);
      } finally {
        await other.close();
      }

      await go(page, '/admin/users');
      const after = (await tableRows(table)).find((r) => r[1] === email);
      assert.deepEqual(after?.slice(0, 5), [name, email, 'legal,auditor', '—', 'disabled']);
    });
  });

  test('an administrator has no "Disable account" button on their own page', async () => {
    await withPage({}, async (page) => {
      await signInForm(page, logins.admin.email, logins.admin.password);
      await go(page, '/admin/users');
      await page.getByRole('link', { name: 'Ada Admin (demo)' }).click();
      await page.waitForURL(/\/admin\/users\/\d+$/);
      assert.equal(await page.getByRole('button', { name: 'Disable account' }).count(), 0);
      assert.ok(await page.getByRole('button', { name: 'End all sessions' }).isVisible());
    });
  });

  test('staff without the admin role get 403 on /admin/users', async () => {
    await withPage({}, async (page) => {
      await signInForm(page, logins.legal.email, logins.legal.password);
      await go(page, '/admin/users', 403);
      assert.equal(await page.locator('header').getByRole('link', { name: 'Users' }).count(), 0);
    });
  });
});

describe('API tokens', () => {
  test('make a token (shown once), use it, revoke it', async () => {
    const name = 'Test 311 system';
    await withPage({}, async (page) => {
      await signInForm(page, logins.admin.email, logins.admin.password);
      await page.locator('header').getByRole('link', { name: 'API tokens' }).click();
      await page.waitForURL('**/admin/tokens');
      assert.equal(await h1(page), 'API tokens');
      assert.equal(await page.locator('#token-role option[value="admin"]').count(), 0, 'no admin tokens');

      await page.getByLabel('Name of the system using it').fill(name);
      await page.getByLabel('Role', { exact: true }).selectOption('agent311');
      await page.getByLabel('Expires after (days, 1 to 366)').fill('30');
      const made = await submitForm(page, page.getByRole('button', { name: 'Make token' }));
      assert.equal(made.status(), 201);
      const status = main(page).getByRole('status');
      assert.match(await status.innerText(), new RegExp(`Token made for ${name}`));
      const token = (await status.locator('code.hv-secret').innerText()).trim();
      assert.ok(token.length >= 32, token);
      assert.equal(await apiStatus('/api/v1/departments', token), 200);

      await go(page, '/admin/tokens');
      assert.equal(await page.getByText(token).count(), 0, 'shown only once');
      const table = page.getByRole('table', { name: 'Tokens' });
      let row = (await tableRows(table)).find((r) => r[0] === name);
      assert.equal(row?.[1], 'agent311');
      assert.equal(row?.[4], `Revoke ${name}`);

      const revoked = await submitForm(page, page.getByRole('button', { name: `Revoke ${name}` }));
      assert.equal(revoked.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/admin/tokens');
      row = (await tableRows(table)).find((r) => r[0] === name);
      assert.equal(row?.[4], 'revoked');
      assert.equal(await page.getByRole('button', { name: `Revoke ${name}` }).count(), 0);
      assert.equal(await apiStatus('/api/v1/departments', token), 401);
    });
  });
});

describe('CSV import', () => {
  const good = FACILITY_HEADER
    + 'LAPL,Import Test Branch Library,1 Import Way,library,34.05,-118.25,Lobby:public; Staff room:non-public\n'
    + 'LAPL,Second Import Library,2 Import Way,library,,,\n';
  const bad = FACILITY_HEADER
    + 'LAPL,Import Test Branch Library,1 Import Way,library,34.05,-118.25,Lobby:public\n'
    + 'NOPE,Nowhere Library,3 Import Way,library,,,\n'
    + 'LAPL,Far Library,4 Import Way,library,200,-118.25,\n';

  async function upload(page, text, name = 'facilities.csv') {
    await setChoice(page, 'kind-facilities');
    await page.locator('#file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
    return submitForm(page, page.getByRole('button', { name: 'Check and import' }));
  }

  test('a file with bad rows is refused row by row and nothing is saved; a good file is imported once', async () => {
    await withPage({}, async (page) => {
      await signInForm(page, logins.admin.email, logins.admin.password);
      await page.locator('header').getByRole('link', { name: 'Import' }).click();
      await page.waitForURL('**/admin/import');
      assert.equal(await h1(page), 'Import from CSV');

      const refused = await upload(page, bad, 'bad.csv');
      assert.equal(refused.status(), 422);
      assert.match(await alertText(page), /nothing was saved/);
      const problems = await tableRows(page.getByRole('table', { name: 'Problems in the file' }));
      assert.equal(problems.length, 2, JSON.stringify(problems));
      assert.deepEqual(problems.map((r) => r.slice(0, 2)), [['3', 'department_code'], ['4', 'latitude']]);
      assert.match(problems[0][2], /No department has this code/);
      assert.match(problems[1][2], /latitude/);
      // The form keeps the kind chosen, ready for the fixed file.
      assert.equal(await page.locator('#kind-facilities').isChecked(), true);

      // Nothing was saved, not even the good row.
      await go(page, '/registry/departments/15');
      assert.equal(await main(page).getByText('Import Test Branch Library').count(), 0);

      await go(page, '/admin/import');
      const ok = await upload(page, good);
      assert.equal(ok.status(), 200);
      assert.match(await alertText(page, 'status'), /^Imported\s+2 created, 0 updated, 0 unchanged\.$/);
      assert.equal(await page.getByRole('table', { name: 'Problems in the file' }).count(), 0);

      const again = await upload(page, good);
      assert.equal(again.status(), 200);
      assert.match(await alertText(page, 'status'), /0 created, 0 updated, 2 unchanged\./);

      await go(page, '/registry/departments/15');
      await main(page).getByRole('link', { name: 'Import Test Branch Library' }).click();
      await page.waitForURL(/\/registry\/facilities\/\d+$/);
      assert.ok(await main(page).getByText('Staff room: non-public').isVisible());
    });
  });
});

describe('city registry', () => {
  test('search, department page and facility page; a liaison edits their own department\'s facility only', async () => {
    await withPage({}, async (page) => {
      await signInForm(page, logins.liaison.email, logins.liaison.password);
      await page.locator('header').getByRole('link', { name: 'City registry' }).click();
      await page.waitForURL('**/registry');
      assert.equal(await h1(page), 'City registry');
      assert.match(await page.locator('caption').innerText(), /Departments \(30\)/);

      await page.getByRole('searchbox', { name: 'Search departments' }).fill('library');
      await submitForm(page, page.getByRole('search').getByRole('button', { name: 'Search' }));
      assert.match(page.url(), /\/registry\?q=library/);
      const found = await tableRows(page.getByRole('table'));
      assert.deepEqual(found.map((r) => r[0]), ['LAPL']);
      assert.equal(await page.getByRole('searchbox', { name: 'Search departments' }).inputValue(), 'library');

      await main(page).getByRole('link', { name: 'Public Library' }).click();
      await page.waitForURL(/\/registry\/departments\/\d+$/);
      const deptPath = new URL(page.url()).pathname;
      const deptId = deptPath.split('/').pop();
      assert.equal(await h1(page), 'Public Library');
      assert.ok(await main(page).getByText('LAPL', { exact: true }).isVisible());
      assert.ok(await main(page).getByText(/Lee Park \(demo\)/).isVisible(), 'liaison named');
      assert.equal(await page.getByRole('heading', { name: 'Edit department' }).count(), 0, 'liaisons do not edit departments');
      assert.ok(await main(page).getByRole('link', { name: 'Add a facility' }).isVisible());

      await main(page).getByRole('link', { name: 'Central Library' }).click();
      await page.waitForURL(/\/registry\/facilities\/\d+$/);
      assert.equal(await h1(page), 'Central Library');
      assert.ok(await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'LAPL' }).isVisible());
      assert.ok(await page.getByRole('heading', { name: 'Edit facility' }).isVisible());

      await page.getByLabel('Street address').fill('630 W. 5th Street, Los Angeles, CA 90071');
      await page.getByLabel('Areas').fill('Lobby:public; Reading rooms:public; Staff offices:non-public');
      const saved = await submitForm(page, page.getByRole('button', { name: 'Save facility' }));
      assert.equal(saved.status(), 200);
      assert.equal(await alertText(page, 'status'), 'Saved.');
      const facts = main(page).locator('dl.hv-facts');
      assert.ok(await facts.getByText('630 W. 5th Street, Los Angeles, CA 90071').isVisible());
      assert.match(await facts.innerText(), /Staff offices: non-public \(entry needs a judicial warrant\)/);
      assert.equal(await page.getByLabel('Areas').inputValue(), 'Lobby:public; Reading rooms:public; Staff offices:non-public');

      // A bad latitude is refused with the message and the typed values kept.
      await page.getByLabel('Latitude').fill('north');
      const refused = await submitForm(page, page.getByRole('button', { name: 'Save facility' }));
      assert.equal(refused.status(), 400);
      assert.match(await alertText(page), /latitude/);
      assert.equal(await page.getByLabel('Latitude').inputValue(), 'north');

      // Another department's facility: readable, but no edit form.
      await go(page, '/registry?q=parks');
      await main(page).getByRole('link', { name: 'Recreation and Parks' }).click();
      await page.waitForURL(/\/registry\/departments\/\d+$/);
      const parksId = new URL(page.url()).pathname.split('/').pop();
      assert.equal(await main(page).getByRole('link', { name: 'Add a facility' }).count(), 0);
      await main(page).getByRole('link', { name: 'MacArthur Park' }).click();
      await page.waitForURL(/\/registry\/facilities\/\d+$/);
      assert.equal(await h1(page), 'MacArthur Park');
      assert.equal(await main(page).locator('form').count(), 0, 'no edit form');
      assert.equal(await page.getByRole('heading', { name: 'Edit facility' }).count(), 0);
      await go(page, `/registry/facilities/new?department_id=${parksId}`, 404);

      // A new facility for their own department.
      await go(page, `/registry/facilities/new?department_id=${deptId}`);
      assert.equal(await h1(page), 'New facility');
      await page.getByLabel('Name').fill('Test Branch Library');
      await page.getByLabel('Street address').fill('100 Test Street, Los Angeles, CA 90012');
      await page.getByLabel('Kind').selectOption('library');
      await page.getByLabel('Latitude').fill('34.0522');
      await page.getByLabel('Longitude').fill('-118.2437');
      await page.getByLabel('Areas').fill('Lobby:public; Back office:non-public');
      const made = await submitForm(page, page.getByRole('button', { name: 'Add facility' }));
      assert.equal(made.status(), 200);
      assert.match(page.url(), /\/registry\/facilities\/\d+$/);
      assert.equal(await h1(page), 'Test Branch Library');
      const newFacts = await main(page).locator('dl.hv-facts').innerText();
      assert.match(newFacts, /100 Test Street/);
      assert.match(newFacts, /library/);
      assert.match(newFacts, /34\.0522/);
      assert.match(newFacts, /Back office: non-public/);
      await go(page, deptPath);
      assert.ok(await main(page).getByRole('link', { name: 'Test Branch Library', exact: true }).isVisible());
    });
  });
});

describe('audit log', () => {
  test('the auditor sees events and filters them by action', async () => {
    await withPage({}, async (page) => {
      await signInForm(page, logins.auditor.email, logins.auditor.password);
      await page.locator('header').getByRole('link', { name: 'Audit log' }).click();
      await page.waitForURL('**/audit');
      assert.equal(await h1(page), 'Audit log');
      const table = page.getByRole('table', { name: 'Audit events' });
      const all = await tableRows(table);
      assert.ok(all.length > 10, `${all.length} events`);
      const seqs = all.map((r) => Number(r[0]));
      assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
      // The earlier tests' changes are there.
      assert.ok(all.some((r) => r[3] === 'facility.create' || r[3] === 'facility.update'), JSON.stringify(all.slice(0, 5)));

      // A page holds 50 events; "Older events" goes on from the last one.
      assert.equal(all.length, 50);
      await main(page).getByRole('link', { name: 'Older events' }).click();
      await page.waitForURL(/[?&]before=\d+/);
      const older = await tableRows(table);
      assert.ok(older.length > 0);
      assert.ok(Number(older[0][0]) < Number(all.at(-1)[0]), `${older[0][0]} after ${all.at(-1)[0]}`);

      await page.getByLabel('Action (for example user.create)').fill('user.create');
      await submitForm(page, page.getByRole('button', { name: 'Show events' }));
      assert.match(page.url(), /[?&]action=user\.create(&|$)/);
      assert.doesNotMatch(page.url(), /before=/, 'a new filter starts from the newest event');
      assert.equal(await page.getByLabel('Action (for example user.create)').inputValue(), 'user.create');
      const users = await tableRows(table);
      assert.ok(users.length > 30, `${users.length} user.create events`);
      assert.deepEqual([...new Set(users.map((r) => r[3]))], ['user.create']);
      // The users made through the pages and the command line are there.
      assert.ok(users.some((r) => r[2] === 'user:1'), 'made by the admin (user:1)');

      await page.getByLabel('Action (for example user.create)').fill('no.such.action');
      await submitForm(page, page.getByRole('button', { name: 'Show events' }));
      assert.ok(await main(page).getByText('No events match.').isVisible());
      assert.equal(await table.count(), 0);
    });
  });

  test('staff without the auditor or admin role get 403 on /audit', async () => {
    await withPage({}, async (page) => {
      await signInForm(page, logins.liaison.email, logins.liaison.password);
      await go(page, '/audit', 403);
      assert.equal(await page.locator('header').getByRole('link', { name: 'Audit log' }).count(), 0);
    });
  });
});

// Every staff page, signed in with a role that can see it. `setup` brings the
// page into a state worth checking (an error shown, a table filled).
const STAFF_PAGES = [
  { name: '/signin', path: '/signin', h1: 'Sign in' },
  {
    name: '/signin after a wrong password', path: '/signin', h1: 'Sign in', status: 401,
    async setup(page) {
      await page.getByLabel('Work email').fill('nobody@demo.lacity.org');
      await page.getByLabel('Password', { exact: true }).fill('wrong password for axe');
      return submitForm(page, page.getByRole('button', { name: 'Sign in', exact: true }));
    },
  },
  { name: '/account/password', role: 'legal', path: '/account/password', h1: 'Change your password' },
  {
    name: '/account/password with an error', role: 'legal', path: '/account/password', h1: 'Change your password', status: 400,
    async setup(page) {
      await page.getByLabel('Current password').fill(logins.legal.password);
      await page.getByLabel('New password', { exact: true }).fill('short');
      await page.getByLabel('New password again').fill('short');
      return submitForm(page, page.getByRole('button', { name: 'Change password' }));
    },
  },
  { name: '/registry', role: 'liaison', path: '/registry', h1: 'City registry' },
  { name: 'a department page (with the edit form)', role: 'admin', path: '/registry/departments/15', h1: 'Public Library' },
  { name: 'a facility page (with the edit form)', role: 'liaison', path: '/registry/facilities/4', h1: /Central Library/ },
  { name: 'a facility page (read only)', role: 'liaison', path: '/registry/facilities/7', h1: 'MacArthur Park' },
  { name: '/registry/facilities/new', role: 'liaison', path: '/registry/facilities/new?department_id=15', h1: 'New facility' },
  { name: '/admin/users', role: 'admin', path: '/admin/users', h1: 'Users' },
  { name: 'an /admin/users/{id} page', role: 'admin', path: '/admin/users/3', h1: 'Lee Park (demo)' },
  { name: '/admin/tokens', role: 'admin', path: '/admin/tokens', h1: 'API tokens' },
  { name: '/admin/import', role: 'admin', path: '/admin/import', h1: 'Import from CSV' },
  {
    name: '/admin/import after a refused upload', role: 'admin', path: '/admin/import', h1: 'Import from CSV', status: 422,
    async setup(page) {
      await page.locator('label[for="kind-facilities"]').click();
      await page.locator('#file').setInputFiles({
        name: 'bad.csv', mimeType: 'text/csv',
        buffer: Buffer.from(`${FACILITY_HEADER}NOPE,,1 Way,castle,95,,Lobby\n`),
      });
      const res = await submitForm(page, page.getByRole('button', { name: 'Check and import' }));
      assert.ok(await page.getByRole('table', { name: 'Problems in the file' }).isVisible());
      return res;
    },
  },
  { name: '/audit', role: 'auditor', path: '/audit', h1: 'Audit log' },
  { name: '/alert (quick alert, with the protocol)', role: 'staff', path: '/alert', h1: 'Quick alert' },
  { name: '/admin/protocol (the protocol editor)', role: 'admin', path: '/admin/protocol', h1: 'Employee protocol' },
  { name: '/admin/protocol/versions/1 (a protocol version)', role: 'admin', path: '/admin/protocol/versions/1', h1: 'Protocol version 1' },
  {
    name: '/alert after sending', role: 'staff', path: '/alert', h1: 'Quick alert', status: 201,
    async setup(page) {
      await page.locator('#facility_id').selectOption({ index: 1 });
      await page.locator('#happening').selectOption('entry_requested');
      const res = await submitForm(page, page.getByRole('button', { name: 'Send alert now' }));
      assert.match(await page.getByRole('status').innerText(), /Alert INC-\d{4}-\d{6} sent/);
      return res;
    },
  },
  { name: '/plans (a liaison\'s plans)', role: 'liaison', path: '/plans', h1: 'Preparedness plans' },
  { name: '/plans (MOIA, with the form to issue ED 17)', role: 'moia', path: '/plans', h1: 'Preparedness plans' },
  { name: 'an accepted plan (/plans/15)', role: 'liaison', path: '/plans/15', h1: 'Public Library: ED 12 preparedness plan' },
  { name: 'a submitted plan with the review form (/plans/3)', role: 'moia', path: '/plans/3', h1: 'Building and Safety: ED 12 preparedness plan' },
  { name: 'a plan sent back, with its comments (/plans/25)', role: 'liaison2', path: '/plans/25', h1: 'Recreation and Parks: ED 12 preparedness plan' },
  { name: '/plans/board/1 (MOIA\'s board)', role: 'moia', path: '/plans/board/1?sort=due', h1: 'ED 12 plans board' },
  { name: '/contracts (the list, a liaison\'s department)', role: 'liaison', path: '/contracts', h1: 'Contracts' },
  { name: '/contracts filtered (citywide)', role: 'moia', path: '/contracts?state=expiring&q=C-', h1: 'Contracts' },
  { name: 'a contract page (attestation and notice forms)', role: 'liaison', path: '/contracts/2', h1: 'Contract C-LAPL-2025-002' },
  { name: '/contracts/coverage', role: 'moia', path: '/contracts/coverage', h1: 'Contractor coverage' },
  { name: '/contracts/import', role: 'moia', path: '/contracts/import', h1: 'Import contractors and contracts' },
  {
    name: '/contracts/import after a refused file', role: 'liaison', path: '/contracts/import', h1: 'Import contractors and contracts', status: 422,
    async setup(page) {
      await page.locator('#contracts-file').setInputFiles({ name: 'c.csv', mimeType: 'text/csv',
        buffer: Buffer.from('number,vendor_id,department,starts_on,ends_on,on_city_property\nX-1,VC-100201,RAP,2026-01-01,2025-12-31,maybe\n') });
      return submitForm(page, page.getByRole('button', { name: 'Import contracts' }));
    },
  },
  { name: '/incidents', role: 'moia', path: '/incidents', h1: 'Incident reports' },
  { name: '/incidents/new (the full report form)', role: 'liaison', path: '/incidents/new', h1: 'New report' },
  {
    name: 'an incident report page', role: 'moia', path: '/incidents/new', h1: /^INC-\d{4}-\d{6}$/,
    async setup(page) {
      await page.locator('#facility_id').selectOption({ index: 1 });
      await page.locator('#narrative').fill('Two agents waited in the lobby and left after ten minutes.');
      return submitForm(page, page.getByRole('button', { name: 'Save' }));
    },
  },
];

// Signed-in browser state per role, made once through the sign-in form.
const states = new Map();
async function signedInState(role) {
  if (!states.has(role)) {
    const context = await browser.newContext({ viewport: DESKTOP });
    try {
      const page = await context.newPage();
      const res = await signInForm(page, logins[role].email, logins[role].password);
      assert.equal(res.status(), 200, `${role} signs in`);
      states.set(role, await context.storageState());
    } finally {
      await context.close();
    }
  }
  return states.get(role);
}

// One browser context and page per role and screen, kept for the checks
// below: the long-cached USWDS assets load once and no new renderer is
// started for each check (several times faster on a busy machine).
const tabs = new Map();
async function tabFor(role, label) {
  const key = `${role || 'anonymous'} ${label}`;
  if (!tabs.has(key)) {
    const phone = label === 'phone';
    const context = await browser.newContext({
      viewport: phone ? PHONE : DESKTOP, isMobile: phone, hasTouch: phone,
      storageState: role ? await signedInState(role) : undefined,
    });
    const page = await context.newPage();
    tabs.set(key, { context, page, log: watchPage(page) });
  }
  const tab = tabs.get(key);
  for (const list of Object.values(tab.log)) list.length = 0; // a fresh log for each check
  return tab;
}

describe('staff pages pass axe-core and load cleanly', () => {
  after(async () => {
    for (const { context } of tabs.values()) await context.close();
  });

  for (const pg of STAFF_PAGES) {
    for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      test(`${pg.name}: no axe WCAG 2.1 A/AA violations (${label} ${viewport.width}x${viewport.height})`, async () => {
        const { page, log } = await tabFor(pg.role, label);
        let res = await go(page, pg.path);
        if (pg.setup) res = await pg.setup(page);
        assert.equal(res.status(), pg.status || 200);
        assert.equal(await page.locator('h1').count(), 1, 'exactly one <h1>');
        if (pg.h1 instanceof RegExp) assert.match(await h1(page), pg.h1);
        else assert.equal(await h1(page), pg.h1);
        assert.ok(await page.locator('header.usa-header').isVisible(), 'site header');
        if (pg.role) assert.ok(await page.getByText('Signed in as').isVisible(), 'signed in');
        assert.equal(await page.evaluate(() => document.documentElement.classList.contains('usa-js-loading')), false,
          'USWDS JavaScript finished loading');
        const v = await axeViolations(page);
        assert.equal(v.length, 0, `axe violations on ${pg.name} (${label}):\n${formatViolations(v)}`);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= viewport.width, `page is ${width}px wide on a ${viewport.width}px screen`);
        assertClean(log);
      });
    }
  }

  test('phone screenshots of /admin/users and a facility page', async () => {
    for (const [role, path, file] of [['admin', '/admin/users', 'haven-admin-users-phone.png'],
      ['liaison', '/registry/facilities/4', 'haven-facility-phone.png']]) {
      const { page } = await tabFor(role, 'phone');
      await go(page, path);
      await page.screenshot({ path: `${process.env.HAVEN_SCREENSHOT_DIR || '/tmp'}/${file}`, fullPage: true });
    }
  });

  test('the server saw no Content-Security-Policy violation reports', () => {
    const csp = srv.logLines().filter((l) => l.msg === 'csp violation' || l.route === '/api/v1/csp-report');
    assert.deepEqual(csp, []);
  });
});
