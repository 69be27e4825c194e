// Employee training against the real binary (SQLite or PostgreSQL by
// HAVEN_TEST_DB): courses, roster and completions imports (bad rows refused
// whole, by row and column, nothing written; re-imports idempotent; a
// department's missing employees marked inactive), coverage on known data
// with the server's clock set to 2026-06-30 (the recurrence boundary
// included), the overdue list, and department isolation (a liaison sees and
// imports only their own department; another answers 404).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, demoLogins, signIn, api, sql } from './lib.mjs';

let srv, s, clockDir;
before(async () => {
  clockDir = mkdtempSync(path.join(os.tmpdir(), 'haven-clock-'));
  const file = path.join(clockDir, 'offset');
  // noon in Los Angeles on 2026-06-30 (19:00 UTC): the same date in both zones
  writeFileSync(file, String(Date.parse('2026-06-30T19:00:00Z') - Date.now()));
  srv = await startServer({ env: { HAVEN_CLOCK_OFFSET_FILE: file } });
  // the demo city's sample training and protocols out of the way: these
  // tests count from a City with none yet
  sql(srv.db, 'DELETE FROM protocol_acks; DELETE FROM protocol_document_versions; DELETE FROM protocol_documents; '
    + 'DELETE FROM training_latest; DELETE FROM training_completions; DELETE FROM training_employees; DELETE FROM training_courses; '
    + 'UPDATE training_state SET generation = generation + 1');
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
});
after(async () => { await srv.stop(); srv.cleanup(); rmSync(clockDir, { recursive: true, force: true }); });

const json = async (res) => ({ status: res.status, body: await res.json().catch(() => null) });
const call = (who, method, p, body) => api(srv, who, method, p, body).then(json);
const csv = (who, kind, text) => api(srv, who, 'POST', `/api/v1/training/${kind}`, text, { 'Content-Type': 'text/csv' }).then(json);
const count = (q) => Number(sql(srv.db, q).trim());
const audits = () => count("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'training.%'");

const LAPL_ROSTER = [
  'employee_number,name,department,unit,active',
  'L001,Ana A,LAPL,Central,yes',
  'L002,Ben B,LAPL,Central,yes',
  'L003,Cy C,LAPL,Central,Yes',
  'L004,Di D,LAPL,Branches,yes',
  'L005,Ed E,LAPL,Branches,yes',
  'L006,Flo F,LAPL,Branches,no',
].join('\r\n');

const LAPL_DONE = [
  'course,employee_number,completed_on', // columns in another order
  'ED12,L001,2026-01-10',
  'INTRO,L001,2019-05-01',
  'ED12,L002,2024-01-01',
  'ED12,L002,2025-06-29', // due 2026-06-29: overdue on 2026-06-30
  'ED12,L003,2025-06-30', // due 2026-06-30: still covered today
  'LAPL-SAFE,L003,2024-07-01',
  'ED12,L004,2026-03-01',
  'INTRO,L004,2026-03-01',
  'ED12,L006,2026-01-01', // inactive: not counted
].join('\n');

