// Robustness of the HTTP layer against the real binary: body caps (413),
// request smuggling attempts (400), slowloris-style idle connections, the
// per-address limit, and graceful shutdown with a request in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync } from 'node:fs';
import { startServer, rawRequest, statusOf, DB } from './lib.mjs';

const CSP = '/api/v1/csp-report'; // a public route with an 8 KiB body cap

test('bodies past the route cap answer 413, by Content-Length and chunked', async () => {
  const srv = await startServer();
  try {
    let res = await fetch(srv.url + CSP, { method: 'POST', body: 'x'.repeat(9000) });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, 'too_large');
    assert.ok(res.headers.get('content-security-policy'));
    const chunk = 'a'.repeat(10000);
    let raw = await rawRequest(srv.port,
      `POST ${CSP} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`);
    assert.equal(statusOf(raw), 413);
    raw = await rawRequest(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc');
    assert.equal(statusOf(raw), 413, 'a route that takes no body refuses one');
    // A body within the cap is accepted.
    res = await fetch(srv.url + CSP, {
      method: 'POST', headers: { 'Content-Type': 'application/csp-report' },
      body: JSON.stringify({ 'csp-report': { 'violated-directive': 'script-src', 'blocked-uri': 'https://evil.example/a?b' } }),
    });
    assert.equal(res.status, 204);
  } finally { await srv.stop(); srv.cleanup(); }
});

test('smuggling attempts answer 400', async () => {
  const srv = await startServer();
  try {
    const cases = [
      'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}',
      'Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'Content-Length: 2x\r\n\r\n{}',
    ];
    for (const c of cases) {
      const raw = await rawRequest(srv.port, `POST ${CSP} HTTP/1.1\r\nHost: x\r\n${c}`);
      assert.equal(statusOf(raw), 400, `refused: ${JSON.stringify(c)}`);
    }
  } finally { await srv.stop(); srv.cleanup(); }
});

function openIdle(port, localAddress) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    s.closedAt = 0;
    s.on('close', () => { s.closedAt = Date.now(); });
    s.on('error', () => {});
    s.on('connect', () => { s.write('GET / HTTP/1.1\r\nHost: x\r\n'); resolve(s); }); // never finished
    setTimeout(() => resolve(s), 3000);
  });
}

test('1,000 idle connections do not starve a real client, and are closed after the idle timeout', async () => {
  const srv = await startServer({
    args: ['--idle-timeout', '3', '--per-ip-connections', '250', '--max-connections', '4096'],
  });
  const socks = [];
  try {
    for (let i = 0; i < 1000; i++) socks.push(openIdle(srv.port, `127.0.0.${2 + (i % 4)}`));
    await Promise.all(socks);
    const opened = await Promise.all(socks);
    const t0 = Date.now();
    const res = await fetch(srv.url + '/healthz');
    assert.equal(res.status, 200, 'a real client is served');
    assert.ok(Date.now() - t0 < 2000, 'and promptly');
    await new Promise((r) => setTimeout(r, 5500));
    const open = opened.filter((s) => !s.closedAt).length;
    assert.equal(open, 0, `${open} idle connections still open after the idle timeout`);
  } finally {
    for (const s of await Promise.all(socks)) s.destroy();
    await srv.stop(); srv.cleanup();
  }
});

