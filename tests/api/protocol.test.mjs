// The employee protocol as administrator-edited content, against the real
// binary (SQLite or PostgreSQL by HAVEN_TEST_DB): the installed first version,
// saving new versions through the API and the page (CSRF), the quick alert
// page showing the current version, who may save, stale editors, validation,
// safe rendering of hostile Markdown, and one audit event per version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServer, demoLogins, signIn, api, sql, runHaven } from './lib.mjs';

let srv, s;
before(async () => {
  srv = await startServer();
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
});
after(async () => { await srv.stop(); srv.cleanup(); });

const json = async (res) => ({ status: res.status, headers: res.headers, body: await res.json().catch(() => null) });
const sha256 = (t) => createHash('sha256').update(t, 'utf8').digest('hex');
const current = async () => (await json(await api(srv, s.staff, 'GET', '/api/v1/protocol'))).body;
const save = (who, body) => api(srv, who, 'PUT', '/api/v1/protocol', body).then(json);
const alertPage = async (who = s.staff) => {
  const res = await api(srv, who, 'GET', '/alert');
  assert.equal(res.status, 200);
  return res.text();
};
// A form POST carrying the CSRF token as a form field, the way the page sends it.
function postForm(who, path, fields, { csrf = true } = {}) {
  const body = new URLSearchParams({ ...(csrf ? { csrf: who.csrf } : {}), ...fields }).toString();
  return api(srv, { cookie: who.cookie }, 'POST', path, body, { 'Content-Type': 'application/x-www-form-urlencoded' });
}

test('a new installation has version 1: the sample protocol, shown on the alert page', async () => {
  const p = await current();
  assert.equal(p.version, 1);
  assert.equal(p.created_by, null);
  assert.match(p.markdown, /^# What to do right now\n/);
  assert.match(p.markdown, /judicial warrant/);
  assert.match(p.markdown, /pending the City Attorney's review/);
  assert.equal(p.sha256, sha256(p.markdown), 'the stored hash is the hash of the stored text');
  assert.match(p.html, /<h2>What to do right now<\/h2>/, 'headings sit under the page h1');
  assert.match(p.html, /<ol>\s*<li><strong>Look at the document\.<\/strong>/);
  assert.match(p.html, /<em>administrative warrant<\/em>/);
  const html = await alertPage();
  assert.match(html, /<strong>Do not consent<\/strong> to agents entering non-public areas/);
  assert.match(html, /Version 1, /);
  assert.doesNotMatch(html, /could not be loaded/);
});

test('staff, liaisons and others may read the protocol but not change it', async () => {
  for (const who of ['staff', 'liaison', 'moia', 'legal', 'agent311', 'auditor']) {
    assert.equal((await api(srv, s[who], 'GET', '/api/v1/protocol')).status, 200, who);
    const r = await save(s[who], { markdown: '# Mine', expect_version: 1 });
    assert.equal(r.status, 403, who);
    assert.equal((await api(srv, s[who], 'GET', '/api/v1/protocol/versions')).status, 403, who);
    assert.equal((await api(srv, s[who], 'GET', '/admin/protocol')).status, 403, who);
    assert.equal((await postForm(s[who], '/admin/protocol', { markdown: '# Mine', expect_version: '1', action: 'save' })).status, 403, who);
  }
  assert.equal((await fetch(srv.url + '/api/v1/protocol')).status, 401);
  assert.equal((await current()).version, 1, 'nothing was saved');
});

test('an administrator saves version 2: the alert page shows it, with its number; a stale editor gets 409', async () => {
  const before = (await current()).version;
  const text = '# When agents arrive\n\n1. Stay calm.\n2. **Call the liaison** at once.\n\nSee the [City page](https://lacity.gov/).\n';
  const r = await save(s.admin, { markdown: text, note: 'Shorter first steps', expect_version: before });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.version, before + 1);
  assert.equal(r.headers.get('location'), `/api/v1/protocol/versions/${before + 1}`);
  assert.equal(r.body.markdown, text);
  assert.equal(r.body.note, 'Shorter first steps');
  assert.equal(r.body.sha256, sha256(text));
  assert.match(r.body.created_by, /Ada Admin/);
  assert.match(r.body.html, /<h2>When agents arrive<\/h2>/);
  assert.match(r.body.html, /<li><strong>Call the liaison<\/strong> at once\.<\/li>/);
  assert.match(r.body.html, /<a href="https:\/\/lacity.gov\/">City page<\/a>/);

  const html = await alertPage();
  assert.match(html, /<h2>When agents arrive<\/h2>/);
  assert.match(html, new RegExp(`Version ${before + 1}, `));
  assert.doesNotMatch(html, /Look at the document/, 'the old version is gone from the page');

  // Someone who started from the old version cannot overwrite the new one.
  const stale = await save(s.admin, { markdown: '# Old edit', expect_version: before });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.error.code, 'stale_version');
  assert.equal(stale.body.error.current_version, before + 1);
  assert.equal((await current()).version, before + 1, 'nothing was saved');
  assert.equal((await current()).markdown, text);

  // Old versions stay readable.
  const v1 = await json(await api(srv, s.admin, 'GET', '/api/v1/protocol/versions/1'));
  assert.equal(v1.status, 200);
  assert.match(v1.body.markdown, /judicial warrant/);
  const list = await json(await api(srv, s.admin, 'GET', '/api/v1/protocol/versions'));
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((v) => v.version).slice(0, 2), [before + 1, before]);
  assert.equal(list.body.items[0].note, 'Shorter first steps');
  assert.equal(list.body.items[0].markdown, undefined, 'the list carries no text');
  assert.equal((await api(srv, s.admin, 'GET', '/api/v1/protocol/versions/999')).status, 404);
});

