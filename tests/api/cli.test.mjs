// The `haven` command line: subcommands, --help, configuration sources and
// their precedence, init, migrate, demo, backup and version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, existsSync } from 'node:fs';
import { runHaven, startServer, scratch, sql, freePort, DB } from './lib.mjs';

test('haven --help lists the subcommands; each has --help', async () => {
  const r = await runHaven(['--help']);
  assert.equal(r.code, 0);
  for (const c of ['serve', 'init', 'migrate', 'demo', 'backup', 'version']) {
    assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
    const h = await runHaven([c, '--help']);
    assert.equal(h.code, 0, `${c} --help`);
    assert.match(h.stdout, new RegExp(`usage: haven ${c}`));
    assert.match(h.stdout, /--listen .*HAVEN_LISTEN/);
  }
  const bad = await runHaven(['frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command 'frobnicate'/);
});

test('version prints the version and schema', async () => {
  const r = await runHaven(['version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^haven \d+\.\d+\.\d+ \(database schema \d+\)$/m);
});

test('bad configuration stops start-up with a message naming the setting', async () => {
  const s = scratch();
  try {
    const cases = [
      [['--listen', 'nonsense'], {}, /setting 'listen'/],
      [['--listen', '127.0.0.1:70000'], {}, /setting 'listen'.*1 to 65535/],
      [['--timezone', 'Mars/Olympus'], {}, /setting 'timezone'/],
      [['--db', 'mysql://x'], {}, /setting 'db'/],
      [['--threads', 'many'], {}, /setting 'threads'/],
      [['--body-max', '12'], {}, /setting 'body_max'.*from 1024/],
      [['--base-url', 'ftp://x'], {}, /setting 'base_url'/],
      [[], { HAVEN_IDLE_TIMEOUT: '0' }, /HAVEN_IDLE_TIMEOUT: setting 'idle_timeout'/],
      [['--config', `${s.dir}/missing.conf`], {}, /setting 'config'/],
    ];
    for (const [args, env, re] of cases) {
      const r = await runHaven(['serve', ...s.args, ...args], env);
      assert.equal(r.code, 2, `${args} ${JSON.stringify(env)}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
    writeFileSync(`${s.dir}/haven.conf`, '# comment\n[haven]\nthreads = 2\ncolour = blue\n');
    const r = await runHaven(['serve', ...s.args, '--config', `${s.dir}/haven.conf`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /haven\.conf:4: unknown setting 'colour'/);
  } finally { s.cleanup(); }
});

test('flags win over the environment, the environment over the file', async () => {
  const [pFile, pEnv, pFlag] = [await freePort(), await freePort(), await freePort()];
  const s = scratch();
  writeFileSync(`${s.dir}/haven.conf`, `listen = 127.0.0.1:${pFile}\nlog_level = "info"\n`);
  const conf = ['--config', `${s.dir}/haven.conf`];
  const tryServe = async (extraArgs, env, port) => {
    // startServer adds --listen itself, so drive `serve` by hand here.
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('./lib.mjs');
    const p = spawn(BIN, ['serve', ...s.args, ...conf, ...extraArgs], { env: { ...process.env, ...env } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    await new Promise((r) => { const t = setInterval(() => { if (out.includes('serving')) { clearInterval(t); r(); } }, 50); });
    assert.match(out, new RegExp(`http://127\\.0\\.0\\.1:${port}`));
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(res.status, 200);
    const exit = new Promise((r) => p.on('exit', r));
    p.kill('SIGTERM');
    await exit;
  };
  try {
    await tryServe([], {}, pFile);
    await tryServe([], { HAVEN_LISTEN: `127.0.0.1:${pEnv}` }, pEnv);
    await tryServe(['--listen', `127.0.0.1:${pFlag}`], { HAVEN_LISTEN: `127.0.0.1:${pEnv}` }, pFlag);
    await tryServe([`--listen=127.0.0.1:${pFlag}`], { HAVEN_CONFIG: `${s.dir}/nothing.conf` }, pFlag);
  } finally { s.cleanup(); }
});

test('init creates the first administrator once, with an Argon2id hash and a one-time password', async () => {
  const s = scratch();
  try {
    let r = await runHaven(['init', ...s.args]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--admin-email EMAIL is required/);
    r = await runHaven(['init', ...s.args, '--admin-email', 'not-an-email']);
    assert.equal(r.code, 2);
    r = await runHaven(['init', ...s.args, '--admin-email', 'Admin@LACity.org']);
    assert.equal(r.code, 0, r.stderr);
    const pw = /^password: (\S+)$/m.exec(r.stdout)[1];
    assert.ok(pw.length >= 15);
    const rows = sql(s.db, 'SELECT email, password_hash, must_change_password FROM users').trim();
    assert.match(rows, /^admin@lacity\.org\|\$argon2id\$v=19\$[^|]+\|1$/);
    assert.ok(!rows.includes(pw), 'the password itself is not stored');
    assert.equal(sql(s.db, "SELECT role FROM user_roles").trim(), 'admin');
    r = await runHaven(['init', ...s.args, '--admin-email', 'second@lacity.org']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already has users/);
    assert.equal(sql(s.db, 'SELECT COUNT(*) FROM users').trim(), '1');
  } finally { s.cleanup(); }
});

test('migrate twice is harmless; a newer database is refused', async () => {
  const s = scratch();
  try {
    let r = await runHaven(['migrate', ...s.args]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /migrated from version 0 to \d+/);
    r = await runHaven(['migrate', ...s.args]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /up to date/);
    sql(s.db, "INSERT INTO schema_version (version, name, applied_at) VALUES (9999, 'future', 0)");
    r = await runHaven(['migrate', ...s.args]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /newer than this haven/);
    r = await runHaven(['serve', ...s.args, '--listen', `127.0.0.1:${await freePort()}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /newer than this haven/);
  } finally { s.cleanup(); }
});

test('demo loads the sample city once; running it again keeps the data', async () => {
  const s = scratch();
  try {
    let r = await runHaven(['demo', ...s.args]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /demo city loaded: \d+ departments, \d+ facilities/);
    const n = sql(s.db, 'SELECT COUNT(*) FROM departments').trim();
    assert.ok(Number(n) >= 20);
    r = await runHaven(['demo', ...s.args]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /already holds a city/);
    assert.equal(sql(s.db, 'SELECT COUNT(*) FROM departments').trim(), n);
  } finally { s.cleanup(); }
});

test('backup: SQLite online copy while serving; PostgreSQL points to pg_dump', async () => {
  if (DB === 'postgres') {
    const s = scratch();
    try {
      const r = await runHaven(['backup', ...s.args, `${s.dir}/out.db`]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /pg_dump/);
    } finally { s.cleanup(); }
    return;
  }
  const srv = await startServer();
  try {
    const out = `${srv.dir}/copy.db`;
    let r = await runHaven(['backup', '--data', srv.dir, '--db', srv.db, out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(out));
    assert.equal(sql(`sqlite:${out}`, 'PRAGMA integrity_check').trim(), 'ok');
    assert.equal(sql(`sqlite:${out}`, 'SELECT COUNT(*) FROM departments').trim(),
      sql(srv.db, 'SELECT COUNT(*) FROM departments').trim());
    r = await runHaven(['backup', '--data', srv.dir, '--db', srv.db, out]);
    assert.equal(r.code, 1, 'an existing file is never overwritten');
    r = await runHaven(['backup', '--data', srv.dir, '--db', srv.db]);
    assert.equal(r.code, 2);
  } finally { await srv.stop(); srv.cleanup(); }
});
