// Incident reports end to end against the real binary: quick alert to
// verified report, validation rules, versions and conflicts, department
// isolation, redaction on every path, idempotent retries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, demoLogins, signIn, api, sql } from './lib.mjs';

let srv, s, lib, libFacility, parksFacility;
before(async () => {
  srv = await startServer();
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
  lib = Number(sql(srv.db, "SELECT id FROM departments WHERE code = 'LAPL'").trim());
  libFacility = Number(sql(srv.db, `SELECT id FROM facilities WHERE department_id = ${lib} ORDER BY id LIMIT 1`).trim());
  parksFacility = Number(sql(srv.db, "SELECT f.id FROM facilities f JOIN departments d ON d.id = f.department_id WHERE d.code = 'RAP' ORDER BY f.id LIMIT 1").trim());
});
after(async () => { await srv.stop(); srv.cleanup(); });

const json = async (res) => ({ status: res.status, body: await res.json().catch(() => null) });
const pad = (n) => String(n).padStart(2, '0');
function local(minutesAgo) { // city-local "YYYY-MM-DDTHH:MM" (the server runs in America/Los_Angeles)
  const d = new Date(Date.now() - minutesAgo * 60000);
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
  const g = (t) => f.find((p) => p.type === t).value;
  return `${g('year')}-${g('month')}-${g('day')}T${g('hour')}:${g('minute')}`;
}

function fullReport(extra = {}) {
  return {
    facility_id: libFacility, started_at: local(90), ended_at: local(30), agencies: ['ice_ero'],
    agents_count: 4, vehicles_count: 2, document_type: 'admin_i200', access: 'refused',
    narrative: 'Four agents waited in the lobby and asked for the staff room; the manager refused.', ...extra,
  };
}

