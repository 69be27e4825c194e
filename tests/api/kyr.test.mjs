// Know Your Rights API: the editor's SMS check (POST /api/v1/kyr/sms-check)
// answers the encoding, units, segments and the characters that forced
// UCS-2, for every signed-in staff role, and refuses anonymous callers and
// bad bodies with a clear error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, demoLogins, signIn, api } from './lib.mjs';

let srv, s;
before(async () => {
  srv = await startServer();
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
});
after(async () => { await srv.stop(); srv.cleanup(); });

const check = async (who, text) => {
  const res = await api(srv, who, 'POST', '/api/v1/kyr/sms-check', { text });
  return { status: res.status, body: await res.json().catch(() => null) };
};

test('sms-check: GSM-7 and UCS-2 boundaries', async () => {
  let r = await check(s.agent311, 'a'.repeat(160));
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.encoding, 'gsm7');
  assert.equal(r.body.units, 160);
  assert.equal(r.body.segments, 1);
  assert.deepEqual(r.body.offending, []);
  r = await check(s.agent311, 'a'.repeat(161));
  assert.equal(r.body.segments, 2);
  r = await check(s.agent311, '€'.repeat(81));
  assert.equal(r.body.units, 162, 'extension characters cost two septets');
  assert.equal(r.body.segments, 2);
  r = await check(s.agent311, 'Usted tiene derechos. Llame al 311. ¿Qué pasa? Sí.');
  assert.equal(r.body.encoding, 'ucs2');
  assert.deepEqual(r.body.offending, ['í'], 'only í forced UCS-2 (é and ¿ are GSM-7)');
  r = await check(s.agent311, '당신은 권리가 있습니다');
  assert.equal(r.body.encoding, 'ucs2');
  assert.equal(r.body.units, 12);
  r = await check(s.agent311, '😀'.repeat(36));
  assert.equal(r.body.units, 72, 'a character outside the BMP takes two UTF-16 units');
  assert.equal(r.body.segments, 2);
});

test('sms-check: the three-segment budget is reported', async () => {
  let r = await check(s.liaison, 'a'.repeat(459));
  assert.equal(r.body.segments, 3);
  assert.equal(r.body.within_limit, true);
  r = await check(s.liaison, 'a'.repeat(460));
  assert.equal(r.body.segments, 4);
  assert.equal(r.body.within_limit, false);
  assert.equal(r.body.max_segments, 3);
});

test('sms-check: every staff role may use it; anonymous callers may not', async () => {
  for (const role of ['admin', 'moia', 'liaison', 'legal', 'agent311', 'workgroup', 'auditor', 'staff']) {
    if (!s[role]) continue;
    const r = await check(s[role], 'Hola');
    assert.equal(r.status, 200, role);
  }
  const res = await fetch(srv.url + '/api/v1/kyr/sms-check', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Origin: srv.url }, body: '{"text":"x"}',
  });
  assert.equal(res.status, 401);
});

test('sms-check: bad bodies get clear errors', async () => {
  let res = await api(srv, s.agent311, 'POST', '/api/v1/kyr/sms-check', '{"text": 5}');
  assert.equal(res.status, 400);
  let b = await res.json();
  assert.equal(b.error.field, 'text');
  res = await api(srv, s.agent311, 'POST', '/api/v1/kyr/sms-check', '{}');
  assert.equal(res.status, 400);
  res = await api(srv, s.agent311, 'POST', '/api/v1/kyr/sms-check', { text: 'a\u0000b' });
  assert.equal(res.status, 400);
  res = await api(srv, s.agent311, 'POST', '/api/v1/kyr/sms-check', { text: 'x'.repeat(2001) });
  assert.equal(res.status, 400);
  res = await api(srv, s.agent311, 'POST', '/api/v1/kyr/sms-check', 'text=x', { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(res.status, 415);
});
