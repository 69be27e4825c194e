// Reminders before each FOIA deadline, sent by the scheduler inside
// `haven serve` through the outbox to a real SMTP server (Debian's
// python3-aiosmtpd on loopback), with the clock moved by the test
// (HAVEN_CLOCK_OFFSET_FILE, read afresh by every process):
// - one server: the determination due 2026-03-03 (20 working days after
//   2 February 2026, Presidents' Day passed over; counted by a Python
//   script) is reminded 5 and 1 working days before and once overdue, each
//   exactly once, to every MOIA and City Attorney user, with no request
//   content in the mail;
// - two servers on one database: each reminder still arrives exactly once
//   (one holds the scheduler's lease; reminders_sent's UNIQUE key backs it),
//   and when the holder stops the other takes over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, demoLogins, signIn, api, sql, freePort } from './lib.mjs';
import { startSink, stopSink, waitFor } from './smtp.mjs';

// Noon in Los Angeles on `day` (winter: UTC-8), as the offset from now.
const clockAt = (file, day) => writeFileSync(file, String(Date.parse(`${day}T20:00:00Z`) - Date.now()));

// Waits until the scheduler has run twice more (its lease is renewed each
// run), so a duplicate would have been queued and sent by then.
async function twoMoreRuns(db) {
  const read = () => sql(db, "SELECT expires_at FROM scheduler_leases WHERE name = 'foia.reminders'").trim();
  let last = read();
  for (let i = 0; i < 2; i++) {
    assert.ok(await waitFor(() => read() !== last), 'the scheduler keeps running');
    last = read();
  }
  // and the sender has had its turn at anything queued meanwhile
  assert.ok(await waitFor(() => sql(db, 'SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL').trim() === '0'), 'the outbox is empty');
}

const mine = (sink, id) => sink.messages().filter((m) => new RegExp(`^Subject: Haven FOIA reminder: FOIA request ${id}[, ]`, 'm').test(m));
const subjects = (msgs) => msgs.map((m) => /^Subject: (.*)$/m.exec(m)[1]);

async function newRequest(srv) {
  const l = demoLogins(srv.dir);
  const moia = await signIn(srv, l.moia.email, l.moia.password);
  const res = await api(srv, moia, 'POST', '/api/v1/foia/requests', {
    agency: 'U.S. Immigration and Customs Enforcement', component: 'FOIA Office', subject: 'Secret subject 4471',
    records_sought: 'Confidential scope 9913', submitted_on: '2026-02-02', received_on: '2026-02-02',
  });
  assert.equal(res.status, 201);
  const body = await res.json();
  assert.equal(body.deadlines.find((d) => d.kind === 'determination').due, '2026-03-03');
  return body.id;
}

