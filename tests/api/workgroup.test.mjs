// The LAPD working group against the real binary (SQLite or PostgreSQL by
// HAVEN_TEST_DB): members, sessions (attendance only once held), feedback
// with personal identifiers redacted on the API and the form path alike,
// recommendations through their status machine (declined needs a reason,
// every move audited in its transaction), guideline documents with versions
// in Markdown (raw HTML refused), 409 on a stale version, roles (a liaison
// refused), and the public /consultations page: sessions held and upcoming,
// recommendations with their status, no names, no feedback, no sources.
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
const W = '/api/v1/workgroup';
const actions = (type, id) => sql(srv.db, `SELECT action FROM audit_events WHERE object_type = '${type}' AND object_id = '${id}' ORDER BY seq`)
  .trim().split('\n').map((x) => x.trim()).filter(Boolean);
const form = (who, path, fields) => fetch(srv.url + path, {
  method: 'POST', redirect: 'manual',
  headers: { Origin: srv.url, Cookie: who.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ csrf: who.csrf, ...fields }).toString(),
});

test('a consultation from planned to held, with feedback redacted and a stale edit refused', async () => {
  let r = await call(s.workgroup, 'POST', `${W}/sessions`, {
    kind: 'consultation', title: 'Test consultation', held_on: '2026-03-07',
    place: 'Test recreation center', languages: ['Spanish', 'Tagalog'],
  });
  assert.equal(r.status, 201);
  const id = r.body.id;
  assert.equal(r.body.status, 'planned');
  assert.equal(r.body.attendance, null);
  assert.deepEqual(r.body.languages, ['Spanish', 'Tagalog']);
  assert.equal(r.body.version, 1);

  // attendance is a count of a session held
  r = await call(s.workgroup, 'PATCH', `${W}/sessions/${id}`, { version: 1, attendance: 40 });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'attendance');
  r = await call(s.moia, 'PATCH', `${W}/sessions/${id}`, {
    version: 1, status: 'held', attendance: 40,
    summary: 'A resident (call her at 213-555-0142 or maria@example.com) asked about raids.',
  });
  assert.equal(r.status, 200);
  assert.equal(r.body.version, 2);
  assert.equal(r.body.attendance, 40);
  assert.equal(r.body.redacted, 2);
  assert.doesNotMatch(r.body.summary, /555-0142|example\.com/);
  assert.match(r.body.summary, /\[PHONE\]/);

  // someone else's edit meanwhile: the stale version is refused
  r = await call(s.workgroup, 'PATCH', `${W}/sessions/${id}`, { version: 1, title: 'Late edit' });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'version_conflict');
  assert.equal(r.body.error.field, 'version');
  r = await call(s.workgroup, 'GET', `${W}/sessions/${id}`);
  assert.equal(r.body.title, 'Test consultation');

  // feedback through the API: identifiers replaced before storage
  r = await call(s.workgroup, 'POST', `${W}/sessions/${id}/feedback`, {
    topic: 'Detention', summary: 'Her husband A-123-456-789 was detained; reach her at (323) 555-0199.',
    source: 'neighbour, jose@example.org',
  });
  assert.equal(r.status, 201);
  const fb = r.body.id;
  assert.equal(r.body.redacted, 3);
  assert.equal(r.body.session_id, id);
  const stored = sql(srv.db, `SELECT summary || ' ' || source FROM wg_feedback WHERE id = ${fb}`);
  assert.doesNotMatch(stored, /123-456-789|555-0199|jose@/);
  assert.match(stored, /\[A-NUMBER\]/);
  // the same redaction on the form path
  const res = await form(s.workgroup, `/workgroup/sessions/${id}/feedback`, {
    topic: 'Form path', summary: 'Call 213-555-0100 for the details.', source: '',
  });
  assert.equal(res.status, 303);
  r = await call(s.workgroup, 'GET', `${W}/sessions/${id}/feedback`);
  const viaForm = r.body.items.find((f) => f.topic === 'Form path');
  assert.ok(viaForm);
  assert.equal(viaForm.summary, 'Call [PHONE] for the details.');
  r = await call(s.workgroup, 'PATCH', `${W}/feedback/${fb}`, { version: 1, summary: 'Email x@example.com' });
  assert.equal(r.status, 200);
  assert.equal(r.body.summary, 'Email [EMAIL]');

  assert.deepEqual(actions('wg_session', id), ['workgroup.session.create', 'workgroup.session.update']);
  assert.deepEqual(actions('wg_feedback', fb), ['workgroup.feedback.create', 'workgroup.feedback.update']);
});

