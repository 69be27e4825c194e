// Department protocol documents against the real binary (SQLite or
// PostgreSQL by HAVEN_TEST_DB): a liaison publishes their department's
// protocol and new versions (a stale editor is refused), MOIA a citywide
// one; another department's liaison does not find it; staff acknowledge a
// version themselves, liaisons record their employees' acknowledgements,
// each once, audited; counts per department.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, demoLogins, signIn, api, sql } from './lib.mjs';

let srv, s;
before(async () => {
  srv = await startServer();
  // the demo city's sample training and protocols out of the way: these
  // tests count from a City with none yet
  sql(srv.db, 'DELETE FROM protocol_acks; DELETE FROM protocol_document_versions; DELETE FROM protocol_documents; '
    + 'DELETE FROM training_latest; DELETE FROM training_completions; DELETE FROM training_employees; DELETE FROM training_courses; '
    + 'UPDATE training_state SET generation = generation + 1');
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
  const roster = 'employee_number,department,unit,active\nP1,LAPL,Central,yes\nP2,LAPL,Central,yes\nP3,LAPL,Branches,yes\nP4,LAPL,Branches,no\n';
  const r = await api(srv, s.liaison, 'POST', '/api/v1/training/roster', roster, { 'Content-Type': 'text/csv' });
  assert.equal(r.status, 200);
  const rap = await api(srv, s.moia, 'POST', '/api/v1/training/roster', 'employee_number,department,unit,active\nQ1,RAP,Parks,yes\n', { 'Content-Type': 'text/csv' });
  assert.equal(rap.status, 200);
});
after(async () => { await srv.stop(); srv.cleanup(); });

const json = async (res) => ({ status: res.status, body: await res.json().catch(() => null) });
const call = (who, method, p, body) => api(srv, who, method, p, body).then(json);
const events = (action) => Number(sql(srv.db, `SELECT COUNT(*) FROM audit_events WHERE action = '${action}'`).trim());

let lapl, city;

