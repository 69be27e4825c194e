// Accounts and sessions against the real binary (ASVS V6-V8, reference/security.md):
// cookie attributes, fixation, wrong passwords, throttling, timeouts with an
// injected clock, sign-out, disabling, CSRF, password rules and storage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, runHaven, demoLogins, signIn, api, sql, DB } from './lib.mjs';

let srv, logins, clockFile;
before(async () => {
  clockFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'haven-clock-')), 'offset');
  writeFileSync(clockFile, '0');
  srv = await startServer({ env: { HAVEN_CLOCK_OFFSET_FILE: clockFile } });
  logins = demoLogins(srv.dir);
});
after(async () => { await srv.stop(); srv.cleanup(); });

const moveClock = (ms) => writeFileSync(clockFile, String(ms));

test('a fresh install has no login that works until haven init', async () => {
  const fresh = await startServer({ demo: false });
  try {
    for (const [e, p] of [['admin@lacity.org', 'admin'], ['admin', 'admin'], ['admin@demo.lacity.org', 'password']]) {
      const r = await signIn(fresh, e, p);
      assert.equal(r.status, 401);
    }
    assert.equal(sql(fresh.db, 'SELECT COUNT(*) FROM users').trim(), '0');
  } finally { await fresh.stop(); fresh.cleanup(); }
});

