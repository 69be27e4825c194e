// Reminders of preparedness plans, sent by the scheduler inside
// `haven serve` through the outbox to a real SMTP server (Debian's
// python3-aiosmtpd on loopback), with the clock moved by the test
// (HAVEN_CLOCK_OFFSET_FILE, read afresh by every process). A directive
// issued on 1 June 2026 is due on 15 June (14 calendar days): the
// department's liaisons are reminded 7, 3 and 1 days before and on each
// day overdue, each exactly once, with nothing of the plan's answers in the
// mail; a department that submitted its plan is not reminded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, demoLogins, signIn, api, sql, freePort } from './lib.mjs';
import { startSink, stopSink, waitFor } from './smtp.mjs';

// Noon in Los Angeles on `day` (summer: UTC-7), as the offset from now.
const clockAt = (file, day) => writeFileSync(file, String(Date.parse(`${day}T19:00:00Z`) - Date.now()));

// Waits until the plan job has run twice more (its lease is renewed each
// run) and the sender has sent what was queued: a duplicate would be here.
async function twoMoreRuns(db) {
  const read = () => sql(db, "SELECT expires_at FROM scheduler_leases WHERE name = 'plans.reminders'").trim();
  let last = read();
  for (let i = 0; i < 2; i++) {
    assert.ok(await waitFor(() => read() !== last), 'the scheduler keeps running');
    last = read();
  }
  assert.ok(await waitFor(() => sql(db, 'SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL').trim() === '0'), 'the outbox is empty');
}

