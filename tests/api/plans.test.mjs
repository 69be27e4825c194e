// Department preparedness plans against the real binary (SQLite or
// PostgreSQL by HAVEN_TEST_DB): a directive issued to every department, a
// plan's whole cycle (answer, submit, request changes requirement by
// requirement, revise, resubmit, accept) with its versions kept and
// compared, version checks and errors by field, audit events in the same
// transaction, department isolation, nobody reviewing their own plan,
// evidence files (SHA-256 of the original, versions, effective date,
// encrypted at rest, 413/415), due dates and lateness on the injected
// clock, and MOIA's board as JSON, CSV (formulas neutralised) and XLSX.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, demoLogins, signIn, api, sql } from './lib.mjs';

const CAP = 100 * 1024;
let srv, s, clockFile, logins;

const json = async (res) => ({ status: res.status, body: await res.json().catch(() => null), headers: res.headers });
const call = (who, method, p, body) => api(srv, who, method, p, body).then(json);
const DAY = 86400000;
// The city's date `offsetDays` from now, as the server computes it.
function cityDay(offsetDays = 0, extraMs = 0) {
  const d = new Date(Date.now() + offsetDays * DAY + extraMs);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}
function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  return new Date(d.getTime() + n * DAY).toISOString().slice(0, 10);
}
const PDF = (marker) => Buffer.from(`%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n% ${marker}\n%%EOF\n`);

function upload(session, planId, rid, bytes, fields = {}, { name = 'memo.pdf', type = 'application/pdf' } = {}) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, String(v));
  fd.append('file', new Blob([bytes], { type }), name);
  return fetch(`${srv.url}/api/v1/plans/${planId}/requirements/${rid}/evidence`, {
    method: 'POST', headers: { Origin: srv.url, Cookie: session.cookie, 'X-CSRF-Token': session.csrf }, body: fd,
  }).then(json);
}

async function signInAll() {
  s = {};
  for (const [k, v] of Object.entries(logins)) s[k] = await signIn(srv, v.email, v.password);
}

before(async () => {
  clockFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'haven-clock-')), 'offset');
  writeFileSync(clockFile, '0');
  srv = await startServer({ env: { HAVEN_CLOCK_OFFSET_FILE: clockFile, HAVEN_ATTACHMENT_MAX: String(CAP) } });
  logins = demoLogins(srv.dir);
  await signInAll();
});
after(async () => { await srv.stop(); srv.cleanup(); rmSync(path.dirname(clockFile), { recursive: true, force: true }); });

const REQS = [
  { code: 'protocol', title: 'Employee protocol adopted' },
  { code: 'trained', title: 'Staff trained', asks_percent: true },
];