test('sign-in sets a __Host- cookie: Secure, HttpOnly, SameSite=Strict, Path=/; a new token each time', async () => {
  const a = await signIn(srv, logins.moia.email, logins.moia.password);
  assert.equal(a.status, 200);
  assert.match(a.setCookie, /^__Host-haven=[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=Strict$/);
  assert.match(a.csrf, /^[A-Za-z0-9_-]{43}$/);
  const b = await signIn(srv, logins.moia.email, logins.moia.password);
  assert.notEqual(a.cookie, b.cookie);
  // Fixation: a cookie the attacker planted before sign-in is not adopted.
  const planted = '__Host-haven=' + 'A'.repeat(43);
  const c = await signIn(srv, logins.moia.email, logins.moia.password, { Cookie: planted });
  assert.notEqual(c.cookie, planted);
  let res = await api(srv, { cookie: planted }, 'GET', '/api/v1/me');
  assert.equal(res.status, 401);
  res = await api(srv, c, 'GET', '/api/v1/me');
  assert.equal(res.status, 200);
  const me = await res.json();
  assert.equal(me.email, logins.moia.email);
  assert.deepEqual(me.roles, ['moia']);
  // Only a hash of the token is stored.
  const token = c.cookie.split('=')[1];
  assert.equal(sql(srv.db, `SELECT COUNT(*) FROM sessions WHERE token_hash = '${token}'`).trim(), '0');
});

test('wrong password and unknown email get the same answer', async () => {
  const a = await signIn(srv, logins.legal.email, 'not the right password at all');
  const b = await signIn(srv, 'nobody@lacity.org', 'not the right password at all');
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.deepEqual(a.body, b.body);
  assert.equal(a.body.error.message, 'Email or password is incorrect.');
  const c = await signIn(srv, logins.legal.email, logins.legal.password);
  assert.equal(c.status, 200, 'a success clears the failures');
});

test('throttling: five failures lock the account; a correct password is then refused too', async () => {
  const who = logins.workgroup;
  for (let i = 0; i < 5; i++) assert.equal((await signIn(srv, who.email, `wrong password number ${i}`)).status, 401);
  const r = await signIn(srv, who.email, who.password);
  assert.equal(r.status, 429);
  assert.equal(r.body.error.code, 'too_many_attempts');
  const audit = sql(srv.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'signin.locked'").trim();
  assert.ok(Number(audit) >= 1, 'the refusal is audited');
  assert.match(srv.stderr, /sign-in refused: locked/);
  // Fifteen minutes later the account opens again.
  moveClock(16 * 60 * 1000);
  try {
    assert.equal((await signIn(srv, who.email, who.password)).status, 200);
  } finally { moveClock(0); }
});

test('throttling per address stops scripted guessing across many accounts long before 100 tries', async () => {
  const s2 = await startServer();
  try {
    let locked = 0;
    let i = 0;
    for (; i < 100 && !locked; i++) {
      const r = await signIn(s2, `user${i}@lacity.org`, 'guess guess guess guess');
      if (r.status === 429) locked = i + 1;
    }
    assert.ok(locked > 0 && locked <= 25, `locked after ${locked} attempts`);
    const l = demoLogins(s2.dir);
    assert.equal((await signIn(s2, l.admin.email, l.admin.password)).status, 429, 'the address stays locked');
  } finally { await s2.stop(); s2.cleanup(); }
});

test('idle timeout (30 minutes) and absolute timeout (12 hours) with the injected clock', async () => {
  const s = await signIn(srv, logins.agent311.email, logins.agent311.password);
  assert.equal((await api(srv, s, 'GET', '/api/v1/me')).status, 200);
  moveClock(29 * 60 * 1000);
  assert.equal((await api(srv, s, 'GET', '/api/v1/me')).status, 200, 'still alive at 29 minutes');
  moveClock(29 * 60 * 1000 + 31 * 60 * 1000);
  assert.equal((await api(srv, s, 'GET', '/api/v1/me')).status, 401, 'ended after 31 idle minutes');
  moveClock(0);
  assert.equal((await api(srv, s, 'GET', '/api/v1/me')).status, 401, 'and stays ended');

  const t = await signIn(srv, logins.agent311.email, logins.agent311.password);
  let offset = 0;
  for (let h = 0; h < 12 * 60; h += 20) { // active every 20 minutes
    moveClock(offset = h * 60 * 1000);
    assert.equal((await api(srv, t, 'GET', '/api/v1/me')).status, 200, `alive at ${h} min`);
  }
  moveClock(offset + 21 * 60 * 1000);
  assert.equal((await api(srv, t, 'GET', '/api/v1/me')).status, 401, 'ended after 12 hours however active');
  moveClock(0);
});

test('sign-out ends the session on the server', async () => {
  const s = await signIn(srv, logins.auditor.email, logins.auditor.password);
  let res = await api(srv, s, 'DELETE', '/api/v1/session');
  assert.equal(res.status, 204);
  assert.match(res.headers.get('set-cookie'), /Max-Age=0/);
  res = await api(srv, s, 'GET', '/api/v1/me');
  assert.equal(res.status, 401);
});

test('disabling a user and ending all sessions take effect at once', async () => {
  const s = await signIn(srv, logins.liaison2.email, logins.liaison2.password);
  const admin = await signIn(srv, logins.admin.email, logins.admin.password);
  const me = await (await api(srv, s, 'GET', '/api/v1/me')).json();
  let res = await api(srv, admin, 'DELETE', `/api/v1/users/${me.id}/sessions`);
  assert.equal(res.status, 204);
  assert.equal((await api(srv, s, 'GET', '/api/v1/me')).status, 401);
  const s2 = await signIn(srv, logins.liaison2.email, logins.liaison2.password);
  assert.equal((await api(srv, s2, 'GET', '/api/v1/me')).status, 200);
  const r = await runHaven(['user', 'disable', '--email', logins.liaison2.email, '--data', srv.dir, '--db', srv.db]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await api(srv, s2, 'GET', '/api/v1/me')).status, 401);
  assert.equal((await signIn(srv, logins.liaison2.email, logins.liaison2.password)).status, 401);
  await runHaven(['user', 'enable', '--email', logins.liaison2.email, '--data', srv.dir, '--db', srv.db]);
  assert.equal((await signIn(srv, logins.liaison2.email, logins.liaison2.password)).status, 200);
});

test('CSRF: a state change needs the token and this site as Origin', async () => {
  const s = await signIn(srv, logins.admin.email, logins.admin.password);
  const body = { current: logins.admin.password, new: 'a much longer passphrase of words' };
  let res = await api(srv, { cookie: s.cookie }, 'POST', '/api/v1/me/password', body);
  assert.equal(res.status, 403, 'missing token');
  assert.equal((await res.json()).error.code, 'csrf');
  res = await api(srv, { cookie: s.cookie, csrf: 'x'.repeat(43) }, 'POST', '/api/v1/me/password', body);
  assert.equal(res.status, 403, 'wrong token');
  res = await api(srv, s, 'POST', '/api/v1/me/password', body, { Origin: 'https://evil.example' });
  assert.equal(res.status, 403, 'cross-origin');
  res = await api(srv, s, 'POST', '/api/v1/me/password', body, { 'Sec-Fetch-Site': 'cross-site' });
  assert.equal(res.status, 403, 'cross-site fetch metadata');
  // A cross-origin form post (what a forged page can send) never gets through.
  res = await fetch(srv.url + '/signout', {
    method: 'POST', redirect: 'manual',
    headers: { Cookie: s.cookie, Origin: 'https://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `csrf=${s.csrf}`,
  });
  assert.equal(res.status, 403);
  // text/plain (a "simple" request a forger can send) is refused even with the token.
  res = await api(srv, s, 'POST', '/api/v1/me/password', JSON.stringify(body), { 'Content-Type': 'text/plain' });
  assert.equal(res.status, 415);
  assert.equal((await api(srv, s, 'GET', '/api/v1/me')).status, 200, 'the session survived all of it');
  // Sign-in from another origin is refused (login CSRF).
  const x = await signIn(srv, logins.admin.email, logins.admin.password, { Origin: 'https://evil.example' });
  assert.equal(x.status, 403);
});

test('password rules: 15 to 256 characters, no truncation, common and city words refused', async () => {
  const add = await runHaven(['user', 'add', '--email', 'pw.test@lacity.org', '--name', 'Pat Test', '--roles', 'legal', '--data', srv.dir, '--db', srv.db]);
  assert.equal(add.code, 0, add.stderr);
  let current = /^password: (\S+)$/m.exec(add.stdout)[1];
  let s = await signIn(srv, 'pw.test@lacity.org', current);
  assert.equal(s.status, 200);
  assert.equal(s.body.must_change_password, true);
  let res = await api(srv, s, 'GET', '/api/v1/users');
  assert.equal(res.status, 403);
  const change = async (fresh) => api(srv, s, 'POST', '/api/v1/me/password', { current, new: fresh });
  const refused = async (fresh, re) => {
    const r = await change(fresh);
    assert.equal(r.status, 400, fresh);
    const e = (await r.json()).error;
    assert.equal(e.field, 'new');
    if (re) assert.match(e.message, re);
  };
  await refused('fourteen chars', /at least 15/);
  await refused('losangeles2025losangeles', /city's or departments' names/);
  await refused('Recreation and Parks 2025', /names/);
  await refused('passwordpassword', /commonly used/);
  await refused('x'.repeat(257), /at most 256/);
  const r15 = await change('fifteen chars!!');
  assert.equal(r15.status, 204, '15 characters accepted');
  current = 'fifteen chars!!';
  const long = 'river stone lantern ' .repeat(4) + 'moonlit harbor 0123456789';
  assert.ok(long.length >= 64 + 5);
  assert.equal((await change(long)).status, 204, 'more than 64 accepted');
  current = long;
  // No truncation: a password differing only after character 70 does not match.
  const other = long.slice(0, 70) + 'DIFFERENT';
  assert.equal((await signIn(srv, 'pw.test@lacity.org', other)).status, 401);
  assert.equal((await signIn(srv, 'pw.test@lacity.org', long)).status, 200);
  // Wrong current password.
  res = await api(srv, s, 'POST', '/api/v1/me/password', { current: 'not it at all, sorry', new: 'another fine long passphrase' });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.field, 'current');
});

test('passwords are stored only as Argon2id hashes; a canary appears nowhere', async () => {
  const canary = 'canary-7f3a9 quiet meadow harbor';
  const add = await runHaven(['user', 'add', '--email', 'canary@lacity.org', '--name', 'Can Ary', '--roles', 'auditor', '--data', srv.dir, '--db', srv.db]);
  const otp = /^password: (\S+)$/m.exec(add.stdout)[1];
  const s = await signIn(srv, 'canary@lacity.org', otp);
  assert.equal((await api(srv, s, 'POST', '/api/v1/me/password', { current: otp, new: canary, end_other_sessions: true })).status, 204);
  assert.equal((await signIn(srv, 'canary@lacity.org', canary)).status, 200);
  const hashes = sql(srv.db, 'SELECT password_hash FROM users').trim().split('\n');
  for (const h of hashes) assert.match(h, /^\$argon2id\$/);
  const dump = DB === 'postgres'
    ? sql(srv.db, "SELECT string_agg(t::text, '|') FROM (SELECT * FROM users) t") + sql(srv.db, "SELECT string_agg(t::text, '|') FROM (SELECT * FROM audit_events) t")
    : readFileSync(srv.db.slice(7)).toString('latin1') + (() => { try { return readFileSync(srv.db.slice(7) + '-wal').toString('latin1'); } catch { return ''; } })();
  assert.ok(!dump.includes('canary-7f3a9'), 'not in the database');
  assert.ok(!srv.stderr.includes('canary-7f3a9'), 'not in the logs');
});

test('API tokens: shown once, hashed, role-limited, expiring and revocable', async () => {
  const admin = await signIn(srv, logins.admin.email, logins.admin.password);
  let res = await api(srv, admin, 'POST', '/api/v1/tokens', { name: 'MyLA311 connector', role: 'agent311', expires_in_days: 30 });
  assert.equal(res.status, 201);
  const { id, token } = await res.json();
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(sql(srv.db, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = '${token}'`).trim(), '0');
  const machine = { token };
  res = await fetch(srv.url + '/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.deepEqual((await res.json()).roles, ['agent311']);
  res = await api(srv, machine, 'GET', '/api/v1/users');
  assert.equal(res.status, 403, 'a 311 token is not an administrator');
  const list = await (await api(srv, admin, 'GET', '/api/v1/tokens')).json();
  assert.ok(list.tokens.some((t) => t.id === id && !('token' in t) && !('token_hash' in t)));
  moveClock(31 * 24 * 3600 * 1000);
  res = await fetch(srv.url + '/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  moveClock(0);
  assert.equal(res.status, 401, 'expired');
  res = await api(srv, admin, 'DELETE', `/api/v1/tokens/${id}`);
  assert.equal(res.status, 204);
  res = await fetch(srv.url + '/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 401, 'revoked');
  res = await api(srv, admin, 'POST', '/api/v1/tokens', { name: 'x', role: 'admin', expires_in_days: 1 });
  assert.equal(res.status, 400);
});

test('user administration through the API is audited', async () => {
  const admin = await signIn(srv, logins.admin.email, logins.admin.password);
  let res = await api(srv, admin, 'POST', '/api/v1/users', { email: 'New.Person@LACity.org', name: 'New Person', roles: ['legal'] });
  assert.equal(res.status, 201);
  const created = await res.json();
  assert.equal(created.email, 'new.person@lacity.org');
  assert.ok(created.one_time_password.length >= 15);
  res = await api(srv, admin, 'POST', '/api/v1/users', { email: 'new.person@lacity.org', name: 'Again', roles: ['legal'] });
  assert.equal(res.status, 409);
  res = await api(srv, admin, 'POST', '/api/v1/users', { email: 'x@lacity.org', name: 'X', roles: ['emperor'] });
  assert.equal(res.status, 400);
  res = await api(srv, admin, 'POST', '/api/v1/users', { email: 'x@lacity.org', name: 'X', roles: ['legal'], nationality: 'x' });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, 'unknown_field');
  res = await api(srv, admin, 'PATCH', `/api/v1/users/${created.id}`, { roles: ['legal', 'auditor'] });
  assert.equal(res.status, 200);
  assert.deepEqual((await res.json()).roles, ['legal', 'auditor']);
  res = await api(srv, admin, 'PATCH', '/api/v1/users/999999', { roles: ['legal'] });
  assert.equal(res.status, 404);
  const actions = sql(srv.db, `SELECT action FROM audit_events WHERE object_type = 'user' AND object_id = '${created.id}' ORDER BY seq`).trim().split('\n');
  assert.deepEqual(actions, ['user.create', 'user.roles']);
});
