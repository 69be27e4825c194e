// The FOIA request tracker against the real binary (SQLite or PostgreSQL by
// HAVEN_TEST_DB): a request's life (create, acknowledge, a clarification
// pausing the clock and resuming it, an extension, the final response, the
// appeal window with its Eastern cut-off seen from Los Angeles), the version
// check, tracking numbers, errors by field, audit events, roles, and a
// closure added through the calendars API moving an open deadline at once.
// Expected dates were counted independently (a Python script with the
// federal holidays of 5 U.S.C. 6103), not by the binary.
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
const call = (who, method, path, body) => api(srv, who, method, path, body).then(json);
const dl = (req, kind) => req.deadlines.find((d) => d.kind === kind);

test('a request from receipt to the appeal window, with every deadline explained', async () => {
  const c = await call(s.moia, 'POST', '/api/v1/foia/requests', {
    agency: 'U.S. Immigration and Customs Enforcement', component: 'FOIA Office',
    subject: 'Test request', records_sought: 'Records of enforcement activity.',
    submitted_on: '2026-01-05', received_on: '2026-01-05', expedited_asked: true,
  });
  assert.equal(c.status, 201);
  const id = c.body.id;
  assert.equal(c.body.status, 'submitted');
  assert.equal(c.body.version, 1);
  let d = dl(c.body, 'determination');
  assert.equal(d.due, '2026-02-03');
  assert.equal(d.explanation.counting_from, '2026-01-06');
  assert.deepEqual(d.explanation.skipped, [{ date: '2026-01-19', reason: 'Birthday of Martin Luther King, Jr.' }]);
  assert.equal(d.explanation.weekend_days, 8);
  assert.equal(dl(c.body, 'expedited_decision').due, '2026-01-15');
  assert.equal(dl(c.body, 'appeal_window').status, 'not_applicable');

  let r = await call(s.moia, 'POST', `/api/v1/foia/requests/${id}/events`, { type: 'acknowledged', date: '2026-01-06', note: 'Letter received' });
  assert.equal(r.status, 201);
  assert.equal(r.body.status, 'acknowledged');
  assert.equal(r.body.version, 2);

  // a clarification stops the clock with 15 working days left ...
  r = await call(s.legal, 'POST', `/api/v1/foia/requests/${id}/events`, { type: 'clarification_asked', date: '2026-01-12' });
  d = dl(r.body, 'determination');
  assert.equal(r.body.status, 'clarification_asked');
  assert.equal(d.status, 'paused');
  assert.equal(d.due, null);
  assert.equal(d.days_left, 15);
  assert.equal(d.explanation.pauses.length, 1);
  assert.deepEqual({ ...d.explanation.pauses[0], working_days: undefined }, { kind: 'clarification', from: '2026-01-12', to: null, working_days: undefined });
  assert.ok(d.explanation.pauses[0].working_days > 0, 'an open pause counts the days up to today');
  // ... and resumes when it is answered
  r = await call(s.moia, 'POST', `/api/v1/foia/requests/${id}/events`, { type: 'clarification_answered', date: '2026-01-26' });
  d = dl(r.body, 'determination');
  assert.equal(d.due, '2026-02-17');
  assert.deepEqual(d.explanation.pauses, [{ kind: 'clarification', from: '2026-01-12', to: '2026-01-26', working_days: 9 }]);

  // an extension notice adds 10 working days
  r = await call(s.moia, 'POST', `/api/v1/foia/requests/${id}/events`, { type: 'extension', date: '2026-02-10' });
  d = dl(r.body, 'determination');
  assert.equal(r.body.status, 'extended');
  assert.equal(d.due, '2026-03-03');
  assert.deepEqual(d.explanation.extensions, [{ on: '2026-02-10', working_days: 10, due_before: '2026-02-17', due_after: '2026-03-03' }]);

  // the final response meets it and opens the appeal window
  r = await call(s.moia, 'POST', `/api/v1/foia/requests/${id}/events`, { type: 'final_response', date: '2026-03-02' });
  d = dl(r.body, 'determination');
  assert.equal(d.status, 'met');
  assert.equal(d.met_on, '2026-03-02');
  assert.equal(d.met_late, false);
  const w = dl(r.body, 'appeal_window');
  assert.equal(w.due, '2026-07-09');
  assert.deepEqual(w.electronic_cutoff, {
    utc: '2026-07-10 03:59:59', eastern: '2026-07-09 23:59:59 EDT', los_angeles: '2026-07-09 20:59:59 PDT',
  });
  assert.equal(r.body.events.length, 5);

  // tracking numbers
  r = await call(s.moia, 'POST', `/api/v1/foia/requests/${id}/tracking-numbers`, { number: '2026-ICFO-01234', reason: 'initial', assigned_on: '2026-01-06' });
  assert.equal(r.status, 201);
  assert.deepEqual(r.body.tracking_numbers, [{ number: '2026-ICFO-01234', reason: 'initial', assigned_on: '2026-01-06' }]);
  assert.equal((await call(s.moia, 'POST', `/api/v1/foia/requests/${id}/tracking-numbers`, { number: '2026-ICFO-01234', reason: 'referral' })).status, 409);
  const bad = await call(s.moia, 'POST', `/api/v1/foia/requests/${id}/tracking-numbers`, { number: 'X', reason: 'because' });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.error.field, 'reason');

  // the version check
  const cur = (await call(s.moia, 'GET', `/api/v1/foia/requests/${id}`)).body;
  const stale = await call(s.moia, 'PATCH', `/api/v1/foia/requests/${id}`, { version: 1, subject: 'Stale' });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.error.field, 'version');
  const ok = await call(s.moia, 'PATCH', `/api/v1/foia/requests/${id}`, { version: cur.version, subject: 'Renamed', fee_waiver_asked: true });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.subject, 'Renamed');
  assert.equal(ok.body.fee_waiver_asked, true);
  assert.equal(ok.body.version, cur.version + 1);
  assert.equal((await call(s.moia, 'PATCH', `/api/v1/foia/requests/${id}`, { subject: 'No version' })).status, 400);

  const actions = sql(srv.db, `SELECT action FROM audit_events WHERE object_type = 'foia_request' AND object_id = '${id}' ORDER BY seq`).trim().split('\n').map((x) => x.trim());
  assert.deepEqual(actions, ['foia.request.create', 'foia.event.add', 'foia.event.add', 'foia.event.add', 'foia.event.add', 'foia.event.add', 'foia.tracking.add', 'foia.request.update']);
});

