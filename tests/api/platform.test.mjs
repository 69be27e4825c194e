// The platform's HTTP behaviour against the real binary: pages, health,
// errors in one format, security headers on every response, static assets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rawRequest, statusOf } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); srv.cleanup(); });

function assertSecurityHeaders(res) {
  const h = res.headers;
  const csp = h.get('content-security-policy');
  assert.ok(csp, 'CSP present');
  for (const part of ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
    assert.ok(csp.includes(part), `CSP has ${part}`);
  }
  assert.ok(!/unsafe-inline/.test(csp), 'no inline script allowed');
  assert.match(h.get('strict-transport-security') || '', /max-age=\d+/);
  assert.equal(h.get('x-content-type-options'), 'nosniff');
  assert.ok(h.get('referrer-policy'));
  assert.match(h.get('content-type') || '', /charset=utf-8|image\/|font\//);
  assert.ok(!h.get('server') || !/\d/.test(h.get('server')), 'no version banner');
}

test('home page renders from the template with the demo banner', async () => {
  const res = await fetch(srv.url + '/');
  assert.equal(res.status, 200);
  assertSecurityHeaders(res);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const html = await res.text();
  assert.match(html, /<html lang="en" dir="ltr">/);
  assert.match(html, /Departments registered: <strong[^>]*>30<\/strong>/);
  assert.match(html, /Demo\./);
});

test('healthz and readyz answer JSON', async () => {
  let res = await fetch(srv.url + '/healthz');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
  res = await fetch(srv.url + '/readyz');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ready' });
});

test('unknown path is 404 in the site design, with headers', async () => {
  const res = await fetch(srv.url + '/no/such/page');
  assert.equal(res.status, 404);
  assertSecurityHeaders(res);
  const html = await res.text();
  assert.match(html, /Not Found/);
  assert.match(html, /usa-alert/);
});

test('API errors use the single JSON error format', async () => {
  const res = await fetch(srv.url + '/api/v1/nothing-here');
  assert.equal(res.status, 404);
  assertSecurityHeaders(res);
  const body = await res.json();
  assert.equal(body.error.code, 'not_found');
  assert.equal(typeof body.error.message, 'string');
  assert.ok('field' in body.error || body.error.field === undefined);
});

test('wrong method is 405 with Allow; TRACE is 405', async () => {
  const res = await fetch(srv.url + '/healthz', { method: 'DELETE' });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET, HEAD');
  assertSecurityHeaders(res);
  const raw = await rawRequest(srv.port, 'TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(statusOf(raw), 405);
  assert.match(raw, /Content-Security-Policy:/i);
});

test('static assets: hashed URL, ETag, 304, gzip, long cache', async () => {
  const html = await (await fetch(srv.url + '/')).text();
  const href = /href="(\/static\/[0-9a-f]{12}\/uswds\/css\/uswds\.min\.css)"/.exec(html)[1];
  let res = await fetch(srv.url + href, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-encoding'), 'gzip');
  assert.match(res.headers.get('cache-control'), /max-age=31536000/);
  assert.match(res.headers.get('content-type'), /^text\/css/);
  const etag = res.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{16}"$/);
  const css = await res.text();
  assert.ok(css.includes('.usa-'), 'fetch decompressed real CSS');
  res = await fetch(srv.url + href, { headers: { 'If-None-Match': etag } });
  assert.equal(res.status, 304);
  res = await fetch(srv.url + href.replace(/\/static\/[0-9a-f]{12}\//, '/static/000000000000/'));
  assert.equal(res.status, 404);
  res = await fetch(srv.url + href.replace('uswds.min.css', '..%2F..%2Fhaven.db'));
  assert.ok([400, 404].includes(res.status));
});

test('metrics: Prometheus text with routes, statuses, histogram and pool', async () => {
  await fetch(srv.url + '/healthz');
  const res = await fetch(srv.url + '/metrics');
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /haven_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  assert.match(text, /haven_http_request_duration_seconds_bucket\{method="GET",route="\/healthz",le="\+Inf"\} \d+/);
  assert.match(text, /haven_db_pool_connections\{backend="(sqlite|postgres)"\} \d+/);
  assert.match(text, /haven_uptime_seconds \d+/);
});

test('every /api/ route of the route table is documented in OpenAPI', async () => {
  const { execFileSync } = await import('node:child_process');
  const { BIN } = await import('./lib.mjs');
  const doc = await (await fetch(srv.url + '/api/v1/openapi.json')).json();
  const routes = execFileSync(BIN, ['routes']).toString().trim().split('\n').map((l) => JSON.parse(l));
  for (const r of routes.filter((x) => x.pattern.startsWith('/api/'))) {
    const p = r.pattern.replace(/\{([^:}]+):[a-z]+\}/g, '{$1}');
    assert.ok(doc.paths[p] && doc.paths[p][r.method.toLowerCase()], `${r.method} ${p} is documented`);
  }
});

test('the OpenAPI 3.1 document is served and every documented path exists', async () => {
  const res = await fetch(srv.url + '/api/v1/openapi.json');
  assert.equal(res.status, 200);
  const doc = await res.json();
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.components.schemas.Error);
  for (const [p0, ops] of Object.entries(doc.paths)) {
    const p = p0.replace(/\{[^}]+\}/g, '1');
    for (const method of Object.keys(ops).filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k))) {
      const r = await fetch(srv.url + p, { method: method.toUpperCase(), body: ['get', 'delete'].includes(method) ? undefined : '{}' });
      // A routed public lookup may answer 404 for a missing record; only
      // the router's own 404 means the path is not served.
      const body = r.status === 404 ? await r.text() : '';
      assert.ok(!body.includes('There is no page at this address'), `${method} ${p} is routed`);
      assert.notEqual(r.status, 405, `${method} ${p} is routed`);
    }
  }
});