test('a deadline is reminded 5 and 1 working days before and once overdue, each once, without request content', async () => {
  const port = await freePort();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'haven-clock-'));
  const clock = path.join(tmp, 'offset');
  clockAt(clock, '2026-02-23'); // 6 working days left: nothing yet
  const sink = await startSink(port);
  let srv;
  try {
    srv = await startServer({ env: { HAVEN_CLOCK_OFFSET_FILE: clock }, args: ['--smtp-url', `smtp://127.0.0.1:${port}`, '--smtp-starttls', '0', '--reminder-interval', '1'] });
    const id = await newRequest(srv);
    const l = demoLogins(srv.dir);
    const team = [l.moia.email, l.legal.email, ...(l.moia2 ? [l.moia2.email] : []), ...(l.legal2 ? [l.legal2.email] : [])].sort();
    await twoMoreRuns(srv.db);
    assert.equal(mine(sink, id).length, 0, 'six working days before: no reminder');

    clockAt(clock, '2026-02-24');
    assert.ok(await waitFor(() => mine(sink, id).length >= team.length), `five days before: ${sink.out.slice(-2000)}`);
    await twoMoreRuns(srv.db);
    let msgs = mine(sink, id);
    assert.equal(msgs.length, team.length, 'one message to each FOIA user');
    assert.deepEqual(msgs.map((m) => /^To: (.*)$/m.exec(m)[1]).sort(), team);
    for (const m of msgs) {
      assert.match(m, /Deadline: Determination due/);
      assert.match(m, /Date: 2026-03-03 \(5 working days left\)/);
      assert.match(m, new RegExp(`${srv.url}/foia/${id}`));
      assert.ok(!m.includes('Secret subject') && !m.includes('Confidential scope'), 'no request content');
    }

    clockAt(clock, '2026-02-25'); // 4 left: the 5-day reminder is not sent again
    await twoMoreRuns(srv.db);
    assert.equal(mine(sink, id).length, team.length);

    clockAt(clock, '2026-03-02');
    assert.ok(await waitFor(() => mine(sink, id).length >= 2 * team.length), 'one day before');
    clockAt(clock, '2026-03-03'); // due today: the 1-day reminder was the last before it
    await twoMoreRuns(srv.db);
    assert.equal(mine(sink, id).length, 2 * team.length);
    assert.ok(mine(sink, id).slice(team.length).every((m) => /Date: 2026-03-03 \(1 working days left\)/.test(m)));

    clockAt(clock, '2026-03-04');
    assert.ok(await waitFor(() => mine(sink, id).length >= 3 * team.length), 'overdue');
    clockAt(clock, '2026-03-06');
    await twoMoreRuns(srv.db);
    msgs = mine(sink, id);
    assert.equal(msgs.length, 3 * team.length, 'the overdue reminder goes once');
    assert.ok(msgs.slice(2 * team.length).every((m) => /A FOIA deadline has passed\./.test(m) && /overdue by 1 working days/.test(m)));
    assert.ok(subjects(msgs).slice(2 * team.length).every((x) => x === `Haven FOIA reminder: FOIA request ${id}, Determination due overdue since 2026-03-03`));
    assert.deepEqual(sql(srv.db, `SELECT deadline_kind || ' ' || deadline_date || ' ' || offset_days FROM reminders_sent WHERE object_id = ${id} ORDER BY id`).trim().split('\n').map((x) => x.trim()),
      ['determination 2026-03-03 5', 'determination 2026-03-03 1', 'determination 2026-03-03 -1']);
  } finally {
    if (srv) { await srv.stop(); srv.cleanup(); }
    await stopSink(sink);
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('two servers on one database: each reminder arrives once, and the other server takes over when the first stops', async () => {
  const port = await freePort();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'haven-clock-'));
  const clock = path.join(tmp, 'offset');
  clockAt(clock, '2026-02-23');
  const sink = await startSink(port);
  const args = ['--smtp-url', `smtp://127.0.0.1:${port}`, '--smtp-starttls', '0', '--reminder-interval', '1', '--reminder-to', 'foia-team@lacity.org'];
  let a, b;
  try {
    a = await startServer({ env: { HAVEN_CLOCK_OFFSET_FILE: clock }, args });
    b = await startServer({ env: { HAVEN_CLOCK_OFFSET_FILE: clock }, args, db: a.db, demo: false });
    const id = await newRequest(a);
    await twoMoreRuns(a.db);
    const demoReminders = sink.messages().length; // the demo request, long overdue: reminded once
    assert.ok(demoReminders >= 1);

    clockAt(clock, '2026-02-24');
    assert.ok(await waitFor(() => mine(sink, id).length >= 1), 'five days before');
    await twoMoreRuns(a.db);
    assert.equal(mine(sink, id).length, 1, 'once, from two servers');
    assert.equal(sink.messages().length, demoReminders + 1, 'the demo request is not reminded again');
    const holder = sql(a.db, "SELECT holder FROM scheduler_leases WHERE name = 'foia.reminders'").trim();
    assert.match(holder, /:\d+:[0-9a-f]{16}$/);
    const [first, second] = holder.includes(`:${a.proc.pid}:`) ? [a, b] : [b, a];
    assert.ok(holder.includes(`:${first.proc.pid}:`), 'one of the two holds the lease');

    // the holder stops (giving its lease up); the other sends the next reminder
    await first.stop();
    clockAt(clock, '2026-03-02');
    assert.ok(await waitFor(() => mine(sink, id).length >= 2), 'one day before, from the other server');
    await twoMoreRuns(second.db);
    assert.equal(mine(sink, id).length, 2);
    assert.ok(sql(second.db, "SELECT holder FROM scheduler_leases WHERE name = 'foia.reminders'").includes(`:${second.proc.pid}:`));
    assert.equal(sql(second.db, `SELECT COUNT(*) FROM reminders_sent WHERE object_id = ${id}`).trim(), '2');
    assert.equal(sql(second.db, "SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Haven FOIA reminder: FOIA request " + id + ",%'").trim(), '2');
  } finally {
    if (b) { await b.stop(); }
    if (a) { await a.stop(); a.cleanup(); }
    if (b) b.cleanup();
    await stopSink(sink);
    rmSync(tmp, { recursive: true, force: true });
  }
});