test('validation: empty, too long, missing or unknown fields; nothing saved', async () => {
  const v = (await current()).version;
  let r = await save(s.admin, { markdown: ' \n\t\n', expect_version: v });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'markdown');
  assert.match(r.body.error.message, /empty/);
  r = await save(s.admin, { markdown: 'x'.repeat(65537), expect_version: v });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'markdown');
  assert.match(r.body.error.message, /too long/);
  r = await save(s.admin, { markdown: 'é'.repeat(32769), expect_version: v }); // 65538 bytes, 32769 characters
  assert.equal(r.status, 422, 'the cap counts bytes');
  r = await save(s.admin, { markdown: '# Fine' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'expect_version');
  r = await save(s.admin, { markdown: '# Fine', expect_version: v, html: '<b>' });
  assert.equal(r.status, 400);
  r = await save(s.admin, { markdown: '# Fine', expect_version: v, note: 'n'.repeat(501) });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'note');
  assert.equal((await current()).version, v, 'nothing was saved');
  r = await save(s.admin, { markdown: 'y'.repeat(65536), expect_version: v });
  assert.equal(r.status, 201, 'exactly 64 KiB is accepted');
});

test('hostile Markdown: raw HTML, script and javascript: links never reach a page', async () => {
  const v = (await current()).version;
  const text = [
    '# Safe <script>alert(1)</script>', '',
    '<script>alert(2)</script>', '',
    '<img src=x onerror="alert(3)">', '',
    '[click](javascript:alert(4)) and [data](data:text/html;base64,PHNjcmlwdD4=)', '',
    '<iframe src="https://evil.example/"></iframe>', '',
    'Plain **bold** stays.', '',
  ].join('\n');
  const r = await save(s.admin, { markdown: text, expect_version: v });
  assert.equal(r.status, 201);
  for (const html of [r.body.html, await alertPage()]) {
    assert.doesNotMatch(html, /<script>alert/);
    assert.doesNotMatch(html, /onerror/);
    assert.doesNotMatch(html, /javascript:/);
    assert.doesNotMatch(html, /data:text\/html/);
    assert.doesNotMatch(html, /<iframe/);
    assert.match(html, /Plain <strong>bold<\/strong> stays\./);
    assert.match(html, /<a href="">click<\/a>/);
  }
});

