// The working-day calculator and the calendars' closures, against the real
// binary (SQLite or PostgreSQL by HAVEN_TEST_DB): the public API and page,
// known answers on both calendars, bad questions answered 400, closures
// added and removed by MOIA with an audit event each, moving the answer at
// once, and refused to everyone else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, demoLogins, signIn, api, sql } from './lib.mjs';

let srv, s;
before(async () => {
  srv = await startServer();
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
});
after(async () => { await srv.stop(); srv.cleanup(); });

const json = async (res) => ({ status: res.status, body: await res.json().catch(() => null) });
const count = (cal, from, days, who = null) =>
  api(srv, who, 'GET', `/api/v1/calendars/${cal}/working-days?from=${encodeURIComponent(from)}&days=${encodeURIComponent(days)}`).then(json);

test('20 working days after the day before Thanksgiving, on each calendar, without signing in', async () => {
  const f = await count('federal', '2026-11-25', 20);
  assert.equal(f.status, 200);
  assert.equal(f.body.date, '2026-12-24');
  assert.deepEqual(f.body.skipped.slice(0, 3), [
    { date: '2026-11-26', reason: 'Thanksgiving Day' },
    { date: '2026-11-28', reason: 'Saturday' },
    { date: '2026-11-29', reason: 'Sunday' },
  ]);
  assert.equal(f.body.skipped.length, 9);
  const la = await count('los-angeles', '2026-11-25', 20);
  assert.equal(la.body.date, '2026-12-28');
  assert.ok(la.body.skipped.some((x) => x.date === '2026-11-27' && x.reason === 'Day after Thanksgiving'));
  assert.ok(la.body.skipped.some((x) => x.date === '2026-12-25' && x.reason === 'Christmas Day'));
});

test('observed holidays across a year end, Juneteenth only since 2021, zero days', async () => {
  const ny = await count('federal', '2021-12-30', 1);
  assert.equal(ny.body.date, '2022-01-03');
  assert.deepEqual(ny.body.skipped[0], { date: '2021-12-31', reason: "New Year's Day (observed)" });
  assert.equal((await count('federal', '2020-06-18', 1)).body.date, '2020-06-19');
  assert.equal((await count('federal', '2021-06-17', 1)).body.date, '2021-06-21');
  const zero = await count('federal', '2026-11-29', 0);
  assert.equal(zero.body.date, '2026-11-29');
  assert.deepEqual(zero.body.skipped, []);
});

test('bad questions answer 400 (or 404 for a calendar that does not exist) and say why', async () => {
  for (const [from, days, field] of [
    ['2026-02-30', 20, 'from'], ['2026-1-5', 20, 'from'], ['', 20, 'from'], ['1989-12-29', 5, 'from'],
    ['2026-11-25', -1, 'days'], ['2026-11-25', 1001, 'days'], ['2026-11-25', 'ten', 'days'],
    ['2026-11-25', '2.5', 'days'], ['2026-11-25', '', 'days'],
  ]) {
    const r = await count('federal', from, days);
    assert.equal(r.status, 400, `${from} ${days}`);
    assert.equal(r.body.error.code, 'invalid_value');
    assert.equal(r.body.error.field, field, `${from} ${days}`);
    assert.ok(r.body.error.message.length > 10);
  }
  const none = await api(srv, null, 'GET', '/api/v1/calendars/federal/working-days').then(json);
  assert.equal(none.status, 400);
  const mars = await count('mars', '2026-11-25', 1);
  assert.equal(mars.status, 404);
  assert.match(mars.body.error.message, /federal or los-angeles/);
});

test('the page answers the same question, without JavaScript, and shows errors beside the fields', async () => {
  const ok = await api(srv, null, 'GET', '/calendars/working-days?calendar=federal&from=2026-11-25&days=20');
  assert.equal(ok.status, 200);
  const html = await ok.text();
  assert.match(html, /<h1>Working-day calculator<\/h1>/);
  assert.match(html, /20 working days after 2026-11-25: <span class="hv-answer">2026-12-24<\/span>/);
  assert.match(html, /<td>2026-11-26<\/td><td>Thanksgiving Day<\/td>/);
  const bad = await api(srv, null, 'GET', '/calendars/working-days?calendar=federal&from=2026-02-30&days=x');
  assert.equal(bad.status, 400);
  const b = await bad.text();
  assert.match(b, /id="from-error">Enter a real date/);
  assert.match(b, /id="days-error">Enter a whole number/);
  assert.match(b, /aria-invalid="true"/);
  assert.match(b, /value="2026-02-30"/, 'what was typed stays in the form');
  const empty = await api(srv, null, 'GET', '/calendars/working-days');
  assert.equal(empty.status, 200);
  assert.doesNotMatch(await empty.text(), /There is a problem/);
});

