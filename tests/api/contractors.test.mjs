// Contractors and Ordinance 188441 against the real binary (SQLite or
// PostgreSQL by HAVEN_TEST_DB): vendors and contracts with their errors by
// field and version checks, department isolation (a liaison sees and edits
// only their department's contracts; vendors are shared and read-only to
// liaisons), signed attestations (sniffed, EXIF stripped, 413 cap, encrypted
// on disk, SHA-256 recorded, download only to allowed roles, retry not
// duplicated), notices and their acknowledgement, coverage numbers on known
// data with the clock moved forward, and CSV imports with bad rows (nothing
// written), idempotent re-imports and a liaison's rows for another department.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, demoLogins, signIn, api, sql } from './lib.mjs';

const CAP = 100 * 1024;
const DAY = 86400000;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n'
  + 'trailer\n<< /Root 1 0 R >>\n% ATTESTATION-MARKER-4410\n%%EOF\n');

let srv, s, tmp, clockFile, today, vendor, dod, lapl, rap;

const json = async (res) => ({ status: res.status, body: await res.json().catch(() => null), headers: res.headers });
const call = (who, method, p, body) => api(srv, who, method, p, body).then(json);
const count = (q) => Number(sql(srv.db, q).trim());

// YYYY-MM-DD `n` days after `day` (UTC arithmetic on a date).
function plus(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function upload(session, id, bytes, { signed_on, expires_on, type = 'application/pdf', name = 'Signed by Jane Roe.pdf', url } = {}) {
  const fd = new FormData();
  if (signed_on) fd.append('signed_on', signed_on);
  if (expires_on) fd.append('expires_on', expires_on);
  fd.append('file', new Blob([bytes], { type }), name);
  const h = { Origin: srv.url, Cookie: session.cookie, 'X-CSRF-Token': session.csrf };
  return fetch(srv.url + (url || `/api/v1/contracts/${id}/attestations`), { method: 'POST', headers: h, body: fd, redirect: 'manual' });
}

function csv(session, which, text) {
  return api(srv, session, 'POST', `/api/v1/${which}/import`, text, { 'Content-Type': 'text/csv' }).then(json);
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'haven-contracts-'));
  clockFile = path.join(tmp, 'clock');
  writeFileSync(clockFile, '0');
  srv = await startServer({ env: { HAVEN_CLOCK_OFFSET_FILE: clockFile, HAVEN_ATTACHMENT_MAX: String(CAP) } });
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
  dod = count("SELECT id FROM departments WHERE code = 'DOD'");
  lapl = count("SELECT id FROM departments WHERE code = 'LAPL'");
  rap = count("SELECT id FROM departments WHERE code = 'RAP'");
  today = (await call(s.moia, 'GET', '/api/v1/contracts/coverage')).body.today;
  const v = await call(s.moia, 'POST', '/api/v1/contractors', { vendor_id: 'VT-900001', name: 'Test Facilities Co.', contact_name: 'Pat Doe', contact_email: 'pat@testfacilities.example', contact_phone: '(213) 555-0199' });
  assert.equal(v.status, 201, JSON.stringify(v.body));
  vendor = v.body;
});
after(async () => { await srv.stop(); srv.cleanup(); rmSync(tmp, { recursive: true, force: true }); });

function contract(extra = {}) {
  return { number: `T-${Math.random().toString(36).slice(2, 10)}`, contractor_id: vendor.id, department_id: dod,
    starts_on: plus(today, -30), ends_on: plus(today, 300), on_city_property: true, onsite_personnel: 4, ...extra };
}

