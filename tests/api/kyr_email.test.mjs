// A 311 agent emails a caller the link to a topic's public page, in the
// caller's language, through the SMTP server of the notifications (Debian's
// python3-aiosmtpd on loopback here). The message holds the title, the link
// and one line, and nothing else; the address is used for that one send and
// is afterwards in no database file and no log line; the send adds one to
// the distribution counts with channel "email".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { startServer, demoLogins, signIn, api, freePort, DB } from './lib.mjs';
import { startSink } from './smtp.mjs';

const ui = JSON.parse(readFileSync(new URL('../../data/kyr/ui.json', import.meta.url)));
let srv, s, sink;

before(async () => {
  const port = await freePort();
  sink = await startSink(port);
  srv = await startServer({ args: ['--smtp-url', `smtp://127.0.0.1:${port}`, '--smtp-starttls', '0', '--smtp-from', 'kyr@lacity.org'] });
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
});
after(async () => {
  await srv.stop(); srv.cleanup();
  await new Promise((r) => { if (sink.proc.exitCode !== null) return r(); sink.proc.on('exit', r); process.kill(sink.proc.pid, 'SIGTERM'); });
});

const email = async (who, body) => {
  const res = await api(srv, who, 'POST', '/api/v1/kyr/email', body);
  return { status: res.status, body: await res.json().catch(() => null) };
};
async function settle(id) {
  for (let i = 0; i < 400; i++) {
    const r = await (await api(srv, s.agent311, 'GET', `/api/v1/kyr/email/${id}`)).json();
    if (r.status !== 'queued') return r;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('the email stayed queued');
}
// The message the sink printed: headers (Subject decoded from RFC 2047) and body.
function parse(raw) {
  const text = raw.replace(/^\n/, '').split('------------ END MESSAGE ------------')[0];
  const cut = text.indexOf('\n\n');
  const head = text.slice(0, cut), body = text.slice(cut + 2).trimEnd();
  const headers = {};
  for (const line of head.split('\n')) { const i = line.indexOf(': '); if (i > 0) headers[line.slice(0, i)] = line.slice(i + 2); }
  const subject = (headers.Subject || '').replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/g, (_, b) => Buffer.from(b, 'base64').toString('latin1'));
  return { headers, subject: Buffer.from(subject, 'latin1').toString('utf8'), body };
}
const counts = async () => (await (await api(srv, s.moia, 'GET', '/api/v1/kyr/distributions')).json()).by_channel.email || 0;

test('the caller gets the page link and title in Spanish, nothing else; the count goes up', async () => {
  const before = await counts();
  const r = await email(s.agent311, { topic: 'at-the-door', lang: 'es', to: '  Vecina.Lopez@example.org ' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.deepEqual([r.body.status, r.body.show, r.body.text_lang], ['queued', 'text', 'es']);
  assert.equal((await settle(r.body.id)).status, 'sent');
  const msgs = sink.messages();
  assert.equal(msgs.length, 1);
  const m = parse(msgs[0]);
  assert.equal(m.headers.To, 'Vecina.Lopez@example.org');
  assert.equal(m.headers.From, 'kyr@lacity.org');
  assert.equal(m.subject, ui.es.email_subject, 'the subject is in Spanish');
  assert.match(m.headers['Content-Type'], /^text\/plain; charset=utf-8/, 'plain text: no HTML, no images, no tracking pixel');
  assert.equal(m.body, `Agentes en la puerta de su casa\n${srv.url}/kyr/es/at-the-door\n\n${ui.es.email_line}`);
  assert.equal((m.body.match(/https?:\/\//g) || []).length, 1, 'one link, without any query string');
  assert.equal(await counts(), before + 1);
});

test('a language without a translation links its page (which shows English with a notice)', async () => {
  const r = await email(s.agent311, { topic: 'at-the-door', lang: 'ru', to: 'caller@example.org' });
  assert.equal(r.status, 202);
  assert.equal(r.body.show, 'english');
  assert.equal((await settle(r.body.id)).status, 'sent');
  const m = parse(sink.messages().at(-1));
  assert.equal(m.subject, ui.ru.email_subject);
  assert.equal(m.body, `Agents at the door of your home\n${srv.url}/kyr/ru/at-the-door\n\n${ui.ru.email_line}`);
  const page = await fetch(`${srv.url}/kyr/ru/at-the-door`);
  assert.equal(page.status, 200, 'the link works');
});

test('bad addresses, unknown topics and other roles are refused; nothing is sent', async () => {
  const n = sink.messages().length;
  for (const to of ['caller', 'caller@localhost', 'a@b@example.org', 'caller@example.org\r\nBcc: x@example.org', 'x@example.org, y@example.org']) {
    const r = await email(s.agent311, { topic: 'at-the-door', lang: 'es', to });
    assert.equal(r.status, 400, to);
    assert.equal(r.body.error.field, 'to');
  }
  assert.equal((await email(s.agent311, { topic: 'no-such-topic', lang: 'es', to: 'caller@example.org' })).status, 404);
  assert.equal((await email(s.liaison, { topic: 'at-the-door', lang: 'es', to: 'caller@example.org' })).status, 403);
  assert.equal((await email(s.agent311, { topic: 'at-the-door', lang: 'es', to: 'caller@example.org', name: 'Maria' })).status, 400, 'nothing about the caller is accepted');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(sink.messages().length, n);
});

test('the addresses are in no database file and no log line', async () => {
  const needles = ['Vecina.Lopez', 'vecina.lopez', 'caller@example.org'];
  if (DB === 'postgres') {
    const dump = execFileSync('pg_dump', ['--no-owner', srv.db]).toString();
    assert.ok(dump.includes('kyr_distributions'));
    for (const n of needles) assert.ok(!dump.includes(n), `the dump does not hold ${n}`);
  } else {
    let checked = 0;
    for (const f of readdirSync(srv.dir)) {
      if (!f.startsWith('haven.db')) continue;
      checked++;
      const bytes = readFileSync(`${srv.dir}/${f}`);
      for (const n of needles) assert.ok(!bytes.includes(n), `${f} does not hold ${n}`);
    }
    assert.ok(checked >= 1);
  }
  for (const n of needles) assert.ok(!srv.stderr.includes(n) && !srv.stdout.includes(n), `the logs do not hold ${n}`);
  assert.match(srv.stderr + srv.stdout, /email sent/);
});

test('without a mail server, emailing answers 503 and says why', async () => {
  const plain = await startServer();
  try {
    const l = demoLogins(plain.dir);
    const agent = await signIn(plain, l.agent311.email, l.agent311.password);
    const res = await api(plain, agent, 'POST', '/api/v1/kyr/email', { topic: 'at-the-door', lang: 'es', to: 'caller@example.org' });
    assert.equal(res.status, 503);
    assert.match((await res.json()).error.message, /not configured/);
  } finally { await plain.stop(); plain.cleanup(); }
});