test('a liaison publishes their department\'s protocol; versions; a stale editor is refused', async () => {
  const published0 = events('protocol_doc.publish');
  let r = await call(s.liaison, 'POST', '/api/v1/protocols', { title: 'Library: agents at a branch', department: 'LAPL', markdown: '# At a branch\n\nAsk agents to wait in the lobby.' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  lapl = r.body.id;
  assert.equal(r.body.version, 1);
  assert.equal(events('protocol_doc.publish'), published0 + 1);
  assert.equal(r.body.department, 'LAPL');
  assert.match(r.body.html, /<h2>At a branch<\/h2>/);
  r = await call(s.liaison, 'PUT', `/api/v1/protocols/${lapl}`, { markdown: '# At a branch\n\nAsk agents to wait in the lobby. Call the liaison.', note: 'Call the liaison', expect_version: 1 });
  assert.equal(r.status, 201);
  assert.equal(r.body.version, 2);
  assert.deepEqual(r.body.versions.map((v) => v.version), [2, 1]);
  r = await call(s.moia, 'PUT', `/api/v1/protocols/${lapl}`, { markdown: 'Late edit', expect_version: 1 });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.current_version, 2);
  r = await call(s.liaison, 'GET', `/api/v1/protocols/${lapl}/versions/1`);
  assert.equal(r.body.version, 1);
  assert.equal(r.body.current_version, 2);
  r = await call(s.liaison, 'POST', '/api/v1/protocols', { title: 'Parks', department: 'RAP', markdown: 'x' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'department');
  r = await call(s.liaison, 'POST', '/api/v1/protocols', { title: 'Citywide', markdown: 'x' });
  assert.equal(r.status, 422);
  r = await call(s.liaison, 'POST', '/api/v1/protocols', { title: 'Empty', department: 'LAPL', markdown: '   ' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'markdown');
  r = await call(s.staff, 'POST', '/api/v1/protocols', { title: 'Staff', department: 'LAPL', markdown: 'x' });
  assert.equal(r.status, 403);
  r = await call(s.moia, 'POST', '/api/v1/protocols', { title: 'Citywide: federal agents on City premises', markdown: 'Do not consent to entry of non-public areas without a judicial warrant.' });
  assert.equal(r.status, 201);
  city = r.body.id;
  assert.equal(r.body.department, null);
  r = await call(s.liaison, 'PUT', `/api/v1/protocols/${city}`, { markdown: 'Mine now', expect_version: 1 });
  assert.equal(r.status, 403);
});

test('department isolation: another department\'s protocol is not found', async () => {
  assert.equal((await call(s.liaison2, 'GET', `/api/v1/protocols/${lapl}`)).status, 404);
  assert.equal((await call(s.liaison2, 'PUT', `/api/v1/protocols/${lapl}`, { markdown: 'x', expect_version: 2 })).status, 404);
  assert.equal((await call(s.liaison2, 'POST', `/api/v1/protocols/${lapl}/acknowledgements`, {})).status, 404);
  assert.equal((await call(s.liaison2, 'GET', `/api/v1/protocols/${lapl}/acknowledgements`)).status, 404);
  const theirs = await call(s.liaison2, 'GET', '/api/v1/protocols');
  assert.deepEqual(theirs.body.items.map((d) => d.id), [city]);
  const mine = await call(s.staff, 'GET', '/api/v1/protocols');
  assert.deepEqual(mine.body.items.map((d) => d.id).sort(), [lapl, city].sort());
  assert.equal((await api(srv, s.liaison2, 'GET', `/protocols/${lapl}`)).status, 404);
});

test('acknowledgements: staff themselves, employees by their liaison, once each; counts', async () => {
  const acked0 = events('protocol_doc.acknowledge');
  let r = await call(s.staff, 'POST', `/api/v1/protocols/${lapl}/acknowledgements`, {});
  assert.equal(r.status, 201);
  assert.equal(r.body.version, 2);
  r = await call(s.staff, 'POST', `/api/v1/protocols/${lapl}/acknowledgements`, { version: 2 });
  assert.equal(r.status, 200);
  assert.equal(r.body.already, true);
  assert.equal((await call(s.staff, 'GET', `/api/v1/protocols/${lapl}`)).body.acknowledged, true);
  r = await call(s.staff, 'POST', `/api/v1/protocols/${lapl}/acknowledgements`, { employee_number: 'P1' });
  assert.equal(r.status, 403, 'staff do not record others');
  for (const n of ['P1', 'P2']) {
    r = await call(s.liaison, 'POST', `/api/v1/protocols/${lapl}/acknowledgements`, { employee_number: n });
    assert.equal(r.status, 201);
  }
  r = await call(s.liaison, 'POST', `/api/v1/protocols/${lapl}/acknowledgements`, { employee_number: 'P1' });
  assert.equal(r.body.already, true);
  r = await call(s.liaison, 'POST', `/api/v1/protocols/${lapl}/acknowledgements`, { employee_number: 'Q1' });
  assert.equal(r.status, 422, 'another department\'s employee');
  r = await call(s.liaison, 'POST', `/api/v1/protocols/${lapl}/acknowledgements`, { employee_number: 'P4' });
  assert.equal(r.status, 422, 'an inactive employee');
  r = await call(s.moia, 'POST', `/api/v1/protocols/${lapl}/acknowledgements`, { employee_number: 'Q1' });
  assert.equal(r.status, 422, 'not this department\'s protocol');
  r = await call(s.liaison, 'POST', `/api/v1/protocols/${lapl}/acknowledgements`, { version: 9 });
  assert.equal(r.status, 404);
  assert.equal(events('protocol_doc.acknowledge'), acked0 + 3);
  r = await call(s.liaison, 'GET', `/api/v1/protocols/${lapl}/acknowledgements`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { version: 2, users: 1, departments: [{ department: 'LAPL', name: r.body.departments[0].name, active: 3, acknowledged: 2, percent: 66 }] });
  r = await call(s.liaison, 'GET', `/api/v1/protocols/${lapl}/acknowledgements?version=1`);
  assert.equal(r.body.departments[0].acknowledged, 0);
  // a citywide protocol: MOIA sees every department with a roster
  await call(s.moia, 'POST', `/api/v1/protocols/${city}/acknowledgements`, { employee_number: 'Q1' });
  r = await call(s.auditor, 'GET', `/api/v1/protocols/${city}/acknowledgements`);
  assert.deepEqual(r.body.departments.map((d) => [d.department, d.active, d.acknowledged]), [['LAPL', 3, 0], ['RAP', 1, 1]]);
  r = await call(s.liaison, 'GET', `/api/v1/protocols/${city}/acknowledgements`);
  assert.deepEqual(r.body.departments.map((d) => d.department), ['LAPL']);
  assert.equal((await call(s.staff, 'GET', `/api/v1/protocols/${city}/acknowledgements`)).status, 403);
});

test('the pages: list, a protocol, acknowledge and record through forms', async () => {
  const form = (who, p, fields) => fetch(srv.url + p, {
    method: 'POST', redirect: 'manual',
    headers: { Origin: srv.url, Cookie: who.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: who.csrf, ...fields }).toString(),
  });
  let r = await api(srv, s.liaison2, 'GET', '/protocols');
  assert.equal(r.status, 200);
  assert.match(await r.text(), /Citywide: federal agents/);
  let f = await form(s.liaison2, `/protocols/${city}`, { action: 'acknowledge', version: '1' });
  assert.equal(f.status, 303);
  r = await api(srv, s.liaison2, 'GET', `/protocols/${city}?acknowledged=1`);
  assert.match(await r.text(), /You acknowledged version 1/);
  f = await form(s.liaison, `/protocols/${lapl}`, { action: 'record', version: '2', employee_number: 'NOPE' });
  assert.equal(f.status, 422);
  assert.match(await f.text(), /No active employee/);
  f = await form(s.liaison, `/protocols/${lapl}`, { action: 'record', version: '2', employee_number: 'P3' });
  assert.equal(f.status, 303);
  f = await form(s.liaison, `/protocols/${lapl}`, { action: 'publish', expect_version: '1', markdown: 'stale' });
  assert.equal(f.status, 409);
  f = await form(s.liaison, '/protocols', { title: 'Library: second', department: 'LAPL', markdown: 'Text' });
  assert.equal(f.status, 303);
});
