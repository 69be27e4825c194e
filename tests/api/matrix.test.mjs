// The generated route x role matrix (ASVS V8, deny by default): every route
// of `haven routes`, for anonymous callers and for each role, asserted in
// every cell. A route that lets in a role it does not declare, or shuts
// out one it does, fails here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, demoLogins, signIn, api, BIN } from './lib.mjs';

const ROLES = ['admin', 'moia', 'liaison', 'legal', 'agent311', 'workgroup', 'auditor', 'staff'];
let srv, sessions;
const routes = execFileSync(BIN, ['routes']).toString().trim().split('\n').map((l) => JSON.parse(l));

before(async () => {
  srv = await startServer();
  const logins = demoLogins(srv.dir);
  sessions = {};
  for (const r of ROLES) sessions[r] = await signIn(srv, logins[r].email, logins[r].password);
});
after(async () => { await srv.stop(); srv.cleanup(); });

// A concrete path for a pattern: parameters become plausible values.
function concrete(pattern) {
  return pattern.replace(/\{[^:}]+:int\}/g, '999999').replace(/\{[^:}]+:slug\}/g, 'x')
    .replace(/\{[^:}]+:str\}/g, 'x').replace(/\{[^:}]+:path\}/g, 'x/y.css');
}

test('every route declares its roles or says it is public', () => {
  assert.ok(routes.length >= 20);
  for (const r of routes) assert.ok(r.public || r.roles.length > 0, `${r.method} ${r.pattern}`);
});

for (const who of ['anonymous', ...ROLES]) {
  test(`route x role matrix: ${who}`, async () => {
    for (const r of routes) {
      if (r.pattern === '/api/v1/session' && r.method === 'DELETE') continue; // would end the session used below
      if (r.pattern === '/signout') continue;
      const allowed = r.public || r.roles.split(',').includes(who);
      const session = who === 'anonymous' ? null : sessions[who];
      const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? '{}' : undefined;
      const res = await api(srv, session, r.method, concrete(r.pattern), body);
      const cell = `${who} ${r.method} ${r.pattern} -> ${res.status}`;
      if (r.webhook) {
        // Public to the session layer, but only the gateway's shared secret
        // gets in (none is configured here): a session is no credential.
        assert.equal(res.status, 401, cell);
      } else if (allowed) {
        assert.ok(![401, 403].includes(res.status) || (res.status === 403 && r.pattern === '/api/v1/session'), cell);
      } else if (who === 'anonymous') {
        assert.equal(res.status, 401, cell);
      } else {
        assert.equal(res.status, 403, cell);
      }
    }
  });
}

test('signed-out and signed-in pages differ only as they should', async () => {
  let res = await fetch(srv.url + '/account/password', { redirect: 'manual' });
  assert.equal(res.status, 401);
  res = await api(srv, sessions.legal, 'GET', '/account/password');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /Signed in as/);
  assert.match(html, new RegExp(`name="csrf" value="${sessions.legal.csrf}"`));
});