test('errors by field', async () => {
  let r = await call(s.workgroup, 'POST', `${W}/sessions`, { kind: 'party', title: 'x', held_on: '2026-01-01', place: 'y' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'kind');
  r = await call(s.workgroup, 'POST', `${W}/sessions`, { kind: 'meeting', title: 'x', held_on: '2026-02-30', place: 'y' });
  assert.equal(r.body.error.field, 'held_on');
  r = await call(s.workgroup, 'POST', `${W}/sessions`, { kind: 'meeting', title: 'x', held_on: '2026-02-03' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'missing_field');
  assert.equal(r.body.error.field, 'place');
  r = await call(s.workgroup, 'POST', `${W}/sessions`, { kind: 'meeting', title: 'x', held_on: '2026-02-03', place: 'y', nationality: 'z' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'nationality');
  r = await call(s.workgroup, 'POST', `${W}/members`, { name: 'A', organisation: 'B' });
  assert.equal(r.body.error.field, 'group_role');
  r = await call(s.workgroup, 'PATCH', `${W}/members/999999`, { version: 1, name: 'x' });
  assert.equal(r.status, 404);
  r = await call(s.workgroup, 'POST', `${W}/sessions/999999/feedback`, { topic: 'x', summary: 'y' });
  assert.equal(r.status, 404);
  r = await call(s.workgroup, 'POST', `${W}/recommendations`, { title: 'x', text: 'y', feedback_ids: [999999] });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'feedback_ids');
});

test('members: name, organisation and role; an edit checks the version', async () => {
  let r = await call(s.moia, 'POST', `${W}/members`, { name: 'Test Member', organisation: 'Test Org', group_role: 'Member' });
  assert.equal(r.status, 201);
  assert.equal(r.body.active, true);
  const id = r.body.id;
  assert.deepEqual(Object.keys(r.body).sort(), ['active', 'created_at', 'flags', 'group_role', 'id', 'name', 'organisation', 'redacted', 'updated_at', 'version']);
  r = await call(s.moia, 'PATCH', `${W}/members/${id}`, { version: 1, active: false });
  assert.equal(r.status, 200);
  assert.equal(r.body.active, false);
  r = await call(s.moia, 'PATCH', `${W}/members/${id}`, { version: 1, active: true });
  assert.equal(r.status, 409);
});

test('a recommendation through its status machine, linked to feedback and a guideline', async () => {
  const sess = await call(s.workgroup, 'POST', `${W}/sessions`, { kind: 'meeting', title: 'Machine', held_on: '2026-01-10', place: 'HQ' });
  const fb = await call(s.workgroup, 'POST', `${W}/sessions/${sess.body.id}/feedback`, { topic: 'T', summary: 'S' });
  let r = await call(s.workgroup, 'POST', `${W}/recommendations`, { title: 'Rec', text: 'Do this.', feedback_ids: [fb.body.id] });
  assert.equal(r.status, 201);
  const id = r.body.id;
  assert.equal(r.body.status, 'proposed');
  assert.deepEqual(r.body.feedback_ids, [fb.body.id]);
  assert.equal(r.body.feedback[0].topic, 'T');
  const mv = (version, status, reason) => call(s.workgroup, 'POST', `${W}/recommendations/${id}/status`, { version, status, ...(reason ? { reason } : {}) });

  // proposed cannot jump to adopted
  r = await mv(1, 'adopted');
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'invalid_transition');
  assert.match(r.body.error.message, /under_review or declined/);
  r = await mv(1, 'under_review');
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'under_review');
  assert.equal(r.body.version, 2);
  // stale
  r = await mv(1, 'adopted');
  assert.equal(r.status, 409);
  // declined needs a reason
  r = await mv(2, 'declined');
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'reason');
  r = await mv(2, 'declined', 'Outside what LAPD may do.');
  assert.equal(r.status, 200);
  assert.equal(r.body.decline_reason, 'Outside what LAPD may do.');
  // reconsidered, adopted, implemented; then nothing more
  for (const [v, st] of [[3, 'under_review'], [4, 'adopted'], [5, 'implemented']]) {
    r = await mv(v, st);
    assert.equal(r.status, 200, st);
  }
  assert.equal(r.body.decline_reason, null);
  assert.deepEqual(r.body.history.map((h) => h.to), ['proposed', 'under_review', 'declined', 'under_review', 'adopted', 'implemented']);
  r = await mv(6, 'declined', 'too late');
  assert.equal(r.status, 422);
  assert.match(r.body.error.message, /implemented can move to none/);
  assert.deepEqual(actions('wg_recommendation', id), ['workgroup.recommendation.create',
    ...Array(5).fill('workgroup.recommendation.status')]);

  // a guideline with two versions, linked to it; raw HTML refused
  r = await call(s.moia, 'POST', `${W}/guidelines`, { title: 'G', text: 'Hello <script>alert(1)</script>', recommendation_ids: [id] });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'text');
  r = await call(s.moia, 'POST', `${W}/guidelines`, { title: 'G', text: '# One\n\nFirst.', note: 'v1', recommendation_ids: [id] });
  assert.equal(r.status, 201);
  const g = r.body.id;
  assert.equal(r.body.current_version, 1);
  assert.equal(r.body.versions[0].html, '<h2>One</h2>\n<p>First.</p>\n');
  r = await call(s.moia, 'POST', `${W}/guidelines/${g}/versions`, { version: 1, text: '<div>x</div>' });
  assert.equal(r.status, 422);
  r = await call(s.moia, 'POST', `${W}/guidelines/${g}/versions`, { version: 1, text: '# One\n\nSecond.', note: 'v2' });
  assert.equal(r.status, 201);
  assert.equal(r.body.current_version, 2);
  assert.deepEqual(r.body.versions.map((v) => v.number), [2, 1]);
  assert.deepEqual(r.body.recommendation_ids, [id]);
  r = await call(s.moia, 'POST', `${W}/guidelines/${g}/versions`, { version: 1, text: 'stale' });
  assert.equal(r.status, 409);
  r = await call(s.moia, 'PATCH', `${W}/guidelines/${g}`, { version: 2, title: 'G renamed', recommendation_ids: [] });
  assert.equal(r.status, 200);
  assert.equal(r.body.title, 'G renamed');
  assert.deepEqual(r.body.recommendation_ids, []);
  r = await call(s.workgroup, 'GET', `${W}/recommendations/${id}`);
  assert.deepEqual(r.body.guidelines, []);
  assert.deepEqual(actions('wg_guideline', g), ['workgroup.guideline.create', 'workgroup.guideline.version', 'workgroup.guideline.update']);
});