async function newDirective(number, extra = {}) {
  const r = await call(s.moia, 'POST', '/api/v1/directives', { number, title: `Directive ${number}`, due_days: 14, requirements: REQS, ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function planOf(who, directive, dept) {
  const r = await call(who, 'GET', `/api/v1/plans?directive=${directive}`);
  assert.equal(r.status, 200);
  return r.body.items.find((p) => p.department_code === dept);
}

const rid = (plan, code) => plan.requirements.find((r) => r.code === code).requirement_id;

test('the demo city has ED 12 (14 days) and ED 17 (15 days), ED 12 issued to every department', async () => {
  const r = await call(s.auditor, 'GET', '/api/v1/directives');
  assert.equal(r.status, 200);
  const ed12 = r.body.items.find((d) => d.number === 'ED 12');
  const ed17 = r.body.items.find((d) => d.number === 'ED 17');
  assert.equal(ed12.due_days, 14);
  assert.equal(ed17.due_days, 15);
  assert.ok(ed12.requirements.some((q) => q.code === 'staff_trained' && q.asks_percent));
  assert.ok(ed17.requirements.some((q) => q.code === 'staging_risk'));
  assert.equal(ed17.issued_on, null);
  const depts = Number(sql(srv.db, 'SELECT COUNT(*) FROM departments').trim());
  const board = await call(s.moia, 'GET', `/api/v1/directives/${ed12.id}/board`);
  assert.equal(board.body.rows.length, depts);
  const states = new Set(board.body.rows.map((x) => x.status));
  for (const st of ['open', 'in_progress', 'submitted', 'changes_requested', 'accepted']) assert.ok(states.has(st), st);
});

test('a plan from issue to acceptance: answers, submission, changes by requirement, resubmission, versions compared', async () => {
  const d = await newDirective('ED 90');
  const issuedOn = cityDay(-3);
  const issued = await call(s.moia, 'POST', `/api/v1/directives/${d.id}/issue`, { issued_on: issuedOn });
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  const depts = Number(sql(srv.db, 'SELECT COUNT(*) FROM departments').trim());
  assert.equal(issued.body.plans_opened, depts);
  for (const p of issued.body.plans) {
    assert.equal(p.due_on, addDays(issuedOn, 14));
    assert.equal(p.status, 'open');
    assert.equal(p.days_left, 11);
    assert.equal(p.late, false);
  }
  assert.equal((await call(s.moia, 'POST', `/api/v1/directives/${d.id}/issue`, {})).status, 409);

  const summary = await planOf(s.liaison, d.id, 'LAPL');
  let plan = (await call(s.liaison, 'GET', `/api/v1/plans/${summary.id}`)).body;
  assert.equal(plan.requirements.length, 2);
  assert.ok(plan.requirements.every((r) => r.status === 'todo'));
  const id = plan.id;
  const protocol = rid(plan, 'protocol');
  const trained = rid(plan, 'trained');

  // errors by field
  let r = await call(s.liaison, 'PUT', `/api/v1/plans/${id}/requirements/${protocol}`, { version: plan.version, status: 'not_applicable' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'na_reason');
  r = await call(s.liaison, 'PUT', `/api/v1/plans/${id}/requirements/${trained}`, { version: plan.version, status: 'done' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'percent');
  r = await call(s.liaison, 'PUT', `/api/v1/plans/${id}/requirements/${protocol}`, { version: plan.version, status: 'done', percent: 50 });
  assert.equal(r.body.error.field, 'percent');
  r = await call(s.liaison, 'PUT', `/api/v1/plans/${id}/requirements/${protocol}`, { version: plan.version, status: 'finished' });
  assert.equal(r.body.error.field, 'status');
  r = await call(s.liaison, 'PUT', `/api/v1/plans/${id}/requirements/${protocol}`, { version: plan.version, status: 'done', citizenship: 'x' });
  assert.equal(r.status, 400);
  assert.equal((await call(s.liaison, 'PUT', `/api/v1/plans/${id}/requirements/${protocol}`, { status: 'done' })).status, 400);

  r = await call(s.liaison, 'PUT', `/api/v1/plans/${id}/requirements/${protocol}`, { version: plan.version, status: 'done', note: 'Adopted on the first day.' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'in_progress');
  assert.equal(r.body.version, plan.version + 1);
  // a stale version is refused and changes nothing
  const stale = await call(s.liaison, 'PUT', `/api/v1/plans/${id}/requirements/${trained}`, { version: plan.version, status: 'in_progress', percent: 40 });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.error.code, 'version_conflict');
  assert.equal(stale.body.error.field, 'version');
  plan = r.body;
  // not every requirement answered yet
  r = await call(s.liaison, 'POST', `/api/v1/plans/${id}/submit`, { version: plan.version });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'incomplete');
  assert.equal(r.body.error.field, 'trained');
  plan = (await call(s.liaison, 'PUT', `/api/v1/plans/${id}/requirements/${trained}`, { version: plan.version, status: 'in_progress', percent: 40, note: 'Half the branches.' })).body;
  assert.equal(plan.requirements_done, 1);
  assert.equal(plan.requirements_answered, 2);

  r = await call(s.liaison, 'POST', `/api/v1/plans/${id}/submit`, { version: plan.version });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  plan = r.body;
  assert.equal(plan.status, 'submitted');
  assert.equal(plan.submissions, 1);
  assert.equal(plan.first_submitted_on, cityDay());
  assert.equal(plan.delivered, true);
  assert.equal(plan.late, false);
  assert.equal(plan.days_left, null);
  // a submitted plan is not edited, and a liaison does not review
  r = await call(s.liaison, 'PUT', `/api/v1/plans/${id}/requirements/${trained}`, { version: plan.version, status: 'done', percent: 90 });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.field, 'status');
  assert.equal((await call(s.liaison, 'POST', `/api/v1/plans/${id}/review`, { version: plan.version, decision: 'accept' })).status, 403);

  // review errors by field
  r = await call(s.moia, 'POST', `/api/v1/plans/${id}/review`, { version: plan.version, decision: 'request_changes' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'requirements');
  r = await call(s.moia, 'POST', `/api/v1/plans/${id}/review`, { version: plan.version, decision: 'maybe' });
  assert.equal(r.body.error.field, 'decision');
  r = await call(s.moia, 'POST', `/api/v1/plans/${id}/review`, { version: plan.version, decision: 'request_changes', requirements: [{ requirement_id: 999999, comment: 'x' }] });
  assert.equal(r.status, 422);
  r = await call(s.moia, 'POST', `/api/v1/plans/${id}/review`, {
    version: plan.version, decision: 'request_changes', comment: 'One thing to finish.',
    requirements: [{ requirement_id: trained, comment: 'Give a date for the remaining branches.' }],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  plan = r.body;
  assert.equal(plan.status, 'changes_requested');
  assert.deepEqual(plan.submission_list[0].review, [{ requirement_id: trained, code: 'trained', title: 'Staff trained', comment: 'Give a date for the remaining branches.' }]);
  assert.equal(plan.submission_list[0].decision, 'changes_requested');

  // the liaison revises and resubmits
  plan = (await call(s.liaison, 'PUT', `/api/v1/plans/${id}/requirements/${trained}`, { version: plan.version, status: 'done', percent: 90, note: 'All branches but one; the last on 1 March.' })).body;
  assert.equal(plan.status, 'changes_requested');
  r = await call(s.liaison, 'POST', `/api/v1/plans/${id}/submit`, { version: plan.version });
  assert.equal(r.status, 200);
  plan = r.body;
  assert.equal(plan.submissions, 2);
  assert.equal(plan.status, 'submitted');

  // every version is kept and comparable
  const v1 = await call(s.liaison, 'GET', `/api/v1/plans/${id}/versions/1`);
  assert.equal(v1.status, 200);
  assert.equal(v1.body.answers.find((a) => a.code === 'trained').percent, 40);
  const cmp = await call(s.auditor, 'GET', `/api/v1/plans/${id}/compare?from=1&to=2`);
  assert.equal(cmp.status, 200);
  assert.equal(cmp.body.changed, 1);
  const t = cmp.body.requirements.find((x) => x.code === 'trained');
  assert.deepEqual(t.changes, [
    { field: 'status', from: 'in_progress', to: 'done' },
    { field: 'note', from: 'Half the branches.', to: 'All branches but one; the last on 1 March.' },
    { field: 'percent', from: 40, to: 90 },
  ]);
  assert.equal(cmp.body.requirements.find((x) => x.code === 'protocol').changed, false);
  assert.equal((await call(s.moia, 'GET', `/api/v1/plans/${id}/compare?from=1&to=3`)).status, 404);
  assert.equal((await call(s.moia, 'GET', `/api/v1/plans/${id}/compare?from=one&to=2`)).body.error.field, 'from');

  r = await call(s.moia, 'POST', `/api/v1/plans/${id}/review`, { version: plan.version, decision: 'accept', comment: 'Thank you.' });
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'accepted');
  assert.equal((await call(s.moia, 'POST', `/api/v1/plans/${id}/review`, { version: r.body.version, decision: 'accept' })).status, 409);

  const actions = sql(srv.db, `SELECT action FROM audit_events WHERE object_type = 'plan' AND object_id = '${id}' ORDER BY seq`).trim().split('\n').map((x) => x.trim());
  assert.deepEqual(actions, ['plans.plan.open', 'plans.answer.set', 'plans.answer.set', 'plans.plan.submit',
    'plans.plan.request_changes', 'plans.answer.set', 'plans.plan.submit', 'plans.plan.accept']);
  const dirActions = sql(srv.db, `SELECT action FROM audit_events WHERE object_type = 'plan_directive' AND object_id = '${d.id}' ORDER BY seq`).trim().split('\n').map((x) => x.trim());
  assert.deepEqual(dirActions, ['plans.directive.create', 'plans.directive.issue']);
});

test('a liaison sees and edits only their own department\'s plan', async () => {
  const d = await newDirective('ED 91');
  await call(s.moia, 'POST', `/api/v1/directives/${d.id}/issue`, {});
  const mine = await call(s.liaison, 'GET', `/api/v1/plans?directive=${d.id}`);
  assert.deepEqual(mine.body.items.map((p) => p.department_code), ['LAPL']);
  const parks = await planOf(s.liaison2, d.id, 'RAP');
  assert.ok(parks);
  const all = await call(s.moia, 'GET', `/api/v1/plans?directive=${d.id}`);
  const lib = all.body.items.find((p) => p.department_code === 'LAPL');
  const full = (await call(s.moia, 'GET', `/api/v1/plans/${lib.id}`)).body;
  const req = full.requirements[0].requirement_id;
  assert.equal((await call(s.liaison2, 'GET', `/api/v1/plans/${lib.id}`)).status, 404);
  assert.equal((await call(s.liaison2, 'PUT', `/api/v1/plans/${lib.id}/requirements/${req}`, { version: full.version, status: 'done' })).status, 404);
  assert.equal((await call(s.liaison2, 'POST', `/api/v1/plans/${lib.id}/submit`, { version: full.version })).status, 404);
  assert.equal((await call(s.liaison2, 'GET', `/api/v1/plans/${lib.id}/versions/1`)).status, 404);
  assert.equal((await upload(s.liaison2, lib.id, req, PDF('other'), { version: full.version, effective_on: cityDay() })).status, 404);
  // the board is MOIA's, administrators' and auditors'
  assert.equal((await call(s.liaison, 'GET', `/api/v1/directives/${d.id}/board`)).status, 403);
  assert.equal((await call(s.auditor, 'GET', `/api/v1/directives/${d.id}/board`)).status, 200);
  // auditors read but do not write
  assert.equal((await call(s.auditor, 'PUT', `/api/v1/plans/${lib.id}/requirements/${req}`, { version: full.version, status: 'done' })).status, 403);
  // nothing changed
  assert.equal((await call(s.moia, 'GET', `/api/v1/plans/${lib.id}`)).body.version, full.version);
});

test('nobody reviews a plan they worked on', async () => {
  const d = await newDirective('ED 92', { requirements: [REQS[0]] });
  await call(s.moia, 'POST', `/api/v1/directives/${d.id}/issue`, {});
  const p = await planOf(s.moia, d.id, 'CAO');
  let plan = (await call(s.moia, 'GET', `/api/v1/plans/${p.id}`)).body;
  plan = (await call(s.moia, 'PUT', `/api/v1/plans/${p.id}/requirements/${plan.requirements[0].requirement_id}`, { version: plan.version, status: 'done' })).body;
  plan = (await call(s.moia, 'POST', `/api/v1/plans/${p.id}/submit`, { version: plan.version })).body;
  const own = await call(s.moia, 'POST', `/api/v1/plans/${p.id}/review`, { version: plan.version, decision: 'accept' });
  assert.equal(own.status, 403);
  assert.equal(own.body.error.code, 'own_plan');
  const other = await call(s.admin, 'POST', `/api/v1/plans/${p.id}/review`, { version: plan.version, decision: 'accept' });
  assert.equal(other.status, 200);
  assert.equal(other.body.status, 'accepted');
});

test('evidence: SHA-256 of the original, versions per item, effective date, encrypted at rest, refused types and sizes', async () => {
  const d = await newDirective('ED 93');
  await call(s.moia, 'POST', `/api/v1/directives/${d.id}/issue`, {});
  const p = await planOf(s.liaison, d.id, 'LAPL');
  let plan = (await call(s.liaison, 'GET', `/api/v1/plans/${p.id}`)).body;
  const req = rid(plan, 'protocol');
  const one = PDF('EVIDENCE-ONE-7781');
  let r = await upload(s.liaison, p.id, req, one, { version: plan.version, effective_on: '2026-01-15' }, { name: 'protocol memo.pdf' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.sha256, createHash('sha256').update(one).digest('hex'));
  assert.equal(r.body.item, 1);
  assert.equal(r.body.version, 1);
  assert.equal(r.body.effective_on, '2026-01-15');
  assert.equal(r.body.file_name, 'protocol_memo.pdf');
  const first = r.body;
  // the stored file is sealed: the marker is nowhere on disk
  for (const f of readdirSync(path.join(srv.dir, 'attachments'))) assert.ok(!readFileSync(path.join(srv.dir, 'attachments', f)).includes('EVIDENCE-ONE-7781'));
  // a stale version
  r = await upload(s.liaison, p.id, req, one, { version: plan.version, effective_on: '2026-01-15' });
  assert.equal(r.status, 409);
  plan = (await call(s.liaison, 'GET', `/api/v1/plans/${p.id}`)).body;
  assert.equal(plan.status, 'in_progress');
  const two = PDF('EVIDENCE-TWO');
  r = await upload(s.liaison, p.id, req, two, { version: plan.version, effective_on: '2026-02-01', item: 1 });
  assert.equal(r.status, 201);
  assert.equal(r.body.item, 1);
  assert.equal(r.body.version, 2);
  plan = (await call(s.liaison, 'GET', `/api/v1/plans/${p.id}`)).body;
  // item 1 belongs to another requirement
  r = await upload(s.liaison, p.id, rid(plan, 'trained'), two, { version: plan.version, effective_on: '2026-02-01', item: 1 });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'item');
  r = await upload(s.liaison, p.id, req, Buffer.from('just text, not a document'), { version: plan.version, effective_on: '2026-02-01' }, { name: 'x.pdf' });
  assert.equal(r.status, 415);
  r = await upload(s.liaison, p.id, req, Buffer.concat([PDF('big'), Buffer.alloc(CAP + 10, 0x20)]), { version: plan.version, effective_on: '2026-02-01' });
  assert.equal(r.status, 413);
  r = await upload(s.liaison, p.id, req, two, { version: plan.version, effective_on: 'soon' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'effective_on');
  // downloads: the whole file, as an attachment, to the department and MOIA only
  let res = await api(srv, s.moia, 'GET', `/api/v1/plans/${p.id}/evidence/${first.id}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="protocol_memo.pdf"$/);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), one);
  res = await api(srv, s.liaison2, 'GET', `/api/v1/plans/${p.id}/evidence/${first.id}`);
  assert.equal(res.status, 404);
  // the snapshot keeps the newest version of each item
  plan = (await call(s.liaison, 'PUT', `/api/v1/plans/${p.id}/requirements/${req}`, { version: plan.version, status: 'done' })).body;
  plan = (await call(s.liaison, 'PUT', `/api/v1/plans/${p.id}/requirements/${rid(plan, 'trained')}`, { version: plan.version, status: 'not_applicable', na_reason: 'No staff on site.' })).body;
  plan = (await call(s.liaison, 'POST', `/api/v1/plans/${p.id}/submit`, { version: plan.version })).body;
  const v1 = (await call(s.liaison, 'GET', `/api/v1/plans/${p.id}/versions/1`)).body;
  const ev = v1.answers.find((a) => a.code === 'protocol').evidence;
  assert.deepEqual(ev.map((e) => [e.item, e.version, e.effective_on, e.sha256]), [[1, 2, '2026-02-01', createHash('sha256').update(two).digest('hex')]]);
  // no evidence once submitted
  r = await upload(s.liaison, p.id, req, two, { version: plan.version, effective_on: '2026-02-01' });
  assert.equal(r.status, 409);
  const actions = sql(srv.db, `SELECT COUNT(*) FROM audit_events WHERE object_type = 'plan' AND object_id = '${p.id}' AND action = 'plans.evidence.add'`).trim();
  assert.equal(actions, '2');
});

test('directives and requirements are data an administrator edits, with version checks', async () => {
  const d = await newDirective('ED 94');
  let r = await call(s.moia, 'POST', '/api/v1/directives', { number: 'ED 94', title: 'Again', due_days: 3 });
  assert.equal(r.status, 409);
  r = await call(s.moia, 'POST', '/api/v1/directives', { title: 'No number', due_days: 3 });
  assert.equal(r.body.error.field, 'number');
  r = await call(s.moia, 'POST', '/api/v1/directives', { number: 'ED 95', title: 'Bad code', due_days: 3, requirements: [{ code: 'Has Spaces', title: 'x' }] });
  assert.equal(r.body.error.field, 'requirements');
  r = await call(s.liaison, 'POST', '/api/v1/directives', { number: 'ED 96', title: 'Liaison', due_days: 3 });
  assert.equal(r.status, 403);
  r = await call(s.admin, 'PATCH', `/api/v1/directives/${d.id}`, { version: d.version, due_days: 15 });
  assert.equal(r.status, 200);
  assert.equal(r.body.due_days, 15);
  assert.equal((await call(s.admin, 'PATCH', `/api/v1/directives/${d.id}`, { version: d.version, title: 'Stale' })).status, 409);
  await call(s.moia, 'POST', `/api/v1/directives/${d.id}/issue`, {});
  const cur = (await call(s.moia, 'GET', `/api/v1/directives/${d.id}`)).body;
  r = await call(s.moia, 'PATCH', `/api/v1/directives/${d.id}`, { version: cur.version, due_days: 30 });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.field, 'due_days');
  // a requirement added after issue appears in the open plans as "to do"; a retired one leaves them
  r = await call(s.moia, 'POST', `/api/v1/directives/${d.id}/requirements`, { code: 'counters', title: 'Know-Your-Rights material at public counters' });
  assert.equal(r.status, 201);
  assert.equal((await call(s.moia, 'POST', `/api/v1/directives/${d.id}/requirements`, { code: 'counters', title: 'Twice' })).status, 409);
  const p = await planOf(s.liaison, d.id, 'LAPL');
  let plan = (await call(s.liaison, 'GET', `/api/v1/plans/${p.id}`)).body;
  assert.deepEqual(plan.requirements.map((x) => x.code), ['protocol', 'trained', 'counters']);
  r = await call(s.admin, 'PATCH', `/api/v1/directives/${d.id}/requirements/${rid(plan, 'trained')}`, { retired: true });
  assert.equal(r.status, 200);
  plan = (await call(s.liaison, 'GET', `/api/v1/plans/${p.id}`)).body;
  assert.deepEqual(plan.requirements.map((x) => x.code), ['protocol', 'counters']);
  assert.equal(plan.requirements_total, 2);
});

test('the board: sortable, with CSV (formulas neutralised) and XLSX exports', async () => {
  // a department whose name a spreadsheet would take for a formula
  const dep = await call(s.admin, 'POST', '/api/v1/departments', { code: 'ZZTEST', name: '=HYPERLINK("http://x","y")' });
  assert.equal(dep.status, 201, JSON.stringify(dep.body));
  const d = await newDirective('ED 97');
  await call(s.moia, 'POST', `/api/v1/directives/${d.id}/issue`, { issued_on: cityDay(-20) });
  const p = await planOf(s.liaison, d.id, 'LAPL');
  let plan = (await call(s.liaison, 'GET', `/api/v1/plans/${p.id}`)).body;
  plan = (await call(s.liaison, 'PUT', `/api/v1/plans/${p.id}/requirements/${rid(plan, 'protocol')}`, { version: plan.version, status: 'done' })).body;
  plan = (await call(s.liaison, 'PUT', `/api/v1/plans/${p.id}/requirements/${rid(plan, 'trained')}`, { version: plan.version, status: 'done', percent: 80 })).body;
  await call(s.liaison, 'POST', `/api/v1/plans/${p.id}/submit`, { version: plan.version });

  let b = await call(s.moia, 'GET', `/api/v1/directives/${d.id}/board?sort=done&order=desc`);
  assert.equal(b.status, 200);
  assert.equal(b.body.rows[0].department_code, 'LAPL');
  assert.equal(b.body.rows[0].requirements_done, 2);
  assert.equal(b.body.rows[0].late, true);
  assert.equal(b.body.rows[0].days_late, 6);
  // training reached and contractor coverage come from those records, as of today
  const tc = (await call(s.moia, 'GET', '/api/v1/training/coverage')).body.items.find((x) => x.department === 'LAPL');
  assert.ok(tc && tc.required > 0, 'the demo Library has a roster');
  assert.equal(b.body.rows[0].training_reached, `${tc.percent}% (${tc.covered} of ${tc.required})`);
  const cc = (await call(s.moia, 'GET', '/api/v1/contracts/coverage')).body.departments.find((x) => x.department.code === 'LAPL');
  assert.ok(cc && cc.active > 0, 'the demo Library has contracts on City property');
  assert.equal(b.body.rows[0].contractor_coverage, `${cc.valid} of ${cc.active} valid${cc.expiring ? ` (${cc.expiring} expiring)` : ''}`);
  const zz = b.body.rows.find((x) => x.department_code === 'ZZTEST');
  assert.equal(zz.training_reached, null, 'no roster: no figure');
  assert.equal(zz.contractor_coverage, null, 'no contracts: no figure');
  assert.match(b.body.coverage_note, /Training reached: employees covered/);
  assert.equal(b.body.summary.submitted, 1);
  assert.equal(b.body.summary.late, b.body.rows.length);
  const others = b.body.rows.filter((x) => x.department_code !== 'LAPL');
  assert.ok(others.every((x) => x.days_left === -6 && x.status === 'open'));
  b = await call(s.moia, 'GET', `/api/v1/directives/${d.id}/board?sort=department`);
  const names = b.body.rows.map((x) => x.department_name);
  assert.deepEqual(names, [...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  b = await call(s.moia, 'GET', `/api/v1/directives/${d.id}/board?sort=due`);
  assert.equal(b.body.rows.at(-1).department_code, 'LAPL', 'delivered plans after outstanding ones');
  assert.equal((await call(s.moia, 'GET', `/api/v1/directives/${d.id}/board?sort=colour`)).body.error.field, 'sort');

  let res = await api(srv, s.auditor, 'GET', `/api/v1/directives/${d.id}/board.csv?sort=done&order=desc`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="plans-ED-97-\d{4}-\d{2}-\d{2}\.csv"$/);
  const csv = await res.text();
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'Department code,Department,Plan status,Due on,Days left,Days overdue,First submitted on,Versions submitted,Requirements done,Requirements,Training reached,Contractor coverage');
  assert.match(lines[1], /^LAPL,Public Library,"Submitted, awaiting review",\d{4}-\d{2}-\d{2},,6,\d{4}-\d{2}-\d{2},1,2,2,\d+% \(\d+ of \d+\),\d+ of \d+ valid( \(\d+ expiring\))?$/);
  assert.ok(lines.some((x) => x.startsWith('ZZTEST,') && x.endsWith(',—,—')), 'no figures: a dash');
  assert.ok(csv.includes(`ZZTEST,"'=HYPERLINK(""http://x"",""y"")",Not started,`), 'the formula is neutralised');

  res = await api(srv, s.moia, 'GET', `/api/v1/directives/${d.id}/board.xlsx?sort=done&order=desc`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'haven-xlsx-'));
  try {
    writeFileSync(path.join(dir, 'b.xlsx'), Buffer.from(await res.arrayBuffer()));
    const sheet = execFileSync('unzip', ['-p', path.join(dir, 'b.xlsx'), 'xl/worksheets/sheet1.xml']).toString();
    const wb = execFileSync('unzip', ['-p', path.join(dir, 'b.xlsx'), 'xl/workbook.xml']).toString();
    assert.match(wb, /<sheet name="ED 97 plans"/);
    assert.ok(sheet.includes('<t>Department code</t>') && sheet.includes('<t>Public Library</t>'));
    assert.ok(sheet.includes('<t>=HYPERLINK("http://x","y")</t>'), 'the name is a text cell');
    assert.ok(!sheet.includes('<f>'), 'no cell is a formula');
    // LAPL's row: done 2 of 2, days overdue 6, as numbers
    const row5 = /<row r="5"[^>]*>(.*?)<\/row>/.exec(sheet)[1];
    assert.ok(row5.includes('<t>LAPL</t>'));
    assert.match(row5, /<c r="F5"[^>]*><v>6<\/v><\/c>/);
    assert.match(row5, /<c r="I5"[^>]*><v>2<\/v><\/c>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('due dates and overdue move with the injected clock', async () => {
  const d = await newDirective('ED 98');
  const issuedOn = cityDay();
  await call(s.moia, 'POST', `/api/v1/directives/${d.id}/issue`, { issued_on: issuedOn });
  assert.equal((await call(s.moia, 'POST', `/api/v1/directives/${(await newDirective('ED 99')).id}/issue`, { issued_on: cityDay(2) })).status, 422);
  let p = await planOf(s.liaison, d.id, 'LAPL');
  assert.equal(p.due_on, addDays(issuedOn, 14));
  assert.equal(p.days_left, 14);
  // 14 days on: due today
  writeFileSync(clockFile, String(14 * DAY));
  try {
    await signInAll();
    p = await planOf(s.liaison, d.id, 'LAPL');
    assert.equal(p.days_left, 0);
    assert.equal(p.late, false);
    // 20 days on: six days overdue, until it is submitted (late)
    writeFileSync(clockFile, String(20 * DAY));
    await signInAll();
    p = await planOf(s.liaison, d.id, 'LAPL');
    assert.equal(p.days_left, -6);
    assert.equal(p.days_late, 6);
    assert.equal(p.late, true);
    let plan = (await call(s.liaison, 'GET', `/api/v1/plans/${p.id}`)).body;
    assert.equal(plan.today, cityDay(20));
    for (const r of plan.requirements) {
      plan = (await call(s.liaison, 'PUT', `/api/v1/plans/${p.id}/requirements/${r.requirement_id}`, { version: plan.version, status: 'done', ...(r.asks_percent ? { percent: 100 } : {}) })).body;
    }
    plan = (await call(s.liaison, 'POST', `/api/v1/plans/${p.id}/submit`, { version: plan.version })).body;
    assert.equal(plan.first_submitted_on, cityDay(20));
    assert.equal(plan.delivered, true);
    assert.equal(plan.late, true);
    assert.equal(plan.days_late, 6);
    assert.equal(plan.days_left, null);
    // later still, a plan delivered late stays six days late
    writeFileSync(clockFile, String(40 * DAY));
    await signInAll();
    p = await planOf(s.liaison, d.id, 'LAPL');
    assert.equal(p.days_late, 6);
  } finally {
    writeFileSync(clockFile, '0');
    await signInAll();
  }
});