test('MOIA closes a day by hand: the answer moves at once, the change is audited, and it can be undone', async () => {
  const before = (await count('federal', '2026-11-25', 20)).body.date;
  assert.equal(before, '2026-12-24');
  const audits = () => Number(sql(srv.db, "SELECT COUNT(*) FROM audit_events WHERE action LIKE 'calendar.closure.%'").trim());
  const a0 = audits();
  const add = await api(srv, s.moia, 'POST', '/api/v1/calendars/federal/closures', { date: '2026-12-24', name: '  Executive order: Christmas Eve  ' }).then(json);
  assert.equal(add.status, 201);
  assert.deepEqual(add.body, { calendar: 'federal', date: '2026-12-24', name: 'Executive order: Christmas Eve' });
  assert.equal(audits(), a0 + 1);
  const after = await count('federal', '2026-11-25', 20);
  assert.equal(after.body.date, '2026-12-28');
  assert.ok(after.body.skipped.some((x) => x.date === '2026-12-24' && x.reason === 'Executive order: Christmas Eve'));
  // only that calendar
  assert.equal((await count('los-angeles', '2026-12-23', 1)).body.date, '2026-12-24');
  // listed publicly
  const list = await api(srv, null, 'GET', '/api/v1/calendars/federal/closures').then(json);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((x) => [x.date, x.name]), [['2026-12-24', 'Executive order: Christmas Eve']]);
  // the same day twice, a holiday, a weekend, bad input
  assert.equal((await api(srv, s.moia, 'POST', '/api/v1/calendars/federal/closures', { date: '2026-12-24', name: 'Again' }).then(json)).status, 409);
  const xmas = await api(srv, s.legal, 'POST', '/api/v1/calendars/federal/closures', { date: '2026-12-25', name: 'Christmas' }).then(json);
  assert.equal(xmas.status, 422);
  assert.match(xmas.body.error.message, /already closed on this calendar: Christmas Day/);
  assert.equal((await api(srv, s.moia, 'POST', '/api/v1/calendars/federal/closures', { date: '2026-12-26', name: 'Sat' }).then(json)).status, 422);
  assert.equal((await api(srv, s.moia, 'POST', '/api/v1/calendars/federal/closures', { date: '2026-13-01', name: 'x' }).then(json)).status, 400);
  assert.equal((await api(srv, s.moia, 'POST', '/api/v1/calendars/federal/closures', { date: '2026-12-21', name: '   ' }).then(json)).status, 400);
  assert.equal((await api(srv, s.moia, 'POST', '/api/v1/calendars/federal/closures', { date: '2026-12-21', name: 'a\nb' }).then(json)).status, 400);
  assert.equal((await api(srv, s.moia, 'POST', '/api/v1/calendars/federal/closures', { date: '2026-12-21' }).then(json)).status, 400);
  assert.equal((await api(srv, s.moia, 'POST', '/api/v1/calendars/mars/closures', { date: '2026-12-21', name: 'x' }).then(json)).status, 404);
  assert.equal(audits(), a0 + 1, 'refusals are not recorded as changes');
  // removed again
  assert.equal((await api(srv, s.moia, 'DELETE', '/api/v1/calendars/federal/closures/2026-12-24')).status, 204);
  assert.equal(audits(), a0 + 2);
  assert.equal((await count('federal', '2026-11-25', 20)).body.date, '2026-12-24');
  assert.equal((await api(srv, s.moia, 'DELETE', '/api/v1/calendars/federal/closures/2026-12-24')).status, 404);
  const ev = sql(srv.db, "SELECT action, object_id FROM audit_events WHERE action LIKE 'calendar.closure.%' ORDER BY seq").trim().split('\n');
  assert.deepEqual(ev.map((l) => l.replace(/\s*\|\s*/, '|')), ['calendar.closure.add|federal/2026-12-24', 'calendar.closure.remove|federal/2026-12-24']);
});

test('only MOIA, the City Attorney and administrators change calendars; nobody without a session', async () => {
  for (const who of ['staff', 'liaison', 'agent311', 'auditor', 'workgroup']) {
    const r = await api(srv, s[who], 'POST', '/api/v1/calendars/federal/closures', { date: '2026-12-21', name: 'Mine' });
    assert.equal(r.status, 403, who);
    assert.equal((await api(srv, s[who], 'DELETE', '/api/v1/calendars/federal/closures/2026-12-21')).status, 403, who);
  }
  const anon = await api(srv, null, 'POST', '/api/v1/calendars/federal/closures', { date: '2026-12-21', name: 'Mine' });
  assert.equal(anon.status, 401);
  assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM calendar_closures').trim(), '0');
});