test('quick alert from a staff member: stored, numbered, the start of a draft report', async () => {
  const r = await json(await api(srv, s.staff, 'POST', '/api/v1/alerts', { facility_id: libFacility, happening: 'entry_requested', agencies: ['ice_ero'], entry_requested: true, note: 'Two agents at the front desk' }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.match(r.body.ref, /^INC-\d{4}-\d{6}$/);
  assert.equal(r.body.status, 'draft');
  assert.equal(r.body.from_alert, true);
  assert.equal(r.body.alert.happening, 'entry_requested');
  assert.equal((await api(srv, s.staff, 'GET', `/api/v1/incidents/${r.body.id}`)).status, 403, 'staff send alerts; liaisons read reports');
  const l = await json(await api(srv, s.liaison, 'GET', `/api/v1/incidents/${r.body.id}`));
  assert.equal(l.status, 200);
  assert.equal(sql(srv.db, `SELECT COUNT(*) FROM audit_events WHERE action = 'incident.alert' AND object_id = '${r.body.id}'`).trim(), '1');
  // Another department's facility is not theirs to report from.
  const other = await json(await api(srv, s.staff, 'POST', '/api/v1/alerts', { facility_id: parksFacility, happening: 'agents_present' }));
  assert.equal(other.status, 404);
  const bad = await json(await api(srv, s.staff, 'POST', '/api/v1/alerts', { facility_id: libFacility, happening: 'dancing', citizenship: 'x' }));
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.error.problems.map((p) => p.field).sort(), ['citizenship', 'happening']);
});

test('idempotent retries: the same key gives the same report, never a duplicate', async () => {
  const body = { facility_id: libFacility, happening: 'agents_present' };
  const key = `phone-${Date.now()}`;
  const a = await json(await api(srv, s.staff, 'POST', '/api/v1/alerts', body, { 'Idempotency-Key': key }));
  const b = await json(await api(srv, s.staff, 'POST', '/api/v1/alerts', body, { 'Idempotency-Key': key }));
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(a.body.id, b.body.id);
  assert.equal(a.body.ref, b.body.ref);
  const c = await json(await api(srv, s.staff, 'POST', '/api/v1/alerts', { ...body, happening: 'other' }, { 'Idempotency-Key': key }));
  assert.equal(c.status, 422, 'a key reused for another request is refused');
  // Concurrent retries on a bad network.
  const key2 = `burst-${Date.now()}`;
  const many = await Promise.all(Array.from({ length: 6 }, () => api(srv, s.staff, 'POST', '/api/v1/alerts', body, { 'Idempotency-Key': key2 }).then(json)));
  assert.ok(many.every((m) => m.status === 201));
  assert.equal(new Set(many.map((m) => m.body.id)).size, 1);
});

test('full report: validation rules answer each field', async () => {
  const cases = [
    [{ started_at: local(-120) }, 'started_at', /future/],
    [{ ended_at: local(200) }, 'ended_at', /before the start/],
    [{ started_at: '2026-02-30T10:00' }, 'started_at', /date and time/],
    [{ agents_count: 9000 }, 'agents_count', /from 0 to 500/],
    [{ agents_count: 'four' }, 'agents_count', /whole number/],
    [{ agencies: ['ice_ero', 'ice_ero'] }, 'agencies', /at most once/],
    [{ document_type: 'napkin' }, 'document_type', /listed/],
    [{ disruption_minutes: 30 }, 'disruption_minutes', /disrupted/],
    [{ nationality: 'x' }, 'nationality', /Unknown field/],
  ];
  for (const [extra, field, re] of cases) {
    const r = await json(await api(srv, s.liaison, 'POST', '/api/v1/incidents', fullReport(extra)));
    assert.equal(r.status, 400, JSON.stringify(extra));
    const p = r.body.error.problems.find((x) => x.field === field);
    assert.ok(p, `${field} named for ${JSON.stringify(extra)}: ${JSON.stringify(r.body.error.problems)}`);
    assert.match(p.message, re);
  }
});

test('narratives are redacted before they are stored, on every path', async () => {
  const text = 'The supervisor (badge 4521) said a man with A-123-456-789, SSN 123-45-6789, born 03/04/1990, phone (213) 555-0100, mail x.y@example.com was sought. He is undocumented.';
  const r = await json(await api(srv, s.liaison, 'POST', '/api/v1/incidents', fullReport({ narrative: text })));
  assert.equal(r.status, 201);
  const saved = r.body.data.narrative;
  for (const secret of ['123-456-789', '123-45-6789', '03/04/1990', '555-0100', 'x.y@example.com']) assert.ok(!saved.includes(secret), secret);
  for (const ph of ['[A-NUMBER]', '[SSN]', '[DATE OF BIRTH]', '[PHONE]', '[EMAIL]']) assert.ok(saved.includes(ph), ph);
  assert.ok(saved.includes('badge 4521'), 'badge numbers are kept');
  assert.ok(r.body.redacted >= 5);
  assert.ok(r.body.flags.some((f) => /undocumented/i.test(f.word)));
  const dump = sql(srv.db, `SELECT data FROM incidents WHERE id = ${r.body.id}`) + sql(srv.db, `SELECT data FROM incident_versions WHERE incident_id = ${r.body.id}`);
  assert.ok(!dump.includes('123-45-6789') && !dump.includes('x.y@example.com'), 'the original never reached the database');
  const scan = await json(await api(srv, s.staff, 'POST', '/api/v1/incidents/scan', { text: 'call 213-555-0100 re A12345678' }));
  assert.equal(scan.body.text, 'call [PHONE] re [A-NUMBER]');
});

test('from draft to verified: submit, review, verify by someone else; versions and history', async () => {
  let r = await json(await api(srv, s.liaison, 'POST', '/api/v1/incidents', fullReport({ narrative: '' })));
  assert.equal(r.status, 201);
  const id = r.body.id;
  let v = r.body.version;
  r = await json(await api(srv, s.liaison, 'POST', `/api/v1/incidents/${id}/actions`, { action: 'submit', version: v }));
  assert.equal(r.status, 400, 'incomplete: the narrative is needed to submit');
  assert.equal(r.body.error.field, 'narrative');
  r = await json(await api(srv, s.liaison, 'PATCH', `/api/v1/incidents/${id}`, { version: v, data: fullReport({ narrative: 'Agents waited in the lobby.' }) }));
  assert.equal(r.status, 200);
  v = r.body.version;
  assert.equal(v, 2);
  // A stale edit is refused with a clear conflict.
  r = await json(await api(srv, s.moia, 'PATCH', `/api/v1/incidents/${id}`, { version: 1, data: fullReport({ narrative: 'Overwrite.' }) }));
  assert.equal(r.status, 409);
  assert.match(r.body.error.message, /Someone else saved this report/);
  r = await json(await api(srv, s.liaison, 'POST', `/api/v1/incidents/${id}/actions`, { action: 'submit', version: v }));
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'submitted');
  assert.ok(r.body.minutes_to_report >= 89, 'time to report recorded');
  v = r.body.version;
  r = await json(await api(srv, s.liaison, 'POST', `/api/v1/incidents/${id}/actions`, { action: 'verify', version: v, confidence: 'confirmed' }));
  assert.equal(r.status, 403, 'a liaison does not verify');
  r = await json(await api(srv, s.moia, 'POST', `/api/v1/incidents/${id}/actions`, { action: 'review', version: v }));
  assert.equal(r.body.status, 'in_review');
  v = r.body.version;
  r = await json(await api(srv, s.moia, 'POST', `/api/v1/incidents/${id}/actions`, { action: 'verify', version: v }));
  assert.equal(r.status, 400, 'confidence is required');
  r = await json(await api(srv, s.moia, 'POST', `/api/v1/incidents/${id}/actions`, { action: 'verify', version: v, confidence: 'probable', note: 'Checked with the branch manager.' }));
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'verified');
  assert.equal(r.body.confidence, 'probable');
  v = r.body.version;
  r = await json(await api(srv, s.liaison, 'PATCH', `/api/v1/incidents/${id}`, { version: v, data: fullReport() }));
  assert.equal(r.status, 409, 'verified reports are not edited');
  r = await json(await api(srv, s.legal, 'POST', `/api/v1/incidents/${id}/actions`, { action: 'refer', version: v, refer_legal: true, note: 'For the City Attorney' }));
  assert.equal(r.status, 200);
  assert.equal(r.body.refer_legal, true);
  const h = await json(await api(srv, s.auditor, 'GET', `/api/v1/incidents/${id}/history`));
  assert.deepEqual(h.body.versions.map((x) => x.action), ['create', 'edit', 'submit', 'review', 'verify', 'refer']);
  assert.deepEqual(h.body.versions[1].changes.map((c) => c.field), ['narrative']);
  assert.equal(h.body.versions[1].changes[0].before, '');
  assert.equal(h.body.versions[4].note, 'probable: Checked with the branch manager.');
});

