// The Know-Your-Rights staff pages as HTML over forms (no JavaScript): the
// editor's topic list, versions, new-version form with the SMS measure and
// errors beside fields, a version's page with only the workflow buttons the
// rules allow (the author never sees Approve), refusals shown in words, the
// draft conflict keeping the typed text; the coverage table; the 311
// console (script, English fallback, "I read the script", sending an SMS
// through a loopback gateway, the number in no page or URL afterwards); the
// distribution dashboard; CSRF and role refusals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, demoLogins, signIn, api } from './lib.mjs';

let srv, gw, s;
const received = [];

before(async () => {
  gw = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(new URLSearchParams(body));
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise((r) => gw.listen(0, '127.0.0.1', r));
  srv = await startServer({ env: { HAVEN_SMS_URL: `http://127.0.0.1:${gw.address().port}/Messages`, HAVEN_SMS_USER: 'u', HAVEN_SMS_TOKEN: 't', HAVEN_SMS_FROM: '+13115550000' } });
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
});
after(async () => { await srv.stop(); srv.cleanup(); gw.close(); });

const page = async (who, path) => {
  const res = await api(srv, who, 'GET', path);
  return { status: res.status, html: await res.text() };
};
// Posts a form as a browser would (the CSRF token as a hidden field).
async function post(who, path, fields, { csrf = true } = {}) {
  const body = new URLSearchParams(csrf ? { csrf: who.csrf, ...fields } : fields);
  const res = await fetch(srv.url + path, {
    method: 'POST', redirect: 'manual', body: body.toString(),
    headers: { Origin: srv.url, Cookie: who.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}
const idFrom = (loc) => Number(/\/(\d+)(\?|$)/.exec(loc)[1]);
const decode = (h) => h.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

let topicId, enId;

test('navigation shows each role the KYR pages it may use; others are refused', async () => {
  const nav = async (who) => (await page(who, '/')).html;
  let h = await nav(s.legal);
  assert.match(h, /href="\/kyr-admin"/);
  assert.match(h, /href="\/console\/counts"/);
  assert.doesNotMatch(h, /href="\/console"/);
  h = await nav(s.agent311);
  assert.match(h, /href="\/console"/);
  assert.doesNotMatch(h, /href="\/kyr-admin"/);
  h = await nav(s.liaison);
  assert.doesNotMatch(h, /kyr-admin|\/console/);
  assert.equal((await page(s.liaison, '/kyr-admin')).status, 403);
  assert.equal((await page(s.agent311, '/kyr-admin')).status, 403);
  assert.equal((await page(s.legal, '/console')).status, 403);
  assert.equal((await page(s.workgroup, '/console/counts')).status, 403);
  assert.equal((await page(null, '/console')).status, 401);
  assert.equal((await post(s.agent311, '/kyr-admin/topics', { slug: 'nope' })).status, 403);
});

test('a form without its CSRF token changes nothing', async () => {
  const r = await post(s.moia, '/kyr-admin/topics', { slug: 'csrf-topic', position: '1' }, { csrf: false });
  assert.equal(r.status, 403);
  assert.doesNotMatch((await page(s.moia, '/kyr-admin')).html, /csrf-topic/);
});

test('the editor adds a topic and its English draft, with errors beside fields and the SMS measure', async () => {
  let r = await post(s.moia, '/kyr-admin/topics', { slug: 'Bad Slug', position: '1' });
  assert.equal(r.status, 422);
  assert.match(r.html, /id="slug-error"/);
  assert.match(r.html, /aria-describedby="slug-hint slug-error"/);
  r = await post(s.moia, '/kyr-admin/topics', { slug: 'page-rights', position: '1' });
  assert.equal(r.status, 303);
  topicId = idFrom(r.location.replace(/\?.*/, ''));
  r = await post(s.moia, '/kyr-admin/topics', { slug: 'page-rights', position: '2' });
  assert.equal(r.status, 422);
  assert.match(r.html, /exists already/);

  const t = await page(s.moia, `/kyr-admin/topics/${topicId}?lang=en`);
  assert.equal(t.status, 200);
  assert.match(t.html, /name="source_id"/);
  // Missing title and web text: the form comes back with the typed SMS and messages beside fields.
  r = await post(s.moia, `/kyr-admin/topics/${topicId}`, { lang: 'en', title: '', web: '', sms: 'Call 311 ¿ok?', action: 'create' });
  assert.equal(r.status, 422);
  assert.match(r.html, /id="title-error"[^>]*>Enter a title\./);
  assert.match(r.html, /aria-describedby="web-hint web-error"/);
  assert.match(r.html, /Call 311 ¿ok\?<\/textarea>/);
  assert.match(r.html, /There is a problem/);
  // The SMS check: encoding, segments and the characters that forced UCS-2.
  r = await post(s.moia, `/kyr-admin/topics/${topicId}`, { lang: 'en', title: 'Rights', web: 'You have rights.', sms: 'Llame ahora — sí', action: 'check' });
  assert.equal(r.status, 200);
  assert.match(r.html, /UCS-2, 16 UTF-16 units, 1 segment\./);
  assert.match(r.html, /forced UCS-2: <span class="hv-char">—<\/span> <span class="hv-char">í<\/span>/);
  r = await post(s.moia, `/kyr-admin/topics/${topicId}`, { lang: 'en', title: 'Your rights', web: '## Stay silent\n\nYou may stay silent.', sms: 'You have the right to remain silent. Call 311.', phone: 'You have the right to remain silent.', card: 'Stay silent.', action: 'create' });
  assert.equal(r.status, 303, r.html);
  assert.match(r.location, /^\/kyr-admin\/texts\/\d+\?created=1$/);
  enId = idFrom(r.location.replace(/\?.*/, ''));
  const v = await page(s.moia, `/kyr-admin/texts/${enId}`);
  assert.match(v.html, /<h3>Stay silent<\/h3>/, 'the web preview is rendered');
  assert.match(v.html, /GSM-7, 46 characters \(septets\), 1 segment\./);
  assert.match(v.html, /Submit for review/);
  assert.doesNotMatch(v.html, />Approve</);
  const list = await page(s.moia, `/kyr-admin/topics/${topicId}`);
  assert.match(list.html, /Version 1<\/a>/);
  assert.match(list.html, /Draft/);
});

test('editing a draft: a stale copy gets a clear conflict and keeps the typed text', async () => {
  const v = await page(s.moia, `/kyr-admin/texts/${enId}`);
  const expect = /name="expect_updated" value="(\d+)"/.exec(v.html)[1];
  const fields = { title: 'Your rights', web: '## Stay silent\n\nYou may stay silent.', sms: 'You have the right to remain silent. Call 311.', phone: 'Stay silent.', card: 'Stay silent.' };
  let r = await post(s.moia, `/kyr-admin/texts/${enId}`, { ...fields, expect_updated: expect, action: 'save' });
  assert.equal(r.status, 303);
  assert.match(r.location, /saved=1/);
  r = await post(s.admin, `/kyr-admin/texts/${enId}`, { ...fields, title: 'My stale edit', expect_updated: expect, action: 'save' });
  assert.equal(r.status, 409);
  assert.match(r.html, /Someone saved this draft after you opened it/);
  assert.match(r.html, /value="My stale edit"/, 'the typed text is kept');
  assert.doesNotMatch(r.html, new RegExp(`name="expect_updated" value="${expect}"`), 'the next save knowingly replaces the newer text');
  const again = await page(s.moia, `/kyr-admin/texts/${enId}`);
  assert.doesNotMatch(again.html, /My stale edit/, 'nothing was saved');
});

test('workflow buttons follow the rules: the author never sees Approve; refusals are shown', async () => {
  let r = await post(s.moia, `/kyr-admin/texts/${enId}/actions`, { action: 'submit' });
  assert.equal(r.status, 303);
  let v = await page(s.moia, `/kyr-admin/texts/${enId}`);
  assert.match(v.html, /In legal review/);
  assert.doesNotMatch(v.html, />Approve</, 'moia may not approve');
  assert.doesNotMatch(v.html, /name="csrf"[^>]*><input type="hidden" name="action" value="submit"/);
  v = await page(s.legal, `/kyr-admin/texts/${enId}`);
  assert.match(v.html, />Approve</);
  assert.match(v.html, /Return to the author/);
  // Returning needs a note, shown beside the field.
  r = await post(s.legal, `/kyr-admin/texts/${enId}/actions`, { action: 'return', note: '' });
  assert.equal(r.status, 422);
  assert.match(r.html, /id="note-return-error"/);
  assert.match(r.html, /aria-describedby="note-return-error"/);
  // A legal user's own text: no Approve for the author, and the page says why.
  const d = await post(s.legal, `/kyr-admin/topics/${topicId}`, { lang: 'en', title: 'Legal draft', web: 'Text.', action: 'create' });
  const own = idFrom(d.location.replace(/\?.*/, ''));
  await post(s.legal, `/kyr-admin/texts/${own}/actions`, { action: 'submit' });
  v = await page(s.legal, `/kyr-admin/texts/${own}`);
  assert.doesNotMatch(v.html, />Approve</);
  assert.match(v.html, /another legal user must review and approve it/);
  // A forged approve by the author is refused by the store, in words.
  r = await post(s.legal, `/kyr-admin/texts/${own}/actions`, { action: 'approve' });
  assert.equal(r.status, 422);
  assert.match(r.html, /Nobody approves their own draft/);
  // Approve (legal) then publish (moia).
  r = await post(s.legal, `/kyr-admin/texts/${enId}/actions`, { action: 'approve' });
  assert.equal(r.status, 303);
  v = await page(s.moia, `/kyr-admin/texts/${enId}`);
  assert.match(v.html, />Publish</);
  r = await post(s.moia, `/kyr-admin/texts/${enId}/actions`, { action: 'publish' });
  assert.equal(r.status, 303);
  v = await page(s.moia, r.location);
  assert.match(v.html, /Published: the public site/);
  assert.match(v.html, /Retract/);
  assert.match(v.html, /href="\/kyr\/en\/page-rights"/);
});

test('publishing refuses an SMS beyond three segments and a stale translation, saying why', async () => {
  const call = async (who, method, path, body) => (await api(srv, who, method, path, body)).json();
  const es = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topicId}/texts`, { lang: 'es', source_id: enId, title: 'Sus derechos', web: 'Puede guardar silencio.', sms: 'á'.repeat(210), phone: 'Puede guardar silencio.' });
  await call(s.moia, 'POST', `/api/v1/kyr/texts/${es.id}/actions`, { action: 'submit' });
  await call(s.legal, 'POST', `/api/v1/kyr/texts/${es.id}/actions`, { action: 'approve' });
  let r = await post(s.moia, `/kyr-admin/texts/${es.id}/actions`, { action: 'publish' });
  assert.equal(r.status, 422);
  assert.match(r.html, /more than three segments/);
  // 210 units of text, a line break and the Spanish STOP/HELP footer (46): 257 units.
  assert.match(r.html, /UCS-2, 257 units, 4 segments \(at most 3\), counted with the STOP\/HELP footer that every text ends with: “Responda ALTO para cancelar, AYUDA para ayuda\.”/);
  assert.match(r.html, /forced UCS-2: <span class="hv-char">á<\/span>/);
  // A good Spanish text made from English v1; then English v2 is published: v1's translation is stale.
  const es2 = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topicId}/texts`, { lang: 'es', source_id: enId, title: 'Sus derechos', web: 'Puede guardar silencio.', sms: 'Tiene derecho a guardar silencio. Llame al 311.', phone: 'Puede guardar silencio.' });
  await call(s.moia, 'POST', `/api/v1/kyr/texts/${es2.id}/actions`, { action: 'submit' });
  await call(s.legal, 'POST', `/api/v1/kyr/texts/${es2.id}/actions`, { action: 'approve' });
  r = await post(s.moia, `/kyr-admin/texts/${es2.id}/actions`, { action: 'publish' });
  assert.equal(r.status, 303);
  const es3 = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topicId}/texts`, { lang: 'es', source_id: enId, title: 'Sus derechos', web: 'Vieja.', sms: 'Llame al 311.' });
  await call(s.moia, 'POST', `/api/v1/kyr/texts/${es3.id}/actions`, { action: 'submit' });
  await call(s.legal, 'POST', `/api/v1/kyr/texts/${es3.id}/actions`, { action: 'approve' });
  const en2 = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topicId}/texts`, { lang: 'en', title: 'Your rights', web: 'Version two.', sms: 'You have the right to remain silent. Call 311.', phone: 'Stay silent, version two.' });
  await call(s.moia, 'POST', `/api/v1/kyr/texts/${en2.id}/actions`, { action: 'submit' });
  await call(s.legal, 'POST', `/api/v1/kyr/texts/${en2.id}/actions`, { action: 'approve' });
  await call(s.moia, 'POST', `/api/v1/kyr/texts/${en2.id}/actions`, { action: 'publish' });
  const v = await page(s.moia, `/kyr-admin/texts/${es3.id}`);
  assert.match(v.html, /This translation was made from English version 1, but English version 3 is the published one/);
  r = await post(s.moia, `/kyr-admin/texts/${es3.id}/actions`, { action: 'publish' });
  assert.equal(r.status, 409);
  assert.match(decode(r.html), /no longer the published one: translate the current version/);
  // The coverage page says it in words.
  const c = await page(s.moia, '/kyr-admin/coverage?lang=es');
  assert.equal(c.status, 200);
  assert.match(c.html, /<th scope="row"><span lang="es" dir="ltr">Español<\/span> \(Spanish\)<\/th>\s*<td class="hv-cov hv-cov--stale">Stale<\/td>/);
  const all = await page(s.auditor, '/kyr-admin/coverage');
  assert.equal(all.status, 200);
  assert.match(all.html, /hv-cov--published">Published</);
  const list = await page(s.moia, '/kyr-admin');
  assert.match(list.html, /Stale translations/);
  assert.match(list.html, /<span lang="es" dir="ltr">Español<\/span>/);
});