test('a closure added through the calendars API moves the deadlines of open requests', async () => {
  const c = await call(s.moia, 'POST', '/api/v1/foia/requests', {
    agency: 'ICE', subject: 'Closure test', records_sought: 'Records.', received_on: '2026-01-05',
  });
  const id = c.body.id;
  await call(s.moia, 'POST', `/api/v1/foia/requests/${id}/events`, { type: 'final_response', date: '2026-03-02' });
  let r = await call(s.legal, 'GET', `/api/v1/foia/requests/${id}`);
  assert.equal(dl(r.body, 'appeal_window').due, '2026-07-09');
  assert.equal((await call(s.moia, 'POST', '/api/v1/calendars/federal/closures', { date: '2026-04-15', name: 'Day of mourning' })).status, 201);
  r = await call(s.legal, 'GET', `/api/v1/foia/requests/${id}`);
  const w = dl(r.body, 'appeal_window');
  assert.equal(w.due, '2026-07-10');
  assert.ok(w.explanation.skipped.some((x) => x.date === '2026-04-15' && x.reason === 'Day of mourning'));
  const list = await call(s.moia, 'GET', '/api/v1/foia/requests');
  assert.equal(list.status, 200);
  const item = list.body.items.find((x) => x.id === id);
  assert.equal(item.next_deadline.kind, 'appeal_window');
  assert.equal(item.next_deadline.due, '2026-07-10');
  assert.equal((await api(srv, s.moia, 'DELETE', '/api/v1/calendars/federal/closures/2026-04-15')).status, 204);
  assert.equal(dl((await call(s.legal, 'GET', `/api/v1/foia/requests/${id}`)).body, 'appeal_window').due, '2026-07-09');
});

test('bad input is answered by field; unknown requests 404', async () => {
  const missing = await call(s.moia, 'POST', '/api/v1/foia/requests', { agency: 'ICE', subject: 'x' });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error.field, 'records_sought');
  const unknown = await call(s.moia, 'POST', '/api/v1/foia/requests', { agency: 'ICE', subject: 'x', records_sought: 'y', nationality: 'z' });
  assert.equal(unknown.status, 400);
  const status = await call(s.moia, 'POST', '/api/v1/foia/requests', { agency: 'ICE', subject: 'x', records_sought: 'y', status: 'lost' });
  assert.equal(status.status, 422);
  assert.equal(status.body.error.field, 'status');
  const order = await call(s.moia, 'POST', '/api/v1/foia/requests', { agency: 'ICE', subject: 'x', records_sought: 'y', submitted_on: '2026-02-01', received_on: '2026-01-01' });
  assert.equal(order.status, 422);
  assert.equal(order.body.error.field, 'received_on');
  const c = await call(s.moia, 'POST', '/api/v1/foia/requests', { agency: 'ICE', subject: 'x', records_sought: 'y' });
  assert.equal(c.body.status, 'drafted');
  const ev = await call(s.moia, 'POST', `/api/v1/foia/requests/${c.body.id}/events`, { type: 'raid', date: '2026-01-01' });
  assert.equal(ev.status, 422);
  assert.equal(ev.body.error.field, 'type');
  const future = await call(s.moia, 'POST', `/api/v1/foia/requests/${c.body.id}/events`, { type: 'sent', date: '2199-01-01' });
  assert.equal(future.status, 422);
  assert.equal(future.body.error.field, 'date');
  assert.equal((await call(s.moia, 'GET', '/api/v1/foia/requests/999999')).status, 404);
  assert.equal((await call(s.moia, 'POST', '/api/v1/foia/requests/999999/events', { type: 'sent', date: '2026-01-01' })).status, 404);
});

