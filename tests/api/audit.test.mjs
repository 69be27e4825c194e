// The tamper-evident audit log: append-only guards in the database, the hash
// chain and signed checkpoints. Each kind of tampering (change, removal,
// insertion, reordering, cutting the tail) is done directly in the database
// file or in PostgreSQL rows, behind Haven's back, and verify must name the
// first bad event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { runHaven, scratch, sql, DB } from './lib.mjs';

// A database with a few audited changes: the first administrator, ten users
// imported from CSV (ten events and the import's own), then two changes.
const EVENTS = 14;
async function populated() {
  const s = scratch();
  let r = await runHaven(['init', '--admin-email', 'first.admin@lacity.org', ...s.args]);
  assert.equal(r.code, 0, r.stderr);
  const rows = Array.from({ length: 10 }, (_, i) => `person${i}@lacity.org,Person ${i},legal,`);
  writeFileSync(`${s.dir}/users.csv`, ['email,name,roles,department_code', ...rows].join('\n') + '\n');
  r = await runHaven(['import', 'users', `${s.dir}/users.csv`, ...s.args]);
  assert.equal(r.code, 0, r.stderr);
  r = await runHaven(['user', 'roles', '--email', 'person0@lacity.org', '--roles', 'legal,auditor', ...s.args]);
  assert.equal(r.code, 0, r.stderr);
  r = await runHaven(['user', 'disable', '--email', 'person0@lacity.org', ...s.args]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(sql(s.db, 'SELECT COUNT(*) FROM audit_events').trim(), String(EVENTS));
  return s;
}

// Lifts the append-only guard the way someone with direct database access could.
function unguard(db) {
  if (DB === 'postgres') sql(db, 'ALTER TABLE audit_events DISABLE TRIGGER USER');
  else sql(db, 'DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;');
}

const verify = (s, ...cps) => runHaven(['audit', 'verify', ...s.args, ...cps]);

test('events cannot be updated or deleted through the database', async () => {
  const s = await populated();
  try {
    assert.throws(() => sql(s.db, "UPDATE audit_events SET actor = 'someone' WHERE seq = 1"), /append-only/);
    assert.throws(() => sql(s.db, 'DELETE FROM audit_events WHERE seq = 1'), /append-only/);
    if (DB === 'postgres') assert.throws(() => sql(s.db, 'TRUNCATE audit_events'), /append-only/);
    assert.equal(sql(s.db, 'SELECT COUNT(*) FROM audit_events').trim(), String(EVENTS));
  } finally { s.cleanup(); }
});

test('an untouched log verifies, with a signed checkpoint', async () => {
  const s = await populated();
  try {
    let r = await runHaven(['audit', 'checkpoint', ...s.args]);
    assert.equal(r.code, 0, r.stderr);
    const file = /checkpoint written to (\S+)/.exec(r.stdout)[1];
    const cp = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(cp.seq, EVENTS);
    assert.match(cp.signature, /^[0-9a-f]{128}$/);
    r = await verify(s, file);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`verified: ${EVENTS} events, 1 checkpoint`));
  } finally { s.cleanup(); }
});

const tampering = [
  ['a changed event', (db) => sql(db, "UPDATE audit_events SET actor = 'user:666' WHERE seq = 5"), 5],
  ['a removed event', (db) => sql(db, 'DELETE FROM audit_events WHERE seq = 4'), 4],
  ['an inserted event', (db) => {
    // make room at 6 by moving 6.. up one, then write a plausible event at 6
    const rows = sql(db, 'SELECT seq FROM audit_events WHERE seq >= 6 ORDER BY seq DESC').trim().split('\n');
    for (const seq of rows) sql(db, `UPDATE audit_events SET seq = ${Number(seq) + 1} WHERE seq = ${seq}`);
    const prev = sql(db, 'SELECT hash FROM audit_events WHERE seq = 5').trim();
    sql(db, `INSERT INTO audit_events (seq, at, actor, action, object_type, object_id, commitment, prev_hash, hash) VALUES (6, 0, 'cli', 'user.create', 'user', '99', 'x', '${prev}', '${'0'.repeat(64)}')`);
  }, 6],
  ['two events swapped', (db) => {
    sql(db, 'UPDATE audit_events SET seq = 1000 WHERE seq = 2');
    sql(db, 'UPDATE audit_events SET seq = 2 WHERE seq = 3');
    sql(db, 'UPDATE audit_events SET seq = 3 WHERE seq = 1000');
  }, 2],
  ['a field of the hash itself rewritten', (db) => sql(db, `UPDATE audit_events SET hash = '${'a'.repeat(64)}' WHERE seq = 9`), 9],
];

for (const [name, tamper, bad] of tampering) {
  test(`verify catches ${name}`, async () => {
    const s = await populated();
    try {
      assert.equal((await verify(s)).code, 0);
      unguard(s.db);
      tamper(s.db);
      const r = await verify(s);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, new RegExp(`FAILED at event ${bad}\\b`));
    } finally { s.cleanup(); }
  });
}

test('a log cut short, or rewritten whole, no longer reaches its checkpoint', async () => {
  const s = await populated();
  try {
    const r0 = await runHaven(['audit', 'checkpoint', ...s.args]);
    const file = /checkpoint written to (\S+)/.exec(r0.stdout)[1];
    unguard(s.db);
    sql(s.db, 'DELETE FROM audit_events WHERE seq >= 10');
    let r = await verify(s);
    assert.equal(r.code, 0, 'the shorter chain is internally consistent...');
    r = await verify(s, file);
    assert.equal(r.code, 1, '...but the checkpoint proves events are missing');
    assert.match(r.stdout, /missing/);
    // A forged checkpoint (changed head) fails its signature.
    const cp = JSON.parse(readFileSync(file, 'utf8'));
    cp.seq = 9;
    writeFileSync(file + '.forged.json', JSON.stringify(cp));
    r = await verify(s, file + '.forged.json');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /signature does not match/);
  } finally { s.cleanup(); }
});

test('user administration is audited, in order', async () => {
  const s = await populated();
  try {
    const actions = sql(s.db, 'SELECT action FROM audit_events ORDER BY seq').trim().split('\n');
    assert.deepEqual(actions.slice(0, 2), ['user.create', 'user.create']);
    assert.deepEqual(actions.slice(-3), ['import.apply', 'user.roles', 'user.disable']);
    for (const a of actions) assert.match(a, /^[a-z_]+\.[a-z_]+$/);
    assert.ok(readdirSync(s.dir).length >= 1);
  } finally { s.cleanup(); }
});
