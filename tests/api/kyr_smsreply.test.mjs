// STOP, HELP and START by SMS: the gateway posts a resident's reply to
// /api/v1/kyr/sms/inbound with the shared secret (nothing else gets in);
// keywords in any served language are answered in that language as TwiML;
// STOP records an opt-out as a keyed hash of the number, so agents cannot
// text that number again (422), and START lifts it. Neither the number nor
// the message is kept in the database or written to the logs. Every topic
// SMS ends with the STOP/HELP footer, and publishing counts it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startServer, demoLogins, signIn, api, sql, DB } from './lib.mjs';

const SECRET = 'inbound-secret-0123456789abcdefghijklmnop';
const replies = Object.fromEntries(JSON.parse(readFileSync(new URL('../../data/kyr/sms.json', import.meta.url))).languages.map((l) => [l.lang, l]));
const received = [];
let srv, s, gw;

before(async () => {
  gw = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => { received.push(new URLSearchParams(body)); res.writeHead(201); res.end('{}'); });
  });
  await new Promise((r) => gw.listen(0, '127.0.0.1', r));
  srv = await startServer({ env: { HAVEN_SMS_URL: `http://127.0.0.1:${gw.address().port}/Messages`, HAVEN_SMS_FROM: '+13115550000', HAVEN_SMS_INBOUND_TOKEN: SECRET } });
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
});
after(async () => { await srv.stop(); srv.cleanup(); gw.close(); });

// The gateway's POST: a form with From, Body and the provider's own fields.
async function inbound(from, body, auth = 'Basic ' + Buffer.from('twilio:' + SECRET).toString('base64'), server = srv) {
  const form = new URLSearchParams({ MessageSid: 'SM0123', AccountSid: 'AC123', From: from, To: '+13115550000', Body: body, NumMedia: '0' });
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (auth) headers.Authorization = auth;
  const res = await fetch(`${server.url}/api/v1/kyr/sms/inbound`, { method: 'POST', headers, body: form.toString() });
  return { status: res.status, type: res.headers.get('content-type'), www: res.headers.get('www-authenticate'), text: await res.text() };
}
const message = (xml) => {
  const m = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Response><Message>([^<]*)<\/Message><\/Response>\n$/.exec(xml);
  return m && m[1].replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
};
const send = async (to, lang = 'es') => {
  const res = await api(srv, s.agent311, 'POST', '/api/v1/kyr/sms', { topic: 'at-the-door', lang, to });
  return { status: res.status, body: await res.json() };
};
async function settle(id) {
  for (let i = 0; i < 200; i++) {
    const r = await (await api(srv, s.agent311, 'GET', `/api/v1/kyr/sms/${id}`)).json();
    if (r.status !== 'queued') return r;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('the message stayed queued');
}
const optouts = () => Number(sql(srv.db, 'SELECT COUNT(*) FROM kyr_sms_optouts').trim());

test('the webhook lets in only the gateway: no secret, a wrong one or a staff session get 401', async () => {
  let r = await inbound('+12135550142', 'STOP', null);
  assert.equal(r.status, 401);
  assert.match(r.www, /^Basic realm=/, 'asks for Basic authentication, as gateways expect');
  r = await inbound('+12135550142', 'STOP', 'Basic ' + Buffer.from('twilio:' + SECRET.slice(0, -1)).toString('base64'));
  assert.equal(r.status, 401);
  r = await inbound('+12135550142', 'STOP', 'Bearer wrong');
  assert.equal(r.status, 401);
  r = await inbound('+12135550142', 'STOP', 'Basic %%%');
  assert.equal(r.status, 401);
  // A signed-in agent's cookie is no credential here.
  const res = await fetch(`${srv.url}/api/v1/kyr/sms/inbound`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: s.agent311.cookie || '' }, body: 'From=%2B12135550142&Body=STOP' });
  assert.equal(res.status, 401);
  assert.equal(optouts(), 0, 'nothing was recorded');
  // The secret as a Bearer token works too.
  r = await inbound('+12135550199', 'HELP', 'Bearer ' + SECRET);
  assert.equal(r.status, 200);
  assert.equal(message(r.text), replies.en.help_reply);
});