test('courses: MOIA adds citywide ones, a liaison only their department\'s', async () => {
  let r = await call(s.moia, 'POST', '/api/v1/training/courses', { code: 'ED12', title: 'Ordinance 188441 and ED 12 on City premises', recurrence_days: 365 });
  assert.equal(r.status, 201);
  assert.equal(r.body.department, null);
  r = await call(s.moia, 'POST', '/api/v1/training/courses', { code: 'INTRO', title: 'Know the protocol', recurrence_days: 0 });
  assert.equal(r.status, 201);
  r = await call(s.liaison, 'POST', '/api/v1/training/courses', { code: 'CITY2', title: 'Citywide by a liaison', recurrence_days: 365 });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.field, 'department');
  r = await call(s.liaison, 'POST', '/api/v1/training/courses', { code: 'RAP-X', title: 'Other department', department: 'RAP', recurrence_days: 365 });
  assert.equal(r.status, 409);
  r = await call(s.liaison, 'POST', '/api/v1/training/courses', { code: 'LAPL-SAFE', title: 'Library safety walk', department: 'LAPL', recurrence_days: 730 });
  assert.equal(r.status, 201);
  r = await call(s.moia, 'POST', '/api/v1/training/courses', { code: 'ED12', title: 'Again', recurrence_days: 365 });
  assert.equal(r.status, 409);
  r = await call(s.moia, 'POST', '/api/v1/training/courses', { code: 'bad code', title: 'x', recurrence_days: 365 });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'code');
  r = await call(s.auditor, 'POST', '/api/v1/training/courses', { code: 'AUD', title: 'x', recurrence_days: 1 });
  assert.equal(r.status, 403);
  // the other liaison does not see LAPL's own course
  const rap = await call(s.liaison2, 'GET', '/api/v1/training/courses');
  assert.deepEqual(rap.body.items.map((c) => c.code), ['ED12', 'INTRO']);
  const lapl = await call(s.liaison, 'GET', '/api/v1/training/courses');
  assert.deepEqual(lapl.body.items.map((c) => c.code), ['ED12', 'INTRO', 'LAPL-SAFE']);
});