test('a plan is reminded 7, 3 and 1 days before and each day overdue, once each, to its liaisons only until submitted', async () => {
  const port = await freePort();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'haven-clock-'));
  const clock = path.join(tmp, 'offset');
  clockAt(clock, '2026-06-01');
  const sink = await startSink(port);
  let srv;
  try {
    srv = await startServer({ env: { HAVEN_CLOCK_OFFSET_FILE: clock }, args: ['--smtp-url', `smtp://127.0.0.1:${port}`, '--smtp-starttls', '0', '--reminder-interval', '1'] });
    const l = demoLogins(srv.dir);
    const moia = await signIn(srv, l.moia.email, l.moia.password);
    const parks = await signIn(srv, l.liaison2.email, l.liaison2.password);
    const json = async (res) => ({ status: res.status, body: await res.json() });
    const d = await json(await api(srv, moia, 'POST', '/api/v1/directives', {
      number: 'ED 99', title: 'A test directive', due_days: 14,
      requirements: [{ code: 'protocol', title: 'Employee protocol adopted (secret answer follows)' }],
    }));
    assert.equal(d.status, 201, JSON.stringify(d.body));
    const issued = await json(await api(srv, moia, 'POST', `/api/v1/directives/${d.body.id}/issue`, { issued_on: '2026-06-01' }));
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const planOf = (code) => issued.body.plans.find((p) => p.department_code === code);
    const library = planOf('LAPL');
    const rap = planOf('RAP');
    assert.equal(library.due_on, '2026-06-15');

    // Parks answers and submits at once: never reminded.
    let plan = (await json(await api(srv, parks, 'GET', `/api/v1/plans/${rap.id}`))).body;
    const req = plan.requirements[0].requirement_id;
    let r = await json(await api(srv, parks, 'PUT', `/api/v1/plans/${rap.id}/requirements/${req}`, { version: plan.version, status: 'done', note: 'Confidential note 7731' }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await json(await api(srv, parks, 'POST', `/api/v1/plans/${rap.id}/submit`, { version: r.body.version }));
    assert.equal(r.status, 200, JSON.stringify(r.body));

    const liaisons = sql(srv.db, `SELECT u.email FROM department_liaisons x JOIN users u ON u.id = x.user_id JOIN departments d ON d.id = x.department_id WHERE d.code = 'LAPL' AND u.active = 1 ORDER BY u.email`).trim().split('\n').map((x) => x.trim());
    assert.ok(liaisons.includes(l.liaison.email));
    const ed99 = (code) => sink.messages().filter((m) => /^Subject: Haven plan reminder: ED 99 preparedness plan, /m.test(m) && m.includes(`/plans/${code === 'LAPL' ? library.id : rap.id}`));

    clockAt(clock, '2026-06-07'); // 8 days left: nothing yet
    await twoMoreRuns(srv.db);
    assert.equal(ed99('LAPL').length, 0, 'eight days before: no reminder');

    const expect = async (day, count, pattern) => {
      clockAt(clock, day);
      assert.ok(await waitFor(() => ed99('LAPL').length >= count * liaisons.length), `${day}: ${sink.out.slice(-1500)}`);
      await twoMoreRuns(srv.db);
      const msgs = ed99('LAPL');
      assert.equal(msgs.length, count * liaisons.length, `${day}: once to each liaison`);
      const last = msgs.slice(-liaisons.length);
      assert.deepEqual(last.map((m) => /^To: (.*)$/m.exec(m)[1]).sort(), liaisons);
      for (const m of last) {
        assert.match(m, pattern);
        assert.match(m, /Due: 2026-06-15/);
        assert.ok(!m.includes('secret answer') && !m.includes('Confidential note'), 'no plan content');
      }
    };
    await expect('2026-06-08', 1, /Due: 2026-06-15 \(7 days left\)/);
    clockAt(clock, '2026-06-09'); // 6 left: the 7-day reminder is not sent again
    await twoMoreRuns(srv.db);
    assert.equal(ed99('LAPL').length, liaisons.length);
    await expect('2026-06-12', 2, /\(3 days left\)/);
    await expect('2026-06-14', 3, /\(1 day left\)/);
    clockAt(clock, '2026-06-15'); // due today: the 1-day reminder was the last before it
    await twoMoreRuns(srv.db);
    assert.equal(ed99('LAPL').length, 3 * liaisons.length);
    await expect('2026-06-16', 4, /is overdue\.[\s\S]*\(overdue by 1 day\)/);
    await expect('2026-06-17', 5, /\(overdue by 2 days\)/);

    assert.equal(ed99('RAP').length, 0, 'a submitted plan is not reminded');
    assert.deepEqual(sql(srv.db, `SELECT deadline_date || ' ' || offset_days FROM reminders_sent WHERE subject = 'plan' AND object_id = ${library.id} ORDER BY id`).trim().split('\n').map((x) => x.trim()),
      ['2026-06-15 7', '2026-06-15 3', '2026-06-15 1', '2026-06-15 -1', '2026-06-15 -2']);
    assert.equal(sql(srv.db, `SELECT COUNT(*) FROM reminders_sent WHERE subject = 'plan' AND object_id = ${rap.id}`).trim(), '0');
  } finally {
    if (srv) { await srv.stop(); srv.cleanup(); }
    await stopSink(sink);
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('two servers on one database: each plan reminder is queued and sent once', async () => {
  const port = await freePort();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'haven-clock-'));
  const clock = path.join(tmp, 'offset');
  clockAt(clock, '2026-06-01');
  const sink = await startSink(port);
  const args = ['--smtp-url', `smtp://127.0.0.1:${port}`, '--smtp-starttls', '0', '--reminder-interval', '1'];
  let a, b;
  try {
    a = await startServer({ env: { HAVEN_CLOCK_OFFSET_FILE: clock }, args });
    b = await startServer({ env: { HAVEN_CLOCK_OFFSET_FILE: clock }, args, db: a.db, demo: false });
    const l = demoLogins(a.dir);
    const moia = await signIn(a, l.moia.email, l.moia.password);
    const json = async (res) => ({ status: res.status, body: await res.json() });
    const d = await json(await api(a, moia, 'POST', '/api/v1/directives', {
      number: 'ED 98', title: 'Another test directive', due_days: 14, requirements: [{ code: 'protocol', title: 'Employee protocol adopted' }],
    }));
    assert.equal(d.status, 201, JSON.stringify(d.body));
    const issued = await json(await api(a, moia, 'POST', `/api/v1/directives/${d.body.id}/issue`, { issued_on: '2026-06-01' }));
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const plans = issued.body.plans.length;
    // by the body: a long department name folds the subject line
    const ed98 = () => sink.messages().filter((m) => /^Directive: ED 98\r?$/m.test(m));
    const withLiaisons = Number(sql(a.db, `SELECT COUNT(*) FROM plans p WHERE p.directive_id = ${d.body.id} AND EXISTS (SELECT 1 FROM department_liaisons x JOIN users u ON u.id = x.user_id WHERE x.department_id = p.department_id AND u.active = 1)`).trim());
    const recipients = Number(sql(a.db, `SELECT COUNT(*) FROM plans p JOIN department_liaisons x ON x.department_id = p.department_id JOIN users u ON u.id = x.user_id WHERE p.directive_id = ${d.body.id} AND u.active = 1`).trim());
    assert.ok(withLiaisons > 1 && recipients >= withLiaisons);

    clockAt(clock, '2026-06-08'); // 7 days left for every department's plan
    assert.ok(await waitFor(() => ed98().length >= recipients, 60000), `seven days before: ${ed98().length} of ${recipients}; outbox ${sql(a.db, "SELECT COUNT(*) || ' ' || COUNT(sent_at) FROM outbox WHERE subject LIKE '%ED 98%'")}; sent ${sql(a.db, "SELECT COUNT(*) FROM reminders_sent WHERE subject = 'plan'")}`);
    await twoMoreRuns(a.db);
    assert.equal(ed98().length, recipients, 'once to each liaison, from two servers');
    assert.equal(sql(a.db, `SELECT COUNT(*) FROM reminders_sent WHERE subject = 'plan' AND object_id IN (SELECT id FROM plans WHERE directive_id = ${d.body.id})`).trim(), String(plans));
    const holder = sql(a.db, "SELECT holder FROM scheduler_leases WHERE name = 'plans.reminders'").trim();
    assert.ok(holder.includes(`:${a.proc.pid}:`) || holder.includes(`:${b.proc.pid}:`), 'one of the two holds the lease');
  } finally {
    if (b) await b.stop();
    if (a) { await a.stop(); a.cleanup(); }
    if (b) b.cleanup();
    await stopSink(sink);
    rmSync(tmp, { recursive: true, force: true });
  }
});
