// When the database fails: pages answer 500 in the site design with every
// security header and no internal details; /readyz answers 503 while
// /healthz (process up) stays 200.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, sql, DB } from './lib.mjs';

test('a broken query answers 500 with headers and no internals; readiness follows the database', async () => {
  const srv = await startServer();
  try {
    // Break what the home page reads, behind the server's back.
    sql(srv.db, 'ALTER TABLE departments RENAME TO departments_gone');
    let res = await fetch(srv.url + '/');
    assert.equal(res.status, 500);
    assert.ok(res.headers.get('content-security-policy'));
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(res.headers.get('strict-transport-security'));
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const html = await res.text();
    assert.match(html, /Internal Server Error/);
    assert.match(html, /usa-alert/, 'in the site design');
    assert.ok(!/departments|sqlite|postgres|SELECT/i.test(html.replace(/Departments registered/g, '')), 'no internal details');
    sql(srv.db, 'ALTER TABLE departments_gone RENAME TO departments');
    res = await fetch(srv.url + '/');
    assert.equal(res.status, 200, 'recovers once the database is right again');

    if (DB === 'postgres') {
      // Cut every connection of the server's database: /readyz goes 503.
      const name = srv.db.replace(/.*\//, '');
      const admin = process.env.HAVEN_TEST_PG_URL;
      sql(admin, `ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      sql(admin, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
      res = await fetch(srv.url + '/readyz');
      assert.equal(res.status, 503);
      assert.equal((await res.json()).error.code, 'not_ready');
      res = await fetch(srv.url + '/healthz');
      assert.equal(res.status, 200);
      sql(admin, `ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      res = await fetch(srv.url + '/readyz');
      assert.equal(res.status, 200, 'reconnects when the database is back');
    } else {
      res = await fetch(srv.url + '/readyz');
      assert.equal(res.status, 200);
    }
  } finally { await srv.stop(); srv.cleanup(); }
});