test('roster: imported by the liaison, idempotent, refused whole with problems by row', async () => {
  const a0 = audits();
  let r = await csv(s.liaison, 'roster', LAPL_ROSTER);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { file: 'roster', rows: 6, added: 6, updated: 0, unchanged: 0, deactivated: 0 });
  assert.equal(audits(), a0 + 1);
  const stored = sql(srv.db, 'SELECT * FROM training_employees ORDER BY id');
  r = await csv(s.liaison, 'roster', LAPL_ROSTER);
  assert.deepEqual(r.body, { file: 'roster', rows: 6, added: 0, updated: 0, unchanged: 6, deactivated: 0 });
  assert.equal(sql(srv.db, 'SELECT * FROM training_employees ORDER BY id'), stored, 'nothing rewritten');
  assert.equal(audits(), a0 + 1, 'an import that changes nothing is not an event');

  // another department's rows, bad cells, a repeated number: all refused, nothing written
  const bad = [
    'employee_number,department,unit,active',
    'L010,LAPL,Central,yes',
    'R900,RAP,Parks,yes',
    'L011,NOPE,Central,yes',
    'L 12,LAPL,,maybe',
    'L010,LAPL,Branches,yes',
  ].join('\n');
  r = await csv(s.liaison, 'roster', bad);
  assert.equal(r.status, 422);
  const e = r.body.error;
  assert.equal(e.code, 'invalid_file');
  assert.match(e.message, /nothing was saved/);
  const at = (row, column) => e.rows.find((x) => x.row === row && x.column === column);
  assert.match(at(5, 'employee_number').message, /letters, digits/);
  assert.match(at(5, 'unit').message, /Enter the unit/);
  assert.match(at(5, 'active').message, /yes or no/);
  assert.match(at(6, 'employee_number').message, /also on row 2/);
  // the file-level problems come first; the database's once the cells are right
  const fixed = bad.split('\n').filter((_, i) => i !== 4 && i !== 5).join('\n');
  r = await csv(s.liaison, 'roster', fixed);
  assert.equal(r.status, 422);
  const at2 = (row, column) => r.body.error.rows.find((x) => x.row === row && x.column === column);
  assert.match(at2(3, 'department').message, /only your own department's roster \(LAPL\)/);
  assert.match(at2(4, 'department').message, /no department with this code/);
  assert.equal(r.body.error.rows.length, 2);
  assert.equal(sql(srv.db, 'SELECT * FROM training_employees ORDER BY id'), stored, 'nothing written');

  r = await csv(s.moia, 'roster', 'employee_number,department,unit,active,name\nR001,RAP,Parks East,yes,Rae\nR002,RAP,Parks East,yes,Rob\nR003,RAP,Parks West,1,Ria\n');
  assert.equal(r.status, 200);
  assert.equal(r.body.added, 3);
  // a liaison cannot take over another department's employee
  r = await csv(s.liaison, 'roster', `${LAPL_ROSTER}\r\nR001,Rae,LAPL,Central,yes`);
  assert.equal(r.status, 422);
  assert.match(r.body.error.rows[0].message, /another department's roster/);
  r = await csv(s.auditor, 'roster', LAPL_ROSTER);
  assert.equal(r.status, 403);
  r = await api(srv, s.moia, 'POST', '/api/v1/training/roster', LAPL_ROSTER, { 'Content-Type': 'application/json' });
  assert.equal(r.status, 415);
  // no personal data beyond number, name and unit
  const cols = sql(srv.db, srv.db.startsWith('sqlite:')
    ? "SELECT name FROM pragma_table_info('training_employees')"
    : "SELECT column_name FROM information_schema.columns WHERE table_name = 'training_employees' ORDER BY ordinal_position")
    .trim().split('\n').sort();
  assert.deepEqual(cols, ['active', 'department_id', 'employee_number', 'id', 'name', 'unit', 'updated_at']);
});

test('completions: unknown employees and courses are row errors; duplicates unchanged', async () => {
  const bad = [
    'employee_number,course,completed_on',
    'L001,ED12,2026-01-10',
    'R001,ED12,2026-01-10', // RAP's employee: not on the LAPL liaison's roster
    'L404,ED12,2026-01-10',
    'L001,NOPE,2026-01-10',
    'L001,ED12,2026-02-30',
    'L001,ED12,2026-07-01', // after today
  ].join('\n');
  const before = count('SELECT COUNT(*) FROM training_completions');
  let r = await csv(s.liaison, 'completions', bad);
  assert.equal(r.status, 422);
  const rows = r.body.error.rows;
  const at = (row, column) => rows.find((x) => x.row === row && x.column === column);
  assert.match(at(6, 'completed_on').message, /YYYY-MM-DD/);
  assert.match(at(7, 'completed_on').message, /future/);
  // the date problems are found first; with them fixed, the database's
  r = await csv(s.liaison, 'completions', bad.split('\n').slice(0, 5).join('\n'));
  assert.equal(r.status, 422);
  const at2 = (row, column) => r.body.error.rows.find((x) => x.row === row && x.column === column);
  assert.match(at2(3, 'employee_number').message, /your department's roster/);
  assert.match(at2(4, 'employee_number').message, /No employee/);
  assert.match(at2(5, 'course').message, /no course/);
  assert.equal(r.body.error.rows.length, 3);
  assert.equal(count('SELECT COUNT(*) FROM training_completions'), before);
  // RAP's employees cannot take LAPL's own course
  r = await csv(s.moia, 'completions', 'employee_number,course,completed_on\nR001,LAPL-SAFE,2026-01-01');
  assert.equal(r.status, 422);
  assert.match(r.body.error.rows[0].message, /another department's/);

  r = await csv(s.liaison, 'completions', LAPL_DONE);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { file: 'completions', rows: 9, added: 9, updated: 0, unchanged: 0 });
  const a0 = audits();
  r = await csv(s.liaison, 'completions', LAPL_DONE);
  assert.deepEqual(r.body, { file: 'completions', rows: 9, added: 0, updated: 0, unchanged: 9 });
  assert.equal(audits(), a0);
  r = await csv(s.moia, 'completions', 'employee_number,course,completed_on\nR001,ED12,2026-06-01\nR001,ED12,2026-06-01\n');
  assert.deepEqual(r.body, { file: 'completions', rows: 2, added: 1, updated: 0, unchanged: 1 });
  // an older completion imported later does not replace the latest
  r = await csv(s.liaison, 'completions', 'employee_number,course,completed_on\nL001,ED12,2020-01-01');
  assert.equal(r.body.added, 1);
});

const cell = (courses, code) => {
  const c = courses.find((x) => x.code === code);
  return c && [c.covered, c.overdue, c.percent];
};

test('coverage on known data as of 2026-06-30, by department and by unit', async () => {
  let r = await call(s.moia, 'GET', '/api/v1/training/coverage/LAPL');
  assert.equal(r.status, 200);
  const d = r.body;
  assert.equal(d.as_of, '2026-06-30');
  assert.equal(d.active, 5);
  assert.deepEqual(cell(d.courses, 'ED12'), [3, 2, 60]);
  assert.deepEqual(cell(d.courses, 'INTRO'), [2, 3, 40]);
  assert.deepEqual(cell(d.courses, 'LAPL-SAFE'), [1, 4, 20]);
  assert.equal(d.covered, 6);
  assert.equal(d.required, 15);
  assert.equal(d.percent, 40);
  assert.deepEqual(d.units.map((u) => [u.unit, u.active]), [['Branches', 2], ['Central', 3]]);
  const central = d.units.find((u) => u.unit === 'Central');
  assert.deepEqual(cell(central.courses, 'ED12'), [2, 1, 66]);
  assert.deepEqual(cell(central.courses, 'INTRO'), [1, 2, 33]);
  assert.deepEqual(cell(central.courses, 'LAPL-SAFE'), [1, 2, 33]);
  const branches = d.units.find((u) => u.unit === 'Branches');
  assert.deepEqual(cell(branches.courses, 'ED12'), [1, 1, 50]);

  r = await call(s.moia, 'GET', '/api/v1/training/coverage');
  const rap = r.body.items.find((x) => x.department === 'RAP');
  assert.equal(rap.active, 3);
  assert.deepEqual(rap.courses.map((c) => c.code), ['ED12', 'INTRO'], 'another department\'s course does not apply');
  assert.deepEqual(cell(rap.courses, 'ED12'), [1, 2, 33]);
  assert.equal(rap.percent, 16);
  const lapl = r.body.items.find((x) => x.department === 'LAPL');
  assert.equal(lapl.percent, 40);
  const empty = r.body.items.find((x) => x.department === 'CAO');
  assert.equal(empty.active, 0);
  assert.equal(empty.percent, null);
  // auditors read
  assert.equal((await call(s.auditor, 'GET', '/api/v1/training/coverage/LAPL')).status, 200);
});

test('the overdue list for the liaison', async () => {
  let r = await call(s.liaison, 'GET', '/api/v1/training/coverage/LAPL/overdue?course=ED12');
  assert.equal(r.status, 200);
  assert.equal(r.body.total, 2);
  assert.deepEqual(r.body.items, [
    { employee_number: 'L005', name: 'Ed E', unit: 'Branches', course: 'ED12', last_completed: null, due: null },
    { employee_number: 'L002', name: 'Ben B', unit: 'Central', course: 'ED12', last_completed: '2025-06-29', due: '2026-06-29' },
  ]);
  r = await call(s.liaison, 'GET', '/api/v1/training/coverage/LAPL/overdue');
  assert.equal(r.body.total, 9);
  r = await call(s.liaison, 'GET', `/api/v1/training/coverage/LAPL/overdue?unit=${encodeURIComponent('Central')}&course=INTRO`);
  assert.deepEqual(r.body.items.map((x) => x.employee_number), ['L002', 'L003']);
  r = await call(s.liaison, 'GET', '/api/v1/training/coverage/LAPL/overdue?offset=-1');
  assert.equal(r.status, 400);
});

test('department isolation: another department answers 404, lists hold only one\'s own', async () => {
  for (const p of ['/api/v1/training/coverage/RAP', '/api/v1/training/coverage/RAP/overdue', '/api/v1/training/coverage/NOPE']) {
    assert.equal((await call(s.liaison, 'GET', p)).status, 404, p);
  }
  assert.equal((await call(s.liaison2, 'GET', '/api/v1/training/coverage/LAPL/overdue')).status, 404);
  const mine = await call(s.liaison, 'GET', '/api/v1/training/coverage');
  assert.deepEqual(mine.body.items.map((x) => x.department), ['LAPL']);
  const pg = await api(srv, s.liaison2, 'GET', '/training/departments/LAPL');
  assert.equal(pg.status, 404);
  assert.equal((await call(s.staff, 'GET', '/api/v1/training/coverage')).status, 403);
  assert.equal((await call(s.agent311, 'GET', '/api/v1/training/coverage')).status, 403);
});

test('a department file without an employee marks them inactive, and coverage follows', async () => {
  const without = LAPL_ROSTER.split('\r\n').filter((l) => !l.startsWith('L005')).join('\r\n');
  let r = await csv(s.liaison, 'roster', without);
  assert.deepEqual(r.body, { file: 'roster', rows: 5, added: 0, updated: 0, unchanged: 5, deactivated: 1 });
  r = await csv(s.liaison, 'roster', without);
  assert.equal(r.body.deactivated, 0, 'idempotent');
  assert.equal(count("SELECT COUNT(*) FROM training_employees WHERE department_id = (SELECT id FROM departments WHERE code = 'RAP') AND active = 1"), 3,
    'other departments untouched');
  r = await call(s.liaison, 'GET', '/api/v1/training/coverage/LAPL');
  assert.equal(r.body.active, 4);
  assert.deepEqual(cell(r.body.courses, 'ED12'), [3, 1, 75]);
  // a unit change is an update
  r = await csv(s.liaison, 'roster', without.replace('L004,Di D,LAPL,Branches', 'L004,Di D,LAPL,Central'));
  assert.equal(r.body.updated, 1);
});

test('the pages: coverage, a department, overdue, courses and an import with a bad row', async () => {
  const page = async (who, p) => { const r = await api(srv, who, 'GET', p); return { status: r.status, text: await r.text() }; };
  let r = await page(s.moia, '/training');
  assert.equal(r.status, 200);
  assert.match(r.text, /Public Library/);
  r = await page(s.liaison, '/training/departments/LAPL');
  assert.equal(r.status, 200);
  assert.match(r.text, /Central/);
  r = await page(s.liaison, '/training/departments/LAPL/overdue?course=ED12');
  assert.match(r.text, /Ben B/);
  r = await page(s.auditor, '/training/courses');
  assert.match(r.text, /LAPL-SAFE/);
  assert.doesNotMatch(r.text, /Add the course/);
  // the import form: multipart, the refused file's rows in a table
  const fd = new FormData();
  fd.set('csrf', s.liaison.csrf);
  fd.set('kind', 'completions');
  fd.set('file', new Blob(['employee_number,course,completed_on\nL001,ED12,2026-01-10\nL001,ED12,yesterday\n'], { type: 'text/csv' }), 'done.csv');
  const res = await fetch(srv.url + '/training/import', { method: 'POST', headers: { Origin: srv.url, Cookie: s.liaison.cookie }, body: fd });
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /<td>3<\/td><td>completed_on<\/td><td>Write the date as YYYY-MM-DD/);
  // a course through the form, and a form error beside its field
  const form = (who, p, fields) => fetch(srv.url + p, {
    method: 'POST', redirect: 'manual',
    headers: { Origin: srv.url, Cookie: who.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: who.csrf, ...fields }).toString(),
  });
  let f = await form(s.moia, '/training/courses', { code: 'WALK', title: 'Premises walk', department: '', recurrence_days: 'x' });
  assert.equal(f.status, 422);
  f = await form(s.moia, '/training/courses', { code: 'WALK', title: 'Premises walk', department: '', recurrence_days: '730' });
  assert.equal(f.status, 303);
});