test('the per-address connection limit holds', async () => {
  const srv = await startServer({ args: ['--per-ip-connections', '20', '--idle-timeout', '10'] });
  const socks = [];
  try {
    for (let i = 0; i < 20; i++) socks.push(await openIdle(srv.port, '127.0.0.9'));
    socks.push(await openIdle(srv.port, '127.0.0.9'));
    // One of the 21 is closed as soon as the server's workers have accepted
    // them all (usually the last; workers accepting at the same moment may
    // pick another). On a loaded machine under the sanitizers that can take
    // a while; the idle timeout, 10 s, is well beyond the 5 s waited.
    const closed = () => socks.filter((s) => s.closedAt).length;
    for (let t = 0; t < 50 && !closed(); t++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(closed(), 1, 'of 21 connections from one address, exactly one is closed');
    const res = await fetch(srv.url + '/healthz');
    assert.equal(res.status, 200, 'other addresses are still served');
  } finally {
    for (const s of socks) s.destroy();
    await srv.stop(); srv.cleanup();
  }
});

test('SIGTERM finishes the request in flight, then stops cleanly', async () => {
  const srv = await startServer();
  const body = JSON.stringify({ 'csp-report': { 'violated-directive': 'img-src', 'blocked-uri': 'data' } });
  const sock = net.connect(srv.port, '127.0.0.1');
  let reply = '';
  sock.on('data', (d) => (reply += d));
  const closed = new Promise((r) => sock.on('close', r));
  await new Promise((r) => sock.on('connect', r));
  sock.write(`POST ${CSP} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/csp-report\r\nContent-Length: ${body.length}\r\n\r\n`);
  sock.write(body.slice(0, 10));
  await new Promise((r) => setTimeout(r, 300));
  const exited = new Promise((r) => srv.proc.on('exit', (code) => r(code)));
  process.kill(srv.proc.pid, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  // New connections are refused while the old request finishes.
  await assert.rejects(fetch(srv.url + '/healthz', { signal: AbortSignal.timeout(2000) }));
  sock.write(body.slice(10));
  await closed;
  assert.equal(statusOf(reply), 204, 'the request in flight was answered');
  assert.equal(await exited, 0);
  const lines = srv.logLines();
  assert.ok(lines.some((l) => l.msg === 'stopped'));
  if (DB === 'sqlite') assert.ok(!existsSync(`${srv.dir}/haven.db-wal`), 'SQLite closed cleanly (WAL checkpointed)');
  srv.cleanup();
});

test('access logs: one JSON object per line with the required fields and no query data', async () => {
  const srv = await startServer();
  try {
    await fetch(srv.url + '/no/such?email=someone%40example.com%0a%22');
    await fetch(srv.url + '/healthz');
  } finally { await srv.stop(); }
  const raw = srv.stderr.trim().split('\n');
  for (const line of raw) JSON.parse(line); // every line is JSON
  const reqs = srv.logLines().filter((l) => l.msg === 'request');
  assert.ok(reqs.length >= 2);
  for (const l of reqs) {
    for (const k of ['time', 'level', 'request_id', 'method', 'route', 'status', 'duration_us']) assert.ok(k in l, k);
    assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  assert.ok(!srv.stderr.includes('someone'), 'query strings are never logged');
  srv.cleanup();
});

// libmicrohttpd 0.9.75's epoll loop takes at most 128 events per call; when
// a worker's ready connections filled that array exactly, it went back to
// sleep until the idle timeout with their requests unread (Haven's workers
// now use poll). One worker and
// 256 keep-alive connections, each asking again as soon as it is answered
// (as wrk does), hit it within a few hundred requests (bench/RESULTS.md).
// Every request must be answered: a stall shows as this test's own time
// limit, far above the second or two a healthy run takes.
test('one worker keeps answering 256 keep-alive connections that ask again at once', { timeout: 60000 }, async () => {
  const srv = await startServer({ args: ['--threads', '1', '--per-ip-connections', '512', '--idle-timeout', '600'] });
  const socks = [];
  try {
    for (let i = 0; i < 256; i++) {
      const s = net.connect(srv.port, '127.0.0.1');
      await new Promise((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
      s.setNoDelay(true);
      socks.push(s);
    }
    const ask = 'GET /kyr/es HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n';
    const loops = socks.map((s) => new Promise((resolve, reject) => {
      let got = '', left = 20, codes = [];
      s.setEncoding('latin1');
      s.on('data', (d) => {
        got += d;
        for (;;) {
          const end = got.indexOf('\r\n\r\n');
          const len = /content-length: (\d+)/i.exec(got);
          if (end < 0 || !len || got.length < end + 4 + Number(len[1])) return;
          codes.push(statusOf(got));
          got = got.slice(end + 4 + Number(len[1]));
          if (--left === 0) return resolve(codes);
          s.write(ask);
        }
      });
      s.once('error', reject);
      s.write(ask);
    }));
    const all = (await Promise.all(loops)).flat();
    assert.equal(all.length, 256 * 20);
    assert.ok(all.every((c) => c === 200));
  } finally {
    for (const s of socks) s.destroy();
    await srv.stop();
    srv.cleanup();
  }
});