test('the filer cannot verify their own report', async () => {
  let r = await json(await api(srv, s.moia, 'POST', '/api/v1/incidents', fullReport()));
  const id = r.body.id;
  r = await json(await api(srv, s.moia, 'POST', `/api/v1/incidents/${id}/actions`, { action: 'submit', version: 1 }));
  r = await json(await api(srv, s.moia, 'POST', `/api/v1/incidents/${id}/actions`, { action: 'verify', version: r.body.version, confidence: 'confirmed' }));
  assert.equal(r.status, 403);
  assert.match(r.body.error.message, /someone else must verify/);
});

test('department isolation: another department\'s liaison gets 404; lists are scoped; MOIA sees all', async () => {
  const r = await json(await api(srv, s.liaison, 'POST', '/api/v1/incidents', fullReport()));
  const id = r.body.id;
  assert.equal((await api(srv, s.liaison2, 'GET', `/api/v1/incidents/${id}`)).status, 404);
  assert.equal((await api(srv, s.liaison2, 'GET', `/api/v1/incidents/${id}/history`)).status, 404);
  assert.equal((await api(srv, s.liaison2, 'PATCH', `/api/v1/incidents/${id}`, { version: 1, data: fullReport() })).status, 404);
  assert.equal((await api(srv, s.liaison2, 'POST', `/api/v1/incidents/${id}/actions`, { action: 'submit', version: 1 })).status, 404);
  const mine = await json(await api(srv, s.liaison2, 'GET', '/api/v1/incidents'));
  assert.ok(mine.body.items.every((i) => i.department_code === 'RAP'));
  const all = await json(await api(srv, s.moia, 'GET', '/api/v1/incidents?per_page=200'));
  assert.ok(all.body.items.some((i) => i.id === id));
  const filtered = await json(await api(srv, s.moia, 'GET', '/api/v1/incidents?agency=ice_ero&document_type=admin_i200&status=draft&q=lobby'));
  assert.ok(filtered.body.items.length >= 1);
  assert.ok(filtered.body.items.every((i) => i.agencies.includes('ice_ero') && i.document_type === 'admin_i200' && i.status === 'draft'));
  assert.equal((await api(srv, s.moia, 'GET', '/api/v1/incidents?agency=aliens')).status, 400);
});