test('the page: edit, preview without saving, save with the CSRF field, conflict keeps the text', async () => {
  let res = await api(srv, s.admin, 'GET', '/admin/protocol');
  assert.equal(res.status, 200);
  let html = await res.text();
  const v = (await current()).version;
  assert.match(html, new RegExp(`name="expect_version" value="${v}"`));
  assert.match(html, /<textarea[^>]*name="markdown"/);
  assert.match(html, /How the alert page shows it now/);
  assert.match(html, /href="\/admin\/protocol\/versions\/1">Version 1</);
  assert.match((await (await api(srv, s.admin, 'GET', '/')).text()), /href="\/admin\/protocol"/, 'linked from the admin navigation');
  assert.doesNotMatch((await (await api(srv, s.staff, 'GET', '/')).text()), /href="\/admin\/protocol"/);

  // Preview: rendered, nothing saved.
  res = await postForm(s.admin, '/admin/protocol', { markdown: '# Preview me\n\n*soon*', expect_version: String(v), action: 'preview' });
  assert.equal(res.status, 200);
  html = await res.text();
  assert.match(html, /<h2>Preview me<\/h2>\s*<p><em>soon<\/em><\/p>/);
  assert.match(html, /nothing is saved/);
  assert.equal((await current()).version, v);

  // Without the CSRF token the form is refused.
  res = await postForm(s.admin, '/admin/protocol', { markdown: '# No token', expect_version: String(v), action: 'save' }, { csrf: false });
  assert.equal(res.status, 403);
  assert.equal((await current()).version, v);

  // Empty text: the message beside the field, 422.
  res = await postForm(s.admin, '/admin/protocol', { markdown: '   ', expect_version: String(v), action: 'save' });
  assert.equal(res.status, 422);
  html = await res.text();
  assert.match(html, /<span class="usa-error-message" id="markdown-error" role="alert">Write the protocol: the text is empty\.<\/span>/);
  res = await postForm(s.admin, '/admin/protocol', { markdown: 'z'.repeat(70000), expect_version: String(v), action: 'save' });
  assert.equal(res.status, 422);
  html = await res.text();
  assert.match(html, /id="markdown-error"[^>]*>The protocol is too long/);
  assert.match(html, /z{70000}<\/textarea>/, 'the text comes back');

  // Save from the page.
  res = await postForm(s.admin, '/admin/protocol', { markdown: '# From the page\n\nCall the liaison.', note: 'Page edit', expect_version: String(v), action: 'save' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/admin/protocol?saved=${v + 1}`);
  html = await (await api(srv, s.admin, 'GET', `/admin/protocol?saved=${v + 1}`)).text();
  assert.match(html, new RegExp(`Version ${v + 1} saved`));
  assert.match(html, /<td>Page edit<\/td>/);
  assert.match(await alertPage(), /<h2>From the page<\/h2>/);

  // A second editor who started from v: conflict, their text shown back, nothing lost.
  res = await postForm(s.admin, '/admin/protocol', { markdown: '# My long careful edit', note: 'Mine', expect_version: String(v), action: 'save' });
  assert.equal(res.status, 409);
  html = await res.text();
  assert.match(html, new RegExp(`Someone saved version ${v + 1} while you were editing version ${v}`));
  assert.match(html, /># My long careful edit<\/textarea>/);
  assert.match(html, new RegExp(`name="expect_version" value="${v + 1}"`), 'saving again is a conscious choice over the newer version');
  assert.match(html, /<h2>From the page<\/h2>/, 'the version saved meanwhile is shown beside it');
  assert.equal((await current()).version, v + 1);

  // An old version's page.
  res = await api(srv, s.admin, 'GET', '/admin/protocol/versions/1');
  assert.equal(res.status, 200);
  html = await res.text();
  assert.match(html, /<h1>Protocol version 1<\/h1>/);
  assert.match(html, /No, a newer version replaced it/);
  assert.match(html, /Look at the document/);
  assert.equal((await api(srv, s.admin, 'GET', '/admin/protocol/versions/99999')).status, 404);
});

test('every saved version has one audit event, and the chain verifies', async () => {
  const list = (await json(await api(srv, s.admin, 'GET', '/api/v1/protocol/versions'))).body.items;
  const saved = list.filter((v) => v.version > 1);
  assert.ok(saved.length >= 4);
  const audit = await json(await api(srv, s.admin, 'GET', '/api/v1/audit?object_type=protocol'));
  assert.equal(audit.status, 200);
  const events = audit.body.events;
  assert.equal(events.length, saved.length);
  for (const v of saved) {
    const e = events.filter((x) => x.object_id === String(v.version));
    assert.equal(e.length, 1, `version ${v.version}`);
    assert.equal(e[0].action, 'protocol.publish');
    assert.match(e[0].actor, /^user:\d+$/);
  }
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'protocol.publish'").trim(), String(saved.length));
  const r = await runHaven(['audit', 'verify', '--data', srv.dir, '--db', srv.db]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});