test('a server without sms_inbound_token refuses every call; a short secret stops start-up', async () => {
  const plain = await startServer();
  try {
    assert.equal((await inbound('+12135550142', 'STOP', 'Basic ' + Buffer.from('x:').toString('base64'), plain)).status, 401);
    assert.equal((await inbound('+12135550142', 'STOP', 'Bearer ', plain)).status, 401);
  } finally { await plain.stop(); plain.cleanup(); }
  await assert.rejects(startServer({ env: { HAVEN_SMS_INBOUND_TOKEN: 'short' } }), /sms_inbound_token/);
});

test('STOP in Spanish opts the number out, answered in Spanish; agents are refused; START lifts it', async () => {
  let r = await send('(213) 555-0142');
  assert.equal(r.status, 202, 'before: the number can be texted');
  assert.equal((await settle(r.body.id)).status, 'sent');
  const before = received.length;

  r = await inbound('+12135550142', '  ¡Alto! ');
  assert.equal(r.status, 200);
  assert.match(r.type, /^application\/xml; charset=utf-8$/);
  assert.equal(message(r.text), replies.es.stop_reply);
  assert.equal(optouts(), 1);
  const hash = sql(srv.db, 'SELECT number_hash FROM kyr_sms_optouts').trim();
  assert.match(hash, /^[0-9a-f]{64}$/, 'a 256-bit keyed hash, not the number');
  // Not a plain hash of the number either (that could be reversed by trying every number).
  const { createHash } = await import('node:crypto');
  for (const n of ['+12135550142', '12135550142', '2135550142'])
    for (const alg of ['sha256', 'sha3-256']) assert.notEqual(createHash(alg).update(n).digest('hex'), hash);
  // STOP again changes nothing.
  r = await inbound('+12135550142', 'PARAR');
  assert.equal(message(r.text), replies.es.stop_reply);
  assert.equal(optouts(), 1);

  // The same number typed any way is refused, and nothing reaches the gateway.
  for (const typed of ['213-555-0142', '+1 (213) 555 0142', '12135550142']) {
    r = await send(typed);
    assert.equal(r.status, 422, typed);
    assert.equal(r.body.error.field, 'to');
    assert.match(r.body.error.message, /This number has asked not to receive texts/);
  }
  // Another number is not affected.
  r = await send('2135550143');
  assert.equal(r.status, 202);
  await settle(r.body.id);
  assert.equal(received.length, before + 1);

  // START (or UNSTOP) removes the opt-out, answered in the keyword's language.
  r = await inbound('+12135550142', 'unstop');
  assert.equal(message(r.text), replies.en.start_reply);
  assert.equal(optouts(), 0);
  r = await send('213 555 0142');
  assert.equal(r.status, 202);
  assert.equal((await settle(r.body.id)).status, 'sent');

  // The audit log says that a resident opted out and in, never who.
  const events = sql(srv.db, "SELECT actor || ' ' || action || ' ' || object_id FROM audit_events WHERE action LIKE 'kyr.sms.opt%' ORDER BY seq").trim().split('\n');
  assert.deepEqual(events, ['sms-gateway kyr.sms.optout -', 'sms-gateway kyr.sms.optin -']);
});

