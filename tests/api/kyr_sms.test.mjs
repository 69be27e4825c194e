// 311 agents send a topic's SMS text in the caller's language through the
// configured gateway (a real HTTP receiver on loopback here): the message
// arrives as a form POST with Basic authentication; the number is used for
// that one send and appears nowhere afterwards (database files, logs);
// each send and each other channel adds to the distribution counts, which
// hold topic, language, channel, day and agent only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startServer, demoLogins, signIn, api, DB } from './lib.mjs';

let srv, s, gw;

// One published topic in English and Spanish on `server`.
async function publishTopic(server, who) {
  const call = async (u, method, path, body) => (await api(server, u, method, path, body)).json();
  const topic = await call(who.moia, 'POST', '/api/v1/kyr/topics', { slug: 'sms-send-test', position: 1 });
  const publish = async (t) => {
    await call(who.moia, 'POST', `/api/v1/kyr/texts/${t.id}/actions`, { action: 'submit' });
    await call(who.legal, 'POST', `/api/v1/kyr/texts/${t.id}/actions`, { action: 'approve' });
    const r = await call(who.moia, 'POST', `/api/v1/kyr/texts/${t.id}/actions`, { action: 'publish' });
    assert.equal(r.status, 'published');
  };
  const en = await call(who.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, { lang: 'en', title: 'Rights', web: 'You have rights.', sms: 'You have the right to remain silent. Call 311.' });
  await publish(en);
  const es = await call(who.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, { lang: 'es', source_id: en.id, title: 'Derechos', web: 'Usted tiene derechos.', sms: 'Tiene derecho a guardar silencio. Llame al 311.' });
  await publish(es);
}
const received = [];
let gatewayStatus = 201;

before(async () => {
  gw = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ auth: req.headers.authorization, type: req.headers['content-type'], form: new URLSearchParams(body) });
      res.writeHead(gatewayStatus, { 'Content-Type': 'application/json' });
      res.end('{"sid":"SM1"}');
    });
  });
  await new Promise((r) => gw.listen(0, '127.0.0.1', r));
  srv = await startServer({ env: { HAVEN_SMS_URL: `http://127.0.0.1:${gw.address().port}/Messages`, HAVEN_SMS_USER: 'AC123', HAVEN_SMS_TOKEN: 'sekret', HAVEN_SMS_FROM: '+13115550000' } });
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
  await publishTopic(srv, s);
});
after(async () => { await srv.stop(); srv.cleanup(); gw.close(); });

