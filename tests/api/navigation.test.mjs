// The staff header links to each section a role may open, and to none it
// may not: each link's flag comes from the permission of the pages it leads
// to (src/web/page.c's nav_links), so a link never leads to a 403 and no
// section is left without one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, demoLogins, signIn, api } from './lib.mjs';

let srv;
let s;

before(async () => {
  srv = await startServer();
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
});
after(async () => { await srv.stop(); srv.cleanup(); });

const SECTIONS = ['/incidents', '/console', '/kyr-admin', '/foia', '/plans', '/workgroup', '/contracts', '/training', '/audit', '/admin/users'];

async function header(who) {
  const res = await api(srv, s[who], 'GET', '/registry');
  assert.equal(res.status, 200);
  const html = await res.text();
  return html.slice(0, html.indexOf('id="main-content"'));
}

test('each role sees a link to every section it may open and to no other', async () => {
  const seen = {};
  for (const who of ['admin', 'moia', 'liaison', 'legal', 'agent311', 'workgroup', 'auditor', 'staff']) {
    if (!s[who]) continue;
    const head = await header(who);
    for (const path of SECTIONS) {
      const linked = head.includes(`href="${path}"`);
      const status = (await api(srv, s[who], 'GET', path)).status;
      assert.ok(status === 200 || status === 403, `${who} ${path}: ${status}`);
      assert.equal(linked, status === 200, `${who}: ${path} is ${linked ? '' : 'not '}linked and answers ${status}`);
      if (linked) seen[path] = true;
    }
  }
  for (const path of SECTIONS) assert.ok(seen[path], `some role is led to ${path}`);
});