test('311 console: the script in the caller\'s language or English with a note; reading it is counted', async () => {
  let c = await page(s.agent311, '/console');
  assert.equal(c.status, 200);
  assert.match(c.html, /<option value="ko" lang="ko">한국어 \(Korean\)<\/option>/);
  c = await page(s.agent311, '/console?lang=en&topic=page-rights');
  assert.match(c.html, /Stay silent, version two\./);
  assert.match(c.html, /1 segment \(GSM-7/);
  assert.match(c.html, /href="\/kyr\/en\/page-rights"/);
  c = await page(s.agent311, '/console?lang=ko&topic=page-rights');
  assert.match(c.html, /no current Korean translation/);
  assert.match(c.html, /lang="en" dir="ltr"><p class="hv-pre">Stay silent, version two\./);
  c = await page(s.agent311, '/console?q=rights');
  assert.match(c.html, /value="page-rights"/);
  c = await page(s.agent311, '/console?q=zzzz');
  assert.match(c.html, /No topic matches/);
  const before = (await (await api(srv, s.moia, 'GET', '/api/v1/kyr/distributions')).json()).by_channel.phone || 0;
  const r = await post(s.agent311, '/console/read', { lang: 'ko', topic: 'page-rights' });
  assert.equal(r.status, 303);
  assert.match(r.location, /read=1/);
  assert.match((await page(s.agent311, r.location)).html, /Recorded: you read the phone script/);
  const afterCount = (await (await api(srv, s.moia, 'GET', '/api/v1/kyr/distributions')).json()).by_channel.phone;
  assert.equal(afterCount, before + 1);
  const bad = await post(s.agent311, '/console/read', { lang: 'ko', topic: 'no-such-topic' });
  assert.equal(bad.status, 404);
});

test('311 console: sending the SMS; the number appears in no URL or page afterwards', async () => {
  let r = await post(s.agent311, '/console/sms', { lang: 'es', topic: 'page-rights', to: '555-01' });
  assert.equal(r.status, 400);
  assert.match(r.html, /id="to-error"/);
  assert.doesNotMatch(r.html, /555-01/);
  r = await post(s.agent311, '/console/sms', { lang: 'es', topic: 'page-rights', to: '(213) 555-0142' });
  assert.equal(r.status, 303);
  assert.doesNotMatch(r.location, /555|0142/);
  const id = /sms=([0-9a-f]{32})/.exec(r.location)[1];
  let html = '';
  for (let i = 0; i < 100; i++) {
    html = (await page(s.agent311, r.location)).html;
    if (!/waiting to be sent/.test(html)) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.match(html, /The text message was sent\./);
  assert.doesNotMatch(html, /555.?0142|2135550142/);
  assert.equal(received.at(-1).get('To'), '+12135550142');
  assert.equal(received.at(-1).get('Body'), 'You have the right to remain silent. Call 311.\nReply STOP to end, HELP for help.', 'the Spanish text is stale: the English one is sent, with the English footer');
  // Another agent's page does not know this message.
  const other = await page(s.moia, `/console?lang=es&topic=page-rights&sms=${id}`);
  assert.match(other.html, /no record of this message/);
  assert.ok(!srv.stderr.includes('0142'), 'the number is in no log line');
});

test('311 console without an SMS gateway says so and refuses cleanly', async () => {
  const plain = await startServer();
  try {
    const l = demoLogins(plain.dir);
    const agent = await signIn(plain, l.agent311.email, l.agent311.password);
    const moia = await signIn(plain, l.moia.email, l.moia.password);
    const legal = await signIn(plain, l.legal.email, l.legal.password);
    const call = async (who, method, path, body) => (await api(plain, who, method, path, body)).json();
    const t = await call(moia, 'POST', '/api/v1/kyr/topics', { slug: 'no-gateway', position: 1 });
    const en = await call(moia, 'POST', `/api/v1/kyr/topics/${t.id}/texts`, { lang: 'en', title: 'Rights', web: 'Rights.', sms: 'Call 311.' });
    await call(moia, 'POST', `/api/v1/kyr/texts/${en.id}/actions`, { action: 'submit' });
    await call(legal, 'POST', `/api/v1/kyr/texts/${en.id}/actions`, { action: 'approve' });
    await call(moia, 'POST', `/api/v1/kyr/texts/${en.id}/actions`, { action: 'publish' });
    const c = await (await api(plain, agent, 'GET', '/console?lang=en&topic=no-gateway')).text();
    assert.match(c, /SMS sending is not configured on this server/);
    assert.doesNotMatch(c, /action="\/console\/sms"/);
    const body = new URLSearchParams({ csrf: agent.csrf, lang: 'en', topic: 'no-gateway', to: '2135550143' });
    const res = await fetch(plain.url + '/console/sms', { method: 'POST', redirect: 'manual', body: body.toString(), headers: { Origin: plain.url, Cookie: agent.cookie, 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 503);
    const html = await res.text();
    assert.match(html, /not configured/);
    assert.doesNotMatch(html, /0143/);
  } finally { await plain.stop(); plain.cleanup(); }
});

test('the distribution dashboard: counts by language, topic, channel and day for a date range', async () => {
  let c = await page(s.auditor, '/console/counts');
  assert.equal(c.status, 200);
  assert.match(c.html, /<caption>By language<\/caption>/);
  assert.match(c.html, /<th scope="row"><span lang="ko" dir="ltr">한국어<\/span> \(Korean\)<\/th><td class="hv-num">1<\/td>/);
  assert.match(c.html, /<th scope="row">phone<\/th><td class="hv-num">1<\/td>/);
  assert.match(c.html, /<th scope="row">Your rights<\/th>/);
  c = await page(s.auditor, '/console/counts?from=2000-01-01&to=2000-01-31');
  assert.match(c.html, /0 in all/);
  c = await page(s.auditor, '/console/counts?from=yesterday');
  assert.equal(c.status, 400);
  assert.match(c.html, /id="from-error"/);
  assert.match(c.html, /aria-invalid="true"/);
});