test('only MOIA, the City Attorney and administrators see FOIA requests', async () => {
  for (const who of ['staff', 'liaison', 'agent311', 'auditor', 'workgroup']) {
    assert.equal((await api(srv, s[who], 'GET', '/api/v1/foia/requests')).status, 403, who);
    assert.equal((await api(srv, s[who], 'POST', '/api/v1/foia/requests', { agency: 'a', subject: 'b', records_sought: 'c' })).status, 403, who);
  }
  assert.equal((await api(srv, null, 'GET', '/api/v1/foia/requests')).status, 401);
  assert.equal((await api(srv, s.admin, 'GET', '/api/v1/foia/requests')).status, 200);
});

test('the demo city holds the directive\'s request to ICE, acknowledged, with its tracking number', async () => {
  const list = await call(s.moia, 'GET', '/api/v1/foia/requests');
  const ice = list.body.items.find((x) => x.component === 'FOIA Office' && /Los Angeles since June 2025/.test(x.subject));
  assert.ok(ice, 'the directive\'s request is on the board');
  assert.match(ice.agency, /Immigration and Customs Enforcement/);
  const r = (await call(s.legal, 'GET', `/api/v1/foia/requests/${ice.id}`)).body;
  assert.match(r.records_sought, /arrests/);
  assert.match(r.records_sought, /identify/);
  assert.equal(r.status, 'acknowledged');
  assert.deepEqual(r.events.map((e) => e.type), ['sent', 'acknowledged']);
  assert.equal(r.tracking_numbers[0].reason, 'initial');
  assert.equal(dl(r, 'determination').due, '2025-08-13');
});

const form = (who, path, fields) => api(srv, who, 'POST', path, new URLSearchParams({ csrf: who.csrf, ...fields }).toString(),
  { 'Content-Type': 'application/x-www-form-urlencoded' });

test('the pages: board, a request with how each deadline was computed, the forms', async () => {
  const board = await api(srv, s.moia, 'GET', '/foia');
  assert.equal(board.status, 200);
  const html = await board.text();
  assert.match(html, /href="\/foia"/, 'the nav links the board');
  assert.match(html, /Immigration enforcement activity in Los Angeles since June 2025/);
  assert.equal((await api(srv, s.liaison, 'GET', '/foia')).status, 403);
  assert.doesNotMatch(await (await api(srv, s.liaison, 'GET', '/registry')).text(), /href="\/foia"/);

  const made = await form(s.moia, '/foia/new', { agency: 'ICE', subject: 'Page test', records_sought: 'Records.', received_on: '2026-01-05' });
  assert.equal(made.status, 303);
  const where = made.headers.get('location');
  assert.match(where, /^\/foia\/\d+\?added=request$/);
  const id = /\/foia\/(\d+)/.exec(where)[1];
  const missing = await form(s.moia, '/foia/new', { agency: 'ICE', subject: '', records_sought: 'x' });
  assert.equal(missing.status, 422);
  assert.match(await missing.text(), /href="#subject"/);

  assert.equal((await form(s.moia, `/foia/${id}/events`, { type: 'clarification_asked', date: '2026-01-12' })).status, 303);
  assert.equal((await form(s.moia, `/foia/${id}/events`, { type: 'clarification_answered', date: '2026-01-26', note: 'Scope narrowed' })).status, 303);
  assert.equal((await form(s.moia, `/foia/${id}/tracking-numbers`, { number: '2026-ICFO-9', reason: 'initial', assigned_on: '' })).status, 303);
  const bad = await form(s.moia, `/foia/${id}/events`, { type: 'clarification_asked', date: '2026-02-30' });
  assert.equal(bad.status, 422);
  assert.match(await bad.text(), /Enter the date it happened/);

  const page = await (await api(srv, s.legal, 'GET', `/foia/${id}`)).text();
  assert.match(page, /<summary>How it was computed<\/summary>/);
  assert.match(page, /Due 2026-02-17\./);
  assert.match(page, /2026-01-19: Birthday of Martin Luther King, Jr\./);
  assert.match(page, /from 2026-01-12 to 2026-01-26: 9 working days not counted/);
  assert.match(page, /2026-ICFO-9 \(initial\)/);
  assert.match(page, /Scope narrowed/);
});
