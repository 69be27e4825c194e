// The public Know-Your-Rights site: no sign-in, the first guess from
// Accept-Language, the language remembered in a cookie that holds only the
// language, correct lang and dir, the English text with a notice in the
// resident's language while a translation is missing or stale, the version
// and date on every text, pages from memory (ETag, 304, gzip) that change
// the moment a text is published or retracted, and no third-party address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import http from 'node:http';
import { startServer, demoLogins, signIn, api } from './lib.mjs';

let srv, s, en, es;
const call = async (who, method, path, body) => (await api(srv, who, method, path, body)).json();
const publish = async (t) => {
  await call(s.moia, 'POST', `/api/v1/kyr/texts/${t.id}/actions`, { action: 'submit' });
  await call(s.legal, 'POST', `/api/v1/kyr/texts/${t.id}/actions`, { action: 'approve' });
  const r = await call(s.moia, 'POST', `/api/v1/kyr/texts/${t.id}/actions`, { action: 'publish' });
  assert.equal(r.status, 'published');
};

before(async () => {
  srv = await startServer();
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
  const topic = await call(s.moia, 'POST', '/api/v1/kyr/topics', { slug: 'site-door', position: 1 });
  en = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, { lang: 'en', title: 'If agents come to your door', web: '# Do not open the door\n\n- Ask to see a **judicial warrant** signed by a judge.\n- <script>alert(1)</script> Stay calm.', sms: 'Do not open the door. Call 311.' });
  await publish(en);
  es = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, { lang: 'es', source_id: en.id, title: 'Si los agentes llegan a su puerta', web: '# No abra la puerta\n\nPida ver una orden judicial firmada por un juez.', sms: 'No abra la puerta. Llame al 311.' });
  await publish(es);
});
after(async () => { await srv.stop(); srv.cleanup(); });

// A raw GET (fetch would decompress and hide Content-Encoding).
function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: srv.port, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        let body = Buffer.concat(chunks);
        if (res.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        resolve({ status: res.statusCode, headers: res.headers, text: body.toString('utf8'), raw: Buffer.concat(chunks) });
      });
    }).on('error', reject);
  });
}

test('the chooser guesses from Accept-Language and lists every language in its own script', async () => {
  let r = await get('/kyr', { 'Accept-Language': 'es-MX,es;q=0.9,en;q=0.8' });
  assert.equal(r.status, 200);
  assert.match(r.text, /<html lang="es" dir="ltr">/);
  assert.match(r.text, /Elija su idioma/);
  assert.match(r.text, /href="\/kyr\/choose\/es"[^>]*>Español</);
  assert.match(r.text, /lang="ko" dir="ltr" hreflang="ko">한국어</);
  assert.match(r.text, /lang="fa" dir="rtl" hreflang="fa">فارسی</);
  assert.match(r.headers.vary, /Accept-Language/);
  r = await get('/kyr', { 'Accept-Language': 'fa-IR' });
  assert.match(r.text, /<html lang="fa" dir="rtl">/);
  r = await get('/kyr');
  assert.match(r.text, /<html lang="en" dir="ltr">/);
});

test('choosing a language sets a cookie that holds only the language', async () => {
  const r = await get('/kyr/choose/ko');
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/kyr/ko');
  const cookie = r.headers['set-cookie'][0];
  assert.match(cookie, /^kyr_lang=ko; Path=\/kyr; Max-Age=31536000; SameSite=Lax; HttpOnly/);
  const back = await get('/kyr', { Cookie: 'kyr_lang=ko' });
  assert.equal(back.status, 303);
  assert.equal(back.headers.location, '/kyr/ko');
  assert.equal((await get('/kyr?choose=1', { Cookie: 'kyr_lang=ko' })).status, 200, 'changing language shows the chooser');
  assert.equal((await get('/kyr', { Cookie: 'kyr_lang=xx' })).status, 200, 'an unknown language is ignored');
  assert.equal((await get('/kyr/choose/xx')).status, 404);
});

