// Test harness: starts the real `haven serve` on 127.0.0.1 on a free port
// with a temporary data folder, on SQLite or on a fresh PostgreSQL
// database (HAVEN_TEST_DB=sqlite|postgres), and stops it by process id.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const BIN = process.env.HAVEN_BIN || path.resolve('build/haven');
export const DB = process.env.HAVEN_TEST_DB || 'sqlite';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let dbCounter = 0;
// A database URL for a new server: a file in `dir`, or a new PostgreSQL database.
export function newDatabase(dir) {
  if (DB !== 'postgres') return `sqlite:${dir}/haven.db`;
  const admin = process.env.HAVEN_TEST_PG_URL;
  if (!admin) throw new Error('HAVEN_TEST_PG_URL is not set');
  const name = `haven_api_${process.pid}_${Date.now()}_${dbCounter++}`;
  execFileSync('psql', ['-q', '-X', '-v', 'ON_ERROR_STOP=1', admin, '-c', `CREATE DATABASE ${name}`]);
  return admin.replace(/\/[^/]*$/, `/${name}`);
}

// Runs a haven subcommand to completion; returns { code, stdout, stderr }.
export function runHaven(args, env = {}) {
  return new Promise((resolve) => {
    const p = spawn(BIN, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// The demo city is loaded once per test process into a template, then copied
// for each server: loading it hashes ~40 demo passwords with Argon2id.
let demoTemplate = null;
async function cloneDemo(dir, db) {
  if (!demoTemplate) {
    const tdir = mkdtempSync(path.join(os.tmpdir(), 'haven-demo-'));
    const tdb = newDatabase(tdir);
    const r = await runHaven(['demo', '--data', tdir, '--db', tdb]);
    if (r.code !== 0) throw new Error(`haven demo failed: ${r.stderr}`);
    demoTemplate = { dir: tdir, db: tdb };
    process.on('exit', () => rmSync(tdir, { recursive: true, force: true }));
  }
  copyFileSync(`${demoTemplate.dir}/demo-logins.txt`, `${dir}/demo-logins.txt`);
  if (DB !== 'postgres') {
    copyFileSync(demoTemplate.db.slice(7), db.slice(7));
  } else {
    const admin = process.env.HAVEN_TEST_PG_URL;
    const name = db.replace(/.*\//, '');
    const tname = demoTemplate.db.replace(/.*\//, '');
    execFileSync('psql', ['-q', '-X', '-v', 'ON_ERROR_STOP=1', admin, '-c', `DROP DATABASE ${name}`]);
    execFileSync('psql', ['-q', '-X', '-v', 'ON_ERROR_STOP=1', admin, '-c', `CREATE DATABASE ${name} TEMPLATE ${tname}`]);
  }
}

// Starts a server. Options: args (extra flags), env, demo (load the demo city
// first, default true), dir (reuse a data folder), db (reuse a database URL).
export async function startServer(opts = {}) {
  const dir = opts.dir || mkdtempSync(path.join(os.tmpdir(), 'haven-api-'));
  const db = opts.db || newDatabase(dir);
  const port = await freePort();
  const base = ['--data', dir, '--db', db];
  if (opts.demo !== false && !opts.db) await cloneDemo(dir, db);
  else if (opts.demo !== false) {
    const r = await runHaven(['demo', ...base], opts.env);
    if (r.code !== 0) throw new Error(`haven demo failed: ${r.stderr}`);
  }
  const args = ['serve', ...base, '--listen', `127.0.0.1:${port}`, ...(opts.args || [])];
  const proc = spawn(BIN, args, { env: { ...process.env, ...(opts.env || {}) } });
  // A test that fails before it stops its server must not leave it running.
  process.on('exit', () => { try { process.kill(proc.pid, 'SIGKILL'); } catch { /* already gone */ } });
  const server = {
    proc, dir, db, port, url: `http://127.0.0.1:${port}`, stdout: '', stderr: '',
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const done = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
      process.kill(proc.pid, signal);
      return done;
    },
    cleanup() {
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
    logLines() {
      return server.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    },
  };
  proc.stdout.on('data', (d) => (server.stdout += d));
  proc.stderr.on('data', (d) => (server.stderr += d));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${server.stderr}`)), 20000);
    proc.stdout.on('data', () => {
      if (server.stdout.includes('Haven is serving at')) { clearTimeout(timer); resolve(); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${server.stderr}`)); });
  });
  return server;
}

// One raw HTTP/1.1 exchange over a socket: for requests fetch() refuses to
// send (duplicate Content-Length, TRACE, malformed framing). Resolves with
// the raw response text once the server closes or `waitMs` passes.
export function rawRequest(port, text, waitMs = 2000) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => { sock.destroy(); resolve(data); }, waitMs);
    sock.on('connect', () => sock.write(text));
    sock.on('data', (d) => (data += d));
    sock.on('end', () => { clearTimeout(timer); resolve(data); });
    sock.on('error', (e) => { clearTimeout(timer); data ? resolve(data) : reject(e); });
  });
}

export function statusOf(raw) {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
  return m ? Number(m[1]) : 0;
}

// Runs SQL directly on a test database (sqlite3 or psql); returns stdout.
export function sql(dbUrl, query) {
  if (dbUrl.startsWith('sqlite:')) {
    return execFileSync('sqlite3', ['-batch', dbUrl.slice(7), query]).toString();
  }
  return execFileSync('psql', ['-q', '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', dbUrl, '-c', query]).toString();
}

// A fresh data folder and database for CLI tests; returns { dir, db, args, cleanup }.
export function scratch() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'haven-cli-'));
  const db = newDatabase(dir);
  return { dir, db, args: ['--data', dir, '--db', db], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// The demo logins `haven demo` wrote: { admin: {email, password}, moia: ..., liaison: [..] }.
import { readFileSync } from 'node:fs';
export function demoLogins(dir) {
  const out = {};
  for (const line of readFileSync(`${dir}/demo-logins.txt`, 'utf8').split('\n')) {
    const m = /^\s+(\S+)\s+(\S+@\S+)\s+(\S+)$/.exec(line);
    if (!m) continue;
    const [, role, email, password] = m;
    if (out[role]) out[`${role}2`] = { email, password };
    else out[role] = { email, password };
  }
  return out;
}

// Signs in through the API; resolves { cookie, csrf, status, body }.
export async function signIn(srv, email, password, headers = {}) {
  const res = await fetch(srv.url + '/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });
  const body = await res.json().catch(() => null);
  const set = res.headers.get('set-cookie') || '';
  const m = /__Host-haven=([^;]+)/.exec(set);
  return { status: res.status, body, setCookie: set, cookie: m ? `__Host-haven=${m[1]}` : null, csrf: body && body.csrf };
}

// A request as a signed-in user: same-origin headers, the cookie and CSRF token.
export async function api(srv, session, method, path, body, extra = {}) {
  const headers = { Origin: srv.url, ...extra };
  if (session && session.cookie) headers.Cookie = session.cookie;
  if (session && session.csrf) headers['X-CSRF-Token'] = session.csrf;
  if (session && session.token) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'application/json';
  return fetch(srv.url + path, { method, headers, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)), redirect: 'manual' });
}