test('vendors: MOIA creates and edits them with a version check; liaisons read them only', async () => {
  assert.equal(vendor.version, 1);
  assert.equal(vendor.contracts, 0);
  let r = await call(s.moia, 'POST', '/api/v1/contractors', { vendor_id: 'VT-900001', name: 'Again' });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.field, 'vendor_id');
  r = await call(s.moia, 'POST', '/api/v1/contractors', { vendor_id: 'has space', name: 'X' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'vendor_id');
  r = await call(s.moia, 'POST', '/api/v1/contractors', { vendor_id: 'VT-9', name: 'X', contact_email: 'not-an-email' });
  assert.equal(r.body.error.field, 'contact_email');
  r = await call(s.moia, 'POST', '/api/v1/contractors', { vendor_id: 'VT-9', name: 'X', nationality: 'x' });
  assert.equal(r.status, 400, 'unknown fields are refused');

  assert.equal((await call(s.liaison, 'POST', '/api/v1/contractors', { vendor_id: 'VT-8', name: 'X' })).status, 403);
  assert.equal((await call(s.liaison, 'PATCH', `/api/v1/contractors/${vendor.id}`, { version: 1, name: 'X' })).status, 403);
  const list = await call(s.liaison, 'GET', '/api/v1/contractors?q=test%20facilities');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((x) => x.vendor_id), ['VT-900001']);
  assert.equal((await call(s.agent311, 'GET', '/api/v1/contractors')).status, 403);

  r = await call(s.moia, 'PATCH', `/api/v1/contractors/${vendor.id}`, { version: 1, contact_name: 'Pat Roe' });
  assert.equal(r.status, 200);
  assert.equal(r.body.version, 2);
  assert.equal(r.body.contact_name, 'Pat Roe');
  assert.equal(r.body.name, 'Test Facilities Co.', 'fields left out keep their value');
  r = await call(s.moia, 'PATCH', `/api/v1/contractors/${vendor.id}`, { version: 1, contact_name: 'Stale' });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.field, 'version');
  assert.match(r.body.error.message, /version 2/);
  assert.equal(count(`SELECT COUNT(*) FROM audit_events WHERE object_type = 'contractor' AND object_id = '${vendor.id}'`), 2);
});