test('a topic in Spanish: its text, version and date, sample note, lang and dir', async () => {
  const r = await get('/kyr/es/site-door');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-language'], 'es');
  assert.match(r.text, /<html lang="es" dir="ltr">/);
  assert.match(r.text, /<article class="kyr-text" lang="es" dir="ltr">/);
  assert.match(r.text, /<h1>Si los agentes llegan a su puerta<\/h1>/);
  assert.match(r.text, /<h2>No abra la puerta<\/h2>/);
  assert.match(r.text, /Versión <span dir="ltr">1<\/span>, publicada <time datetime="\d{4}-\d{2}-\d{2}T/);
  assert.doesNotMatch(r.text, /kyr-notice/);
  assert.doesNotMatch(r.text, /<script/i, 'no script at all, and raw HTML from Markdown never passes');
  assert.doesNotMatch(r.text, /https?:\/\/(?!127\.0\.0\.1)/, 'no third-party address');
});

test('a language without a translation: the English text with the notice in that language', async () => {
  const r = await get('/kyr/fa/site-door');
  assert.equal(r.status, 200);
  assert.match(r.text, /<html lang="fa" dir="rtl">/);
  assert.match(r.text, /<p class="kyr-notice" role="note">ترجمهٔ این صفحه/);
  assert.match(r.text, /<article class="kyr-text" lang="en" dir="ltr">/);
  assert.match(r.text, /judicial warrant/);
  assert.doesNotMatch(r.text, /<script>alert/);
  const list = await get('/kyr/fa');
  assert.match(list.text, /href="\/kyr\/fa\/site-door" lang="en" dir="ltr">If agents come to your door<\/a>/);
  assert.match(list.text, /tel:\+18886244752/);
});

test('pages come from memory: ETag, 304, gzip; a publication shows at once', async () => {
  const first = await get('/kyr/es/site-door', { 'Accept-Encoding': 'gzip' });
  assert.equal(first.headers['content-encoding'], 'gzip');
  assert.ok(first.raw.length < Buffer.byteLength(first.text), 'the gzip form is smaller');
  const etag = first.headers.etag;
  assert.match(etag, /^"[0-9a-f]{16}"$/);
  assert.match(first.headers['cache-control'], /public/);
  const again = await get('/kyr/es/site-door', { 'If-None-Match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.text, '');
  const metrics = await (await fetch(srv.url + '/metrics')).text();
  const hits = Number(/haven_pagecache_lookups_total\{result="hit"\} (\d+)/.exec(metrics)[1]);
  assert.ok(hits >= 2, 'the second and third answers came from the cache');
  // A new English version makes the Spanish text stale: the public sees English at once.
  const topicId = en.topic_id;
  const en2 = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topicId}/texts`, { lang: 'en', title: 'Agents at your door (v2)', web: 'Version two.', sms: 'Do not open. Call 311.' });
  await publish(en2);
  const after = await get('/kyr/es/site-door', { 'If-None-Match': etag });
  assert.equal(after.status, 200);
  assert.match(after.text, /class="kyr-notice"/);
  assert.match(after.text, /Agents at your door \(v2\)/);
  assert.notEqual(after.headers.etag, etag);
  // Retraction: gone from every language at once.
  await call(s.legal, 'POST', `/api/v1/kyr/texts/${en2.id}/actions`, { action: 'retract', note: 'withdrawn' });
  assert.equal((await get('/kyr/es/site-door')).status, 404);
  assert.equal((await get('/kyr/en/site-door')).status, 404);
  assert.doesNotMatch((await get('/kyr/es')).text, /site-door/);
});

test('answers from the cache carry the same headers and bytes as the rendered one, plain and gzip', async () => {
  // The first request renders the page; later ones are one response built
  // once per form (src/web/pagecache.c). They must not lose a header.
  const same = ['content-type', 'content-language', 'etag', 'cache-control', 'vary', 'content-encoding',
    'content-security-policy', 'strict-transport-security', 'x-content-type-options', 'referrer-policy',
    'x-frame-options', 'cross-origin-opener-policy', 'cross-origin-resource-policy', 'permissions-policy'];
  for (const enc of [undefined, 'gzip, deflate, br']) {
    const h = enc ? { 'Accept-Encoding': enc } : {};
    const first = await get('/kyr/es', h);
    for (let i = 0; i < 3; i++) {
      const again = await get('/kyr/es', h);
      assert.equal(again.status, 200);
      assert.ok(again.raw.equals(first.raw), 'the same bytes');
      for (const name of same) assert.equal(again.headers[name], first.headers[name], name);
      assert.equal(again.headers['content-encoding'], enc ? 'gzip' : undefined);
      assert.match(again.headers['content-security-policy'], /default-src 'self'/);
    }
    const head = await new Promise((resolve, reject) => {
      http.request({ host: '127.0.0.1', port: srv.port, path: '/kyr/es', method: 'HEAD', headers: h }, (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      }).on('error', reject).end();
    });
    assert.equal(head.statusCode, 200);
    assert.equal(Number(head.headers['content-length']), first.raw.length);
  }
});

test('unknown languages and topics answer 404; no session is needed or looked up', async () => {
  assert.equal((await get('/kyr/xx')).status, 404);
  assert.equal((await get('/kyr/es/no-such-topic')).status, 404);
  const r = await get('/kyr/es');
  assert.equal(r.status, 200);
  assert.equal(r.headers['set-cookie'], undefined);
});