const send = async (who, body) => {
  const res = await api(srv, who, 'POST', '/api/v1/kyr/sms', body);
  return { status: res.status, body: await res.json().catch(() => null) };
};
async function settle(who, id) {
  for (let i = 0; i < 200; i++) {
    const r = await (await api(srv, who, 'GET', `/api/v1/kyr/sms/${id}`)).json();
    if (r.status !== 'queued') return r;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('the message stayed queued');
}

test('an agent sends the Spanish SMS; the gateway gets it; the number is kept nowhere', async () => {
  const r = await send(s.agent311, { topic: 'sms-send-test', lang: 'es', to: '(213) 555-0199' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.equal(r.body.status, 'queued');
  assert.equal(r.body.text_lang, 'es');
  const done = await settle(s.agent311, r.body.id);
  assert.equal(done.status, 'sent');
  const m = received.at(-1);
  assert.equal(m.form.get('To'), '+12135550199');
  assert.equal(m.form.get('From'), '+13115550000');
  // The text, then the STOP/HELP footer in its language (data/kyr/sms.json).
  assert.equal(m.form.get('Body'), 'Tiene derecho a guardar silencio. Llame al 311.\nResponda ALTO para cancelar, AYUDA para ayuda.');
  assert.equal(m.auth, 'Basic ' + Buffer.from('AC123:sekret').toString('base64'));
  assert.match(m.type, /application\/x-www-form-urlencoded/);
  // Another agent cannot see this message's state.
  assert.equal((await api(srv, s.moia, 'GET', `/api/v1/kyr/sms/${r.body.id}`)).status, 404);
  // The number is in no database file (or PostgreSQL dump) and no log line.
  if (DB === 'postgres') {
    const dump = execFileSync('pg_dump', ['--no-owner', srv.db]).toString();
    assert.ok(dump.includes('sms-send-test') && !dump.includes('2135550199'), 'the dump does not hold the number');
  } else {
    let checked = 0;
    for (const f of readdirSync(srv.dir)) {
      if (!f.startsWith('haven.db')) continue;
      checked++;
      assert.ok(!readFileSync(`${srv.dir}/${f}`).includes('2135550199'), `${f} does not hold the number`);
    }
    assert.ok(checked >= 1);
  }
  assert.ok(!srv.stderr.includes('2135550199') && !srv.stdout.includes('2135550199'), 'the logs do not hold the number');
});

test('a language without a translation gets the English SMS', async () => {
  const r = await send(s.agent311, { topic: 'sms-send-test', lang: 'ko', to: '+1 213 555 0100' });
  assert.equal(r.status, 202);
  assert.equal(r.body.show, 'english');
  assert.equal((await settle(s.agent311, r.body.id)).status, 'sent');
  // The English text goes with the English footer (the one publishing counted).
  assert.equal(received.at(-1).form.get('Body'), 'You have the right to remain silent. Call 311.\nReply STOP to end, HELP for help.');
});

test('a gateway failure is reported and not counted', async () => {
  gatewayStatus = 500;
  const before = (await (await api(srv, s.moia, 'GET', '/api/v1/kyr/distributions')).json()).by_channel.sms || 0;
  const r = await send(s.agent311, { topic: 'sms-send-test', lang: 'es', to: '2135550101' });
  const done = await settle(s.agent311, r.body.id);
  gatewayStatus = 201;
  assert.equal(done.status, 'failed');
  assert.match(done.reason, /500/);
  const after = (await (await api(srv, s.moia, 'GET', '/api/v1/kyr/distributions')).json()).by_channel.sms || 0;
  assert.equal(after, before);
});

test('bad requests: number, topic, role', async () => {
  let r = await send(s.agent311, { topic: 'sms-send-test', lang: 'es', to: '555-0123' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'to');
  r = await send(s.agent311, { topic: 'no-such-topic', lang: 'es', to: '2135550123' });
  assert.equal(r.status, 404);
  r = await send(s.liaison, { topic: 'sms-send-test', lang: 'es', to: '2135550123' });
  assert.equal(r.status, 403);
  r = await send(s.agent311, { topic: 'sms-send-test', lang: 'es', to: '2135550123', name: 'x' });
  assert.equal(r.status, 400, 'nothing about the caller is accepted');
});

test('distribution counts: by language, topic, channel and day; nothing about callers', async () => {
  let res = await api(srv, s.agent311, 'POST', '/api/v1/kyr/distributions', { topic: 'sms-send-test', lang: 'es', channel: 'phone' });
  assert.equal(res.status, 201);
  res = await api(srv, s.agent311, 'POST', '/api/v1/kyr/distributions', { topic: 'sms-send-test', lang: 'es', channel: 'card' });
  assert.equal(res.status, 201);
  res = await api(srv, s.agent311, 'POST', '/api/v1/kyr/distributions', { topic: 'sms-send-test', lang: 'es', channel: 'fax' });
  assert.equal(res.status, 400);
  const d = await (await api(srv, s.auditor, 'GET', '/api/v1/kyr/distributions')).json();
  assert.equal(d.by_language.es, 3, 'one SMS sent, the phone script and the card (the failed send is not counted)');
  assert.equal(d.by_language.ko, 1);
  assert.equal(d.by_channel.sms, 2);
  assert.equal(d.by_channel.phone, 1);
  assert.equal(d.by_topic['sms-send-test'], 4);
  assert.equal(d.total, 4);
  for (const row of d.rows) assert.deepEqual(Object.keys(row).sort(), ['channel', 'count', 'day', 'lang', 'topic']);
  const today = d.rows[0].day;
  assert.match(today, /^\d{4}-\d{2}-\d{2}$/);
  const none = await (await api(srv, s.auditor, 'GET', '/api/v1/kyr/distributions?from=2000-01-01&to=2000-01-31')).json();
  assert.equal(none.total, 0);
  assert.equal((await api(srv, s.auditor, 'GET', '/api/v1/kyr/distributions?from=yesterday')).status, 400);
  assert.equal((await api(srv, s.liaison, 'GET', '/api/v1/kyr/distributions')).status, 403);
});

test('without a gateway, sending answers 503 and says why', async () => {
  const plain = await startServer();
  try {
    const l = demoLogins(plain.dir);
    const who = {};
    for (const [k, v] of Object.entries(l)) who[k] = await signIn(plain, v.email, v.password);
    await publishTopic(plain, who);
    const res = await api(plain, who.agent311, 'POST', '/api/v1/kyr/sms', { topic: 'sms-send-test', lang: 'es', to: '2135550123' });
    assert.equal(res.status, 503);
    assert.match((await res.json()).error.message, /not configured/);
  } finally { await plain.stop(); plain.cleanup(); }
});