test('contracts: errors by field, version checks, audit in the same transaction', async () => {
  const bad = [
    [{ ends_on: plus(today, -40) }, 'ends_on', /end before it starts/],
    [{ on_city_property: false, onsite_personnel: 3 }, 'onsite_personnel', /enter 0/],
    [{ onsite_personnel: -1 }, 'onsite_personnel', /0 to 100000/],
    [{ starts_on: '2026-02-30' }, 'starts_on', /real date/],
    [{ starts_on: '1899-01-01' }, 'starts_on', /between 2000 and 2099/],
    [{ number: 'has spaces in it' }, 'number', /letters, digits/],
    [{ contractor_id: 999999 }, 'contractor_id', /no such contractor/],
    [{ department_id: 999999 }, 'department_id', /no such department/],
  ];
  for (const [change, field, message] of bad) {
    const r = await call(s.moia, 'POST', '/api/v1/contracts', contract(change));
    assert.equal(r.status, 422, `${JSON.stringify(change)}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.field, field);
    assert.match(r.body.error.message, message);
  }
  const missing = await call(s.moia, 'POST', '/api/v1/contracts', { ...contract(), on_city_property: undefined });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error.field, 'on_city_property');

  const c = await call(s.moia, 'POST', '/api/v1/contracts', contract({ number: 'T-EDIT-1', title: 'Cleaning' }));
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.equal(c.body.version, 1);
  assert.equal(c.body.department.code, 'DOD');
  assert.equal(c.body.contractor.vendor_id, 'VT-900001');
  assert.equal(c.body.compliance.state, 'missing');
  assert.equal((await call(s.moia, 'POST', '/api/v1/contracts', contract({ number: 'T-EDIT-1' }))).status, 409);

  let r = await call(s.moia, 'PATCH', `/api/v1/contracts/${c.body.id}`, { version: 1, on_city_property: false });
  assert.equal(r.status, 422, 'personnel must be 0 off City property, checked on the merged record');
  assert.equal(r.body.error.field, 'onsite_personnel');
  r = await call(s.moia, 'PATCH', `/api/v1/contracts/${c.body.id}`, { version: 1, on_city_property: false, onsite_personnel: 0 });
  assert.equal(r.status, 200);
  assert.equal(r.body.version, 2);
  assert.equal(r.body.compliance.state, 'not_required');
  r = await call(s.moia, 'PATCH', `/api/v1/contracts/${c.body.id}`, { version: 1, title: 'Stale' });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'version_conflict');
  r = await call(s.moia, 'PATCH', `/api/v1/contracts/${c.body.id}`, { title: 'No version' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'version');
  assert.deepEqual(sql(srv.db, `SELECT action FROM audit_events WHERE object_type = 'contract' AND object_id = '${c.body.id}' ORDER BY seq`).trim().split('\n'),
    ['contract.create', 'contract.update']);
});

test('department isolation: a liaison sees and edits only their department\'s contracts', async () => {
  const rapContract = count("SELECT id FROM contracts WHERE number = 'C-RAP-2025-012'");
  const laplContract = count("SELECT id FROM contracts WHERE number = 'C-LAPL-2025-001'");
  const list = await call(s.liaison, 'GET', '/api/v1/contracts');
  assert.equal(list.status, 200);
  assert.ok(list.body.items.length >= 4);
  assert.ok(list.body.items.every((k) => k.department.id === lapl), 'only the Library\'s contracts');
  const other = await call(s.liaison, 'GET', `/api/v1/contracts?department_id=${rap}`);
  assert.deepEqual(other.body.items, [], 'a filter cannot widen the scope');
  assert.equal((await call(s.liaison, 'GET', `/api/v1/contracts/${laplContract}`)).status, 200);
  for (const [method, p, body] of [
    ['GET', `/api/v1/contracts/${rapContract}`],
    ['PATCH', `/api/v1/contracts/${rapContract}`, { version: 1, title: 'x' }],
    ['GET', `/api/v1/contracts/${rapContract}/attestations`],
    ['GET', `/api/v1/contracts/${rapContract}/attestations/1`],
    ['GET', `/api/v1/contracts/${rapContract}/notices`],
    ['POST', `/api/v1/contracts/${rapContract}/notices`, { sent_on: today, method: 'email' }],
  ]) {
    const r = await call(s.liaison, method, p, body);
    assert.equal(r.status, 404, `${method} ${p}`);
  }
  const up = await json(await upload(s.liaison, rapContract, PDF, { signed_on: today, expires_on: plus(today, 365) }));
  assert.equal(up.status, 404, 'an upload to another department\'s contract is not found');
  const made = await call(s.liaison, 'POST', '/api/v1/contracts', contract({ department_id: rap }));
  assert.equal(made.status, 422);
  assert.equal(made.body.error.field, 'department_id');
  const own = await call(s.liaison, 'POST', '/api/v1/contracts', contract({ department_id: undefined }));
  assert.equal(own.status, 201, 'a liaison\'s contract is in their department by default');
  assert.equal(own.body.department.id, lapl);
  const move = await call(s.liaison, 'PATCH', `/api/v1/contracts/${own.body.id}`, { version: 1, department_id: rap });
  assert.equal(move.status, 422, 'nor can it be moved to another department');
  const cov = await call(s.liaison, 'GET', '/api/v1/contracts/coverage');
  assert.deepEqual(cov.body.departments.map((d) => d.department.code), ['LAPL']);
  // the parks liaison sees the other side
  assert.equal((await call(s.liaison2, 'GET', `/api/v1/contracts/${rapContract}`)).status, 200);
  assert.equal((await call(s.liaison2, 'GET', `/api/v1/contracts/${laplContract}`)).status, 404);
  // auditors read everything, write nothing
  assert.equal((await call(s.auditor, 'GET', `/api/v1/contracts/${rapContract}`)).status, 200);
  assert.equal((await call(s.auditor, 'POST', '/api/v1/contracts', contract())).status, 403);
});

test('a signed attestation: checked, stripped, encrypted, hashed, downloaded only by allowed roles', async () => {
  const c = (await call(s.moia, 'POST', '/api/v1/contracts', contract({ number: 'T-ATT-1' }))).body;
  let r = await json(await upload(s.moia, c.id, PDF, { signed_on: today, expires_on: plus(today, -1) }));
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'expires_on');
  r = await json(await upload(s.moia, c.id, PDF, { signed_on: plus(today, 2), expires_on: plus(today, 300) }));
  assert.equal(r.body.error.field, 'signed_on', 'not signed in the future');
  r = await json(await upload(s.moia, c.id, Buffer.from('MZ not a document'), { signed_on: today, expires_on: plus(today, 300), type: 'application/pdf' }));
  assert.equal(r.status, 415, 'recognised by content, not by type or name');
  r = await json(await upload(s.moia, c.id, Buffer.concat([PDF, Buffer.alloc(CAP)]), { signed_on: today, expires_on: plus(today, 300) }));
  assert.equal(r.status, 413);
  assert.equal(count(`SELECT COUNT(*) FROM contract_attestations WHERE contract_id = ${c.id}`), 0, 'nothing stored by refusals');

  const stored0 = () => { try { return readdirSync(path.join(srv.dir, 'attachments')).length; } catch { return 0; } };
  const filesBefore = stored0();
  r = await json(await upload(s.moia, c.id, PDF, { signed_on: plus(today, -1), expires_on: plus(today, 364) }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.compliance.state, 'valid');
  const a = r.body.attestations[0];
  assert.equal(a.sha256, createHash('sha256').update(PDF).digest('hex'));
  assert.equal(a.content_type, 'application/pdf');
  assert.doesNotMatch(a.file_name, /Jane|Roe/, 'the uploader\'s file name is not kept');
  assert.equal(stored0(), filesBefore + 1);
  const stored = sql(srv.db, `SELECT storage_name FROM contract_attestations WHERE id = ${a.id}`).trim();
  const disk = readFileSync(path.join(srv.dir, 'attachments', stored));
  assert.ok(!disk.includes('ATTESTATION-MARKER-4410') && !disk.includes('%PDF'), 'encrypted at rest');
  // a retried upload is not recorded twice
  r = await json(await upload(s.moia, c.id, PDF, { signed_on: plus(today, -1), expires_on: plus(today, 364) }));
  assert.equal(r.status, 200);
  assert.equal(r.body.attestations.length, 1);
  assert.equal(stored0(), filesBefore + 1, 'no orphan file');
  assert.equal(count(`SELECT COUNT(*) FROM audit_events WHERE action = 'contract.attestation.add' AND object_id = '${c.id}'`), 1);

  const dl = await api(srv, s.legal, 'GET', a.download);
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('content-type'), 'application/pdf');
  assert.match(dl.headers.get('content-disposition'), /^attachment; filename="attestation-/);
  assert.deepEqual(Buffer.from(await dl.arrayBuffer()), PDF);
  assert.equal((await api(srv, s.auditor, 'GET', a.download)).status, 403, 'auditors check the record, not the document');
  assert.equal((await api(srv, s.liaison, 'GET', a.download)).status, 404, 'another department\'s document is not found');

  // a photographed attestation loses its EXIF and GPS tags
  const photo = path.join(tmp, 'signed.jpg');
  copyFileSync(path.resolve('tests/fixtures/plain.jpg'), photo);
  execFileSync('exiftool', ['-q', '-overwrite_original', '-GPSLatitude=34.05', '-GPSLatitudeRef=N', '-Make=AttestCam', photo]);
  const original = readFileSync(photo);
  assert.ok(original.includes('AttestCam'));
  r = await json(await upload(s.moia, c.id, original, { signed_on: today, expires_on: plus(today, 700), type: 'image/jpeg' }));
  assert.equal(r.status, 201);
  const jpg = r.body.attestations.find((x) => x.content_type === 'image/jpeg');
  const back = Buffer.from(await (await api(srv, s.moia, 'GET', jpg.download)).arrayBuffer());
  assert.ok(!back.includes('AttestCam'), 'camera tags removed');
  assert.ok(back.length < original.length);
  assert.equal(jpg.sha256, createHash('sha256').update(back).digest('hex'), 'the hash is of the document as stored');
});

test('notices: sent, acknowledged by role, version-checked', async () => {
  const c = (await call(s.moia, 'POST', '/api/v1/contracts', contract({ number: 'T-NOT-1' }))).body;
  let r = await call(s.moia, 'POST', `/api/v1/contracts/${c.id}/notices`, { sent_on: today, method: 'fax' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'method');
  r = await call(s.moia, 'POST', `/api/v1/contracts/${c.id}/notices`, { sent_on: plus(today, 1), method: 'email' });
  assert.equal(r.body.error.field, 'sent_on');
  r = await call(s.moia, 'POST', `/api/v1/contracts/${c.id}/notices`, { sent_on: plus(today, -10), method: 'email', acknowledged_on: plus(today, -11), acknowledged_by_role: 'Manager' });
  assert.equal(r.body.error.field, 'acknowledged_on', 'not acknowledged before it was sent');
  r = await call(s.moia, 'POST', `/api/v1/contracts/${c.id}/notices`, { sent_on: plus(today, -10), method: 'letter' });
  assert.equal(r.status, 201);
  assert.equal(r.body.acknowledged_on, null);
  const n = r.body;
  r = await call(s.moia, 'POST', `/api/v1/contracts/${c.id}/notices`, { sent_on: plus(today, -10), method: 'letter' });
  assert.equal(r.status, 200, 'a retried notice is not recorded twice');
  assert.equal(r.body.id, n.id);
  r = await call(s.moia, 'PATCH', `/api/v1/contracts/${c.id}/notices/${n.id}`, { version: 1, acknowledged_on: plus(today, -2) });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'acknowledged_by_role');
  r = await call(s.moia, 'PATCH', `/api/v1/contracts/${c.id}/notices/${n.id}`, { version: 1, acknowledged_on: plus(today, -2), acknowledged_by_role: 'Site supervisor' });
  assert.equal(r.status, 200);
  assert.equal(r.body.version, 2);
  assert.equal(r.body.acknowledged_by_role, 'Site supervisor');
  r = await call(s.moia, 'PATCH', `/api/v1/contracts/${c.id}/notices/${n.id}`, { version: 1, acknowledged_on: today, acknowledged_by_role: 'x' });
  assert.equal(r.status, 409);
  const k = await call(s.moia, 'GET', `/api/v1/contracts/${c.id}`);
  assert.equal(k.body.compliance.notices_sent, 1);
  assert.equal(k.body.compliance.notices_acknowledged, 1);
});

test('import contractors: bad rows refuse the whole file; re-imports are idempotent', async () => {
  const before = count('SELECT COUNT(*) FROM contractors');
  const bad = 'vendor_id,name,contact_email\nVT-IMP-1,Import One,one@imp.example\nbad id,Import Two,two@imp.example\nVT-IMP-3,,nope\nVT-IMP-1,Dup,dup@imp.example\n';
  let r = await csv(s.moia, 'contractors', bad);
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'invalid_file');
  const errs = r.body.error.rows.map((e) => [e.row, e.column]);
  assert.deepEqual(errs, [[3, 'vendor_id'], [4, 'name'], [4, 'contact_email'], [5, 'vendor_id']]);
  assert.equal(count('SELECT COUNT(*) FROM contractors'), before, 'nothing written');
  r = await csv(s.moia, 'contractors', 'vendor_id,nationality\nX,y\n');
  assert.equal(r.status, 422);
  assert.ok(r.body.error.rows.some((e) => e.row === 1), 'unknown and missing columns reported on the header row');

  const good = 'vendor_id,name,contact_name,contact_email,contact_phone\nVT-IMP-1,Import One,Ann,one@imp.example,(213) 555-0101\nVT-IMP-2,Import Two,,,\n';
  r = await csv(s.moia, 'contractors', good);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual([r.body.added, r.body.updated, r.body.unchanged], [2, 0, 0]);
  r = await csv(s.moia, 'contractors', good);
  assert.deepEqual([r.body.added, r.body.updated, r.body.unchanged], [0, 0, 2]);
  r = await csv(s.moia, 'contractors', good.replace('Import Two', 'Import Two Inc.'));
  assert.deepEqual([r.body.added, r.body.updated, r.body.unchanged], [0, 1, 1]);
  assert.equal((await csv(s.liaison, 'contractors', good)).status, 403, 'vendors are MOIA\'s to import');
  assert.equal((await api(srv, s.moia, 'POST', '/api/v1/contractors/import', good, { 'Content-Type': 'application/json' })).status, 415);
});

test('import contracts: vendor and department checked, a liaison\'s other-department rows refused', async () => {
  const head = 'number,vendor_id,department,starts_on,ends_on,on_city_property,onsite_personnel,title\n';
  const rows = [
    `LIB-IMP-1,VT-IMP-1,LAPL,${plus(today, -10)},${plus(today, 200)},yes,3,Shelving`,
    `LIB-IMP-2,VT-IMP-2,lapl,${plus(today, -10)},${plus(today, 200)},no,0,Remote support`,
  ];
  const before = count('SELECT COUNT(*) FROM contracts');
  let r = await csv(s.liaison, 'contracts', head + [...rows,
    `PARK-IMP-1,VT-IMP-1,RAP,${plus(today, -10)},${plus(today, 200)},yes,2,Parks`,
    `LIB-IMP-3,VT-NOPE,LAPL,${plus(today, -10)},${plus(today, 200)},yes,2,x`,
    `LIB-IMP-4,VT-IMP-1,LAPL,${plus(today, 10)},${plus(today, -10)},maybe,2,x`,
    `LIB-IMP-5,VT-IMP-1,LAPL,${plus(today, -10)},${plus(today, 200)},no,5,x`,
    'C-RAP-2025-011,VT-IMP-1,LAPL,2026-01-01,2026-12-31,no,0,taken'].join('\n') + '\n');
  assert.equal(r.status, 422, JSON.stringify(r.body));
  assert.deepEqual(r.body.error.rows.map((e) => [e.row, e.column]), [
    [6, 'on_city_property'], [6, 'ends_on'], [7, 'onsite_personnel'],
  ], 'cell problems first (nothing looked up while a cell is wrong)');
  r = await csv(s.liaison, 'contracts', head + [...rows,
    `PARK-IMP-1,VT-IMP-1,RAP,${plus(today, -10)},${plus(today, 200)},yes,2,Parks`,
    `LIB-IMP-3,VT-NOPE,LAPL,${plus(today, -10)},${plus(today, 200)},yes,2,x`,
    'C-RAP-2025-011,VT-IMP-1,LAPL,2026-01-01,2026-12-31,no,0,taken'].join('\n') + '\n');
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.error.rows.map((e) => [e.row, e.column]), [[4, 'department'], [5, 'vendor_id'], [6, 'number']]);
  assert.match(r.body.error.rows[0].message, /only for your own department/);
  assert.equal(count('SELECT COUNT(*) FROM contracts'), before, 'nothing written');

  r = await csv(s.liaison, 'contracts', head + rows.join('\n') + '\n');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual([r.body.added, r.body.updated, r.body.unchanged], [2, 0, 0]);
  r = await csv(s.liaison, 'contracts', head + rows.join('\n') + '\n');
  assert.deepEqual([r.body.added, r.body.updated, r.body.unchanged], [0, 0, 2]);
  r = await csv(s.liaison, 'contracts', head + rows.join('\n').replace(',3,Shelving', ',5,Shelving') + '\n');
  assert.deepEqual([r.body.added, r.body.updated, r.body.unchanged], [0, 1, 1]);
  const k = await call(s.liaison, 'GET', `/api/v1/contracts?q=LIB-IMP-1`);
  assert.equal(k.body.items[0].onsite_personnel, 5);
  assert.equal(k.body.items[0].department.code, 'LAPL');
  assert.equal(count("SELECT COUNT(*) FROM audit_events WHERE object_type = 'contract' AND action = 'contract.update'") > 0, true);
  // MOIA imports for any department
  r = await csv(s.moia, 'contracts', head + `PARK-IMP-1,VT-IMP-1,RAP,${plus(today, -10)},${plus(today, 200)},yes,2,Parks\n`);
  assert.equal(r.status, 200);
  assert.equal(r.body.added, 1);
});

test('pages: list, contract, coverage and import need a signed-in role, and work without JavaScript', async () => {
  const page = async (who, p) => { const r = await api(srv, who, 'GET', p); return { status: r.status, html: await r.text() }; };
  let r = await page(s.liaison, '/contracts');
  assert.equal(r.status, 200);
  assert.match(r.html, /C-LAPL-2025-001/);
  assert.doesNotMatch(r.html, /C-RAP-2025-011/, 'another department\'s contracts are not listed');
  r = await page(s.moia, '/contracts?state=expired');
  assert.match(r.html, /C-RAP-2025-011/);
  assert.doesNotMatch(r.html, /C-LAPL-2025-001/);
  r = await page(s.liaison, '/contracts/coverage');
  assert.equal(r.status, 200);
  assert.match(r.html, /Public Library/);
  assert.doesNotMatch(r.html, /Recreation and Parks/);
  assert.equal((await page(s.agent311, '/contracts')).status, 403);
  assert.equal((await page(null, '/contracts')).status === 303 || (await page(null, '/contracts')).status === 401, true);
  const rapContract = count("SELECT id FROM contracts WHERE number = 'C-RAP-2025-012'");
  assert.equal((await page(s.liaison, `/contracts/${rapContract}`)).status, 404);

  // a notice through the form, then its acknowledgement; an error shown beside the form
  const id = count("SELECT id FROM contracts WHERE number = 'C-LAPL-2026-004'");
  const form = (who, p, fields) => api(srv, who, 'POST', p, new URLSearchParams({ csrf: who.csrf, ...fields }).toString(), { 'Content-Type': 'application/x-www-form-urlencoded' });
  let f = await form(s.liaison, `/contracts/${id}/notices`, { sent_on: plus(today, -3), method: 'pigeon' });
  assert.equal(f.status, 422);
  assert.match(await f.text(), /email, letter or portal/);
  f = await form(s.liaison, `/contracts/${id}/notices`, { sent_on: plus(today, -3), method: 'email' });
  assert.equal(f.status, 303);
  const nid = count(`SELECT id FROM contract_notices WHERE contract_id = ${id}`);
  f = await form(s.liaison, `/contracts/${id}/notices/${nid}`, { version: '1', acknowledged_on: plus(today, -1), acknowledged_by_role: 'Service manager' });
  assert.equal(f.status, 303);
  r = await page(s.liaison, `/contracts/${id}?added=ack`);
  assert.match(r.html, /acknowledged on .* by the Service manager/);
  // the import form shows a refused file's problems by row
  const fd = new FormData();
  fd.append('csrf', s.liaison.csrf);
  fd.append('kind', 'contracts');
  fd.append('file', new Blob(['number,vendor_id,department,starts_on,ends_on,on_city_property\nX-1,VT-IMP-1,RAP,2026-01-01,2026-12-31,no\n'], { type: 'text/csv' }), 'c.csv');
  const imp = await fetch(srv.url + '/contracts/import', { method: 'POST', headers: { Origin: srv.url, Cookie: s.liaison.cookie }, body: fd });
  assert.equal(imp.status, 422);
  assert.match(await imp.text(), /only for your own department/);
});

// Last: it moves the server's clock, which ends the other sessions.
test('coverage on known data, and as the days pass', async () => {
  // Data of its own in a department the demo city leaves empty.
  const dept = count("SELECT id FROM departments WHERE code = 'EWDD'");
  const mk = async (number, extra, att, notice) => {
    const r = await call(s.moia, 'POST', '/api/v1/contracts', contract({ number, department_id: dept, ...extra }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    if (att) assert.equal((await upload(s.moia, r.body.id, Buffer.concat([PDF, Buffer.from(`% ${number}\n`)]), att)).status, 201);
    if (notice) assert.equal((await call(s.moia, 'POST', `/api/v1/contracts/${r.body.id}/notices`, notice)).status, 201);
    return r.body.id;
  };
  await mk('COV-VALID', {}, { signed_on: plus(today, -20), expires_on: plus(today, 100) }, { sent_on: plus(today, -20), method: 'email', acknowledged_on: plus(today, -19), acknowledged_by_role: 'Owner' });
  await mk('COV-EXPIRING', {}, { signed_on: plus(today, -300), expires_on: plus(today, 10) }, { sent_on: plus(today, -5), method: 'portal' });
  await mk('COV-EXPIRED', {}, { signed_on: plus(today, -400), expires_on: plus(today, -1) });
  await mk('COV-MISSING', {});
  await mk('COV-OFFSITE', { on_city_property: false, onsite_personnel: 0 });
  await mk('COV-ENDED', { starts_on: plus(today, -200), ends_on: plus(today, -3) });
  await mk('COV-FUTURE', { starts_on: plus(today, 40), ends_on: plus(today, 400) });

  // Sessions time out as the clock moves: sign in again at each new date.
  let who = s.moia;
  const again = async () => { const l = demoLogins(srv.dir); who = await signIn(srv, l.moia.email, l.moia.password); };
  const row = async (q = '') => {
    const r = await call(who, 'GET', `/api/v1/contracts/coverage${q}`);
    assert.equal(r.status, 200);
    return { all: r.body, d: r.body.departments.find((x) => x.department.code === 'EWDD') };
  };
  let { all, d } = await row();
  assert.equal(all.expiring_within_days, 30);
  const counts = (x) => ({ active: x.active, valid: x.valid, expiring: x.expiring, missing: x.missing, expired: x.expired, notice_sent: x.notice_sent, notice_acknowledged: x.notice_acknowledged });
  assert.deepEqual(counts(d), { active: 4, valid: 2, expiring: 1, missing: 2, expired: 1, notice_sent: 2, notice_acknowledged: 1 });
  assert.deepEqual(d.gaps.missing.map((x) => x.number), ['COV-EXPIRED', 'COV-MISSING']);
  assert.deepEqual(d.gaps.expiring.map((x) => [x.number, x.expires_on, x.days_left]), [['COV-EXPIRING', plus(today, 10), 10]]);
  assert.deepEqual(d.gaps.notice_not_sent.map((x) => x.number), ['COV-EXPIRED', 'COV-MISSING']);
  assert.deepEqual(d.gaps.notice_not_acknowledged.map((x) => x.number), ['COV-EXPIRING']);
  assert.ok(all.expiring.some((x) => x.number === 'COV-EXPIRING' && x.department.code === 'EWDD'), 'the flat list a scheduler reads');
  // a longer horizon: the valid one is expiring too
  ({ d } = await row('?days=120'));
  assert.deepEqual([d.valid, d.expiring], [2, 2]);
  assert.equal((await call(s.moia, 'GET', '/api/v1/contracts/coverage?days=0')).status, 400);
  // the list filters by the same states
  const miss = await call(s.moia, 'GET', `/api/v1/contracts?department_id=${dept}&state=missing`);
  assert.deepEqual(miss.body.items.map((x) => x.number), ['COV-MISSING']);
  const exp = await call(s.moia, 'GET', `/api/v1/contracts?department_id=${dept}&state=expired`);
  assert.deepEqual(exp.body.items.map((x) => x.number), ['COV-EXPIRED']);

  // fifteen days later the expiring one has expired and the future one has not started
  writeFileSync(clockFile, String(15 * DAY));
  try {
    await again();
    ({ all, d } = await row());
    assert.equal(all.today, plus(today, 15));
    assert.deepEqual(counts(d), { active: 4, valid: 1, expiring: 0, missing: 3, expired: 2, notice_sent: 2, notice_acknowledged: 1 });
    // forty-five days later the future one runs, without an attestation
    writeFileSync(clockFile, String(45 * DAY));
    await again();
    ({ d } = await row());
    assert.equal(d.active, 5);
    assert.ok(d.gaps.missing.some((x) => x.number === 'COV-FUTURE'));
  } finally {
    writeFileSync(clockFile, '0');
  }
});
