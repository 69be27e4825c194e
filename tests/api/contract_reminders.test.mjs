// Reminders before a contractor's Ordinance 188441 attestation expires,
// sent by the scheduler inside `haven serve` through the outbox to a real
// SMTP server (Debian's python3-aiosmtpd on loopback), with the clock moved
// by the test (HAVEN_CLOCK_OFFSET_FILE). An attestation valid through
// 15 July 2026 on a contract running to 2027 is reminded 30, 7 and 1 days
// before and once when it has expired, each exactly once, to the
// department's liaisons; a contract that ends before its attestation
// expires is never reminded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, demoLogins, signIn, api, sql, freePort } from './lib.mjs';
import { startSink, stopSink, waitFor } from './smtp.mjs';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n'
  + 'trailer\n<< /Root 1 0 R >>\n%%EOF\n');

// Noon in Los Angeles on `day` (summer: UTC-7), as the offset from now.
const clockAt = (file, day) => writeFileSync(file, String(Date.parse(`${day}T19:00:00Z`) - Date.now()));

async function twoMoreRuns(db) {
  const read = () => sql(db, "SELECT expires_at FROM scheduler_leases WHERE name = 'contracts.reminders'").trim();
  let last = read();
  for (let i = 0; i < 2; i++) {
    assert.ok(await waitFor(() => read() !== last), 'the scheduler keeps running');
    last = read();
  }
  assert.ok(await waitFor(() => sql(db, 'SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL').trim() === '0'), 'the outbox is empty');
}

test('an attestation is reminded 30, 7 and 1 days before it expires and once expired, each once, to the liaisons', async () => {
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
    const json = async (res) => ({ status: res.status, body: await res.json() });
    const lapl = Number(sql(srv.db, "SELECT id FROM departments WHERE code = 'LAPL'").trim());
    const v = await json(await api(srv, moia, 'POST', '/api/v1/contractors', { vendor_id: 'VT-700001', name: 'Reminder Test Co.' }));
    assert.equal(v.status, 201, JSON.stringify(v.body));
    const make = async (number, ends_on) => {
      const c = await json(await api(srv, moia, 'POST', '/api/v1/contracts', { number, contractor_id: v.body.id, department_id: lapl,
        starts_on: '2026-01-01', ends_on, on_city_property: true, onsite_personnel: 3 }));
      assert.equal(c.status, 201, JSON.stringify(c.body));
      const fd = new FormData();
      fd.append('signed_on', '2026-05-01');
      fd.append('expires_on', '2026-07-15');
      fd.append('file', new Blob([PDF], { type: 'application/pdf' }), 'attestation.pdf');
      const up = await fetch(`${srv.url}/api/v1/contracts/${c.body.id}/attestations`, { method: 'POST', headers: { Origin: srv.url, Cookie: moia.cookie, 'X-CSRF-Token': moia.csrf }, body: fd });
      assert.equal(up.status, 201, await up.text());
      return c.body;
    };
    const running = await make('C-REMIND-1', '2027-12-31');
    const ending = await make('C-REMIND-2', '2026-07-10');
    const liaisons = sql(srv.db, `SELECT u.email FROM department_liaisons x JOIN users u ON u.id = x.user_id WHERE x.department_id = ${lapl} AND u.active = 1 ORDER BY u.email`).trim().split('\n').map((x) => x.trim());
    const mine = (number) => sink.messages().filter((m) => new RegExp(`^Subject: Haven contract reminder: ${number},`, 'm').test(m));

    await twoMoreRuns(srv.db);
    assert.equal(mine('C-REMIND-1').length, 0, '44 days before: no reminder');

    const expect = async (day, count, pattern) => {
      writeFileSync(clock, String(Date.parse(`${day}T19:00:00Z`) - Date.now()));
      assert.ok(await waitFor(() => mine('C-REMIND-1').length >= count * liaisons.length), `${day}: ${sink.out.slice(-1500)}`);
      await twoMoreRuns(srv.db);
      const msgs = mine('C-REMIND-1');
      assert.equal(msgs.length, count * liaisons.length, `${day}: once to each liaison`);
      const last = msgs.slice(-liaisons.length);
      assert.deepEqual(last.map((m) => /^To: (.*)$/m.exec(m)[1]).sort(), liaisons);
      for (const m of last) {
        assert.match(m, pattern);
        assert.match(m, new RegExp(`${srv.url}/contracts/${running.id}`));
        assert.ok(!m.includes('attestation.pdf') && !m.includes('Reminder Test Co.'), 'no document or vendor details');
      }
    };
    await expect('2026-06-15', 1, /valid through: 2026-07-15 \(30 days left\)/);
    clockAt(clock, '2026-06-16');
    await twoMoreRuns(srv.db);
    assert.equal(mine('C-REMIND-1').length, liaisons.length, 'the 30-day reminder goes once');
    await expect('2026-07-08', 2, /\(7 days left\)/);
    await expect('2026-07-14', 3, /\(1 day left\)/);
    clockAt(clock, '2026-07-15');
    await twoMoreRuns(srv.db);
    assert.equal(mine('C-REMIND-1').length, 3 * liaisons.length, 'its last valid day: nothing new');
    await expect('2026-07-16', 4, /has expired\.[\s\S]*\(expired\)/);
    clockAt(clock, '2026-07-20');
    await twoMoreRuns(srv.db);
    assert.equal(mine('C-REMIND-1').length, 4 * liaisons.length, 'the expiry is told once');

    assert.equal(mine('C-REMIND-2').length, 0, 'a contract ending before its attestation expires is not reminded');
    assert.deepEqual(sql(srv.db, `SELECT deadline_date || ' ' || offset_days FROM reminders_sent WHERE subject = 'contract' AND object_id = ${running.id} ORDER BY id`).trim().split('\n').map((x) => x.trim()),
      ['2026-07-15 30', '2026-07-15 7', '2026-07-15 1', '2026-07-15 -1']);
    assert.equal(sql(srv.db, `SELECT COUNT(*) FROM reminders_sent WHERE subject = 'contract' AND object_id = ${ending.id}`).trim(), '0');
  } finally {
    if (srv) { await srv.stop(); srv.cleanup(); }
    await stopSink(sink);
    rmSync(tmp, { recursive: true, force: true });
  }
});