test('keywords in other languages and scripts are answered in that language; other texts get no answer', async () => {
  const cases = [
    ['도움말', 'ko', 'help_reply'], ['帮助', 'zh-Hans', 'help_reply'], ['Помощь', 'ru', 'help_reply'],
    ['GIUP', 'vi', 'help_reply'], ['کمک', 'fa', 'help_reply'], ['עזרה', 'he', 'help_reply'], ['Aide', 'en', 'help_reply'],
    ['ARRET', 'en', 'stop_reply'], ['停止', 'zh-Hant', 'stop_reply'], ['Dừng', 'vi', 'stop_reply'], ['ايقاف', 'ar', 'stop_reply'],
  ];
  for (const [body, lang, kind] of cases) {
    const r = await inbound('+12135550150', body);
    assert.equal(r.status, 200, body);
    assert.equal(message(r.text), replies[lang][kind], `${body} is answered in ${lang}`);
  }
  for (const body of ['Where is the nearest lawyer?', 'stop texting me please', '']) {
    const r = await inbound('+12135550151', body);
    assert.equal(r.status, 200);
    assert.equal(r.text, '<?xml version="1.0" encoding="UTF-8"?>\n<Response/>\n', `"${body}" gets no answer`);
  }
  // STOP from a short code or a name (not a phone number) is answered; nothing is stored.
  const n = optouts();
  const r = await inbound('MYCARRIER', 'STOP');
  assert.equal(message(r.text), replies.en.stop_reply);
  assert.equal(optouts(), n);
  // A post without From or Body is refused.
  const res = await fetch(`${srv.url}/api/v1/kyr/sms/inbound`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Bearer ' + SECRET }, body: 'Body=STOP' });
  assert.equal(res.status, 400);
});

test('neither a resident\'s number nor their message is kept or logged', async () => {
  await inbound('+12135550177', 'STOP');
  await inbound('+12135550178', 'Secret words for nobody');
  const needles = ['2135550177', '2135550178', 'Secret words', '2135550142', '2135550150'];
  if (DB === 'postgres') {
    const dump = execFileSync('pg_dump', ['--no-owner', srv.db]).toString();
    assert.ok(dump.includes('kyr_sms_optouts'));
    for (const n of needles) assert.ok(!dump.includes(n), `the dump does not hold ${n}`);
  } else {
    for (const f of readdirSync(srv.dir)) {
      if (!f.startsWith('haven.db')) continue;
      const bytes = readFileSync(`${srv.dir}/${f}`);
      for (const n of needles) assert.ok(!bytes.includes(n), `${f} does not hold ${n}`);
    }
  }
  for (const n of needles) assert.ok(!srv.stderr.includes(n) && !srv.stdout.includes(n), `the logs do not hold ${n}`);
  assert.match(srv.stderr + srv.stdout, /sms keyword answered/);
});

test('every topic SMS ends with the footer, and publishing counts it in the three segments', async () => {
  const r = await send('2135550160', 'ko'); // Korean is published for this topic
  assert.equal(r.status, 202);
  await settle(r.body.id);
  assert.ok(received.at(-1).get('Body').endsWith('\n' + replies.ko.footer));

  const call = async (u, method, path, body) => (await api(srv, u, method, path, body)).json();
  const topic = await call(s.moia, 'POST', '/api/v1/kyr/topics', { slug: 'footer-budget', position: 90 });
  const footer = replies.en.footer;
  const room = 3 * 153 - 1 - footer.length; // GSM-7: 153 a segment, a line break, the footer
  const tryPublish = async (sms) => {
    const t = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, { lang: 'en', title: 'Budget', web: 'Text.', sms });
    await call(s.moia, 'POST', `/api/v1/kyr/texts/${t.id}/actions`, { action: 'submit' });
    await call(s.legal, 'POST', `/api/v1/kyr/texts/${t.id}/actions`, { action: 'approve' });
    const res = await api(srv, s.moia, 'POST', `/api/v1/kyr/texts/${t.id}/actions`, { action: 'publish' });
    return { status: res.status, body: await res.json() };
  };
  let p = await tryPublish('x'.repeat(room + 1));
  assert.equal(p.status, 422, 'one character too many once the footer is added');
  assert.equal(p.body.error.field, 'sms');
  assert.match(p.body.error.message, /footer/);
  assert.equal(p.body.error.detail.segments, 4);
  assert.equal(p.body.error.detail.footer, footer);
  p = await tryPublish('x'.repeat(room));
  assert.equal(p.status, 200, JSON.stringify(p.body));

  // The editor's check measures the same when given the language.
  let c = await call(s.liaison, 'POST', '/api/v1/kyr/sms-check', { text: 'x'.repeat(room), lang: 'en' });
  assert.deepEqual([c.segments, c.within_limit, c.footer], [3, true, footer]);
  c = await call(s.liaison, 'POST', '/api/v1/kyr/sms-check', { text: 'x'.repeat(room + 1), lang: 'en' });
  assert.deepEqual([c.segments, c.within_limit], [4, false]);
  c = await call(s.liaison, 'POST', '/api/v1/kyr/sms-check', { text: 'x'.repeat(room + 1) });
  assert.deepEqual([c.segments, c.footer], [3, null], 'without a language: the text alone');
});