test('roles: the group, MOIA and admin edit; legal and auditors read; a liaison is refused', async () => {
  const body = { name: 'R', organisation: 'O', group_role: 'M' };
  for (const who of ['admin', 'moia', 'workgroup']) {
    const r = await call(s[who], 'POST', `${W}/members`, body);
    assert.equal(r.status, 201, who);
  }
  for (const who of ['legal', 'auditor']) {
    assert.equal((await call(s[who], 'GET', `${W}/recommendations`)).status, 200, who);
    assert.equal((await call(s[who], 'POST', `${W}/members`, body)).status, 403, who);
  }
  for (const who of ['liaison', 'staff', 'agent311']) {
    assert.equal((await call(s[who], 'GET', `${W}/sessions`)).status, 403, who);
    assert.equal((await call(s[who], 'POST', `${W}/sessions`, {})).status, 403, who);
    const page = await fetch(srv.url + '/workgroup', { headers: { Cookie: s[who].cookie }, redirect: 'manual' });
    assert.equal(page.status, 403, who);
  }
  assert.equal((await call(null, 'GET', `${W}/sessions`)).status, 401);
});

test('the public page: consultations held and upcoming, recommendations by status, nothing personal', async () => {
  let res = await fetch(srv.url + '/consultations');
  assert.equal(res.status, 200);
  let html = await res.text();
  assert.match(html, /<html lang="en" dir="ltr">/);
  assert.match(html, /Boyle Heights community consultation/);
  assert.match(html, /Westlake community consultation/); // upcoming, dated from today
  assert.match(html, /K&#39;iche&#39;|K'iche'/);
  assert.match(html, />86</);
  assert.match(html, />&lt;5</); // Pacoima's 3 shown as <5
  for (const st of ['Proposed', 'Under review', 'Adopted', 'Implemented', 'Declined']) assert.match(html, new RegExp(`>${st}<`));
  // no member names or organisations, no feedback, no sources, no meetings
  const text = html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const members = (await call(s.workgroup, 'GET', `${W}/members`)).body.items;
  assert.ok(members.length >= 5);
  for (const m of members.filter((x) => x.name.length > 3)) {
    assert.ok(!text.includes(m.name), m.name);
    // community organisations are not named (the intro names the City's own offices)
    if (/sample/.test(m.organisation)) assert.ok(!text.includes(m.organisation), m.organisation);
  }
  const fbs = JSON.parse(JSON.stringify((await call(s.workgroup, 'GET', `${W}/sessions`)).body.items));
  for (const sess of fbs) {
    const one = (await call(s.workgroup, 'GET', `${W}/sessions/${sess.id}`)).body;
    if (sess.kind === 'meeting') assert.ok(!text.includes(sess.title), sess.title);
    if (sess.summary.length > 10) assert.ok(!text.includes(sess.summary.slice(0, 40)), sess.summary);
    for (const f of one.feedback.filter((x) => x.summary.length > 10)) {
      assert.ok(!text.includes(f.summary.slice(0, 40)), f.summary);
      if (f.source.length > 3) assert.ok(!text.includes(f.source), f.source);
    }
  }
  assert.doesNotMatch(html, /<script(?![^>]*src=)/, 'no inline script');

  // Spanish
  res = await fetch(srv.url + '/consultations/es');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-language'), 'es');
  html = await res.text();
  assert.match(html, /<html lang="es" dir="ltr">/);
  assert.match(html, /Consultas comunitarias/);
  assert.match(html, />Rechazada</);
  assert.equal((await fetch(srv.url + '/consultations/xx')).status, 404);
  assert.equal((await fetch(srv.url + '/consultations/ko')).status, 404); // not translated yet

  // a new consultation appears at once (the cache follows the writes)
  const r = await call(s.workgroup, 'POST', `${W}/sessions`, { kind: 'consultation', title: 'Cache check consultation', held_on: '2099-01-02', place: 'Somewhere' });
  assert.equal(r.status, 201);
  html = await (await fetch(srv.url + '/consultations')).text();
  assert.match(html, /Cache check consultation/);
});
