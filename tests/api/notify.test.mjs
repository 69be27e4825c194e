// Notifications through a real SMTP server (Debian's python3-aiosmtpd on
// loopback): a quick alert tells the department's liaisons and MOIA's
// on-call list at once, with no report contents; a mail server that is down
// never loses or blocks the alert, and the message goes out once it is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, demoLogins, signIn, api, sql, freePort } from './lib.mjs';
import { startSink, stopSink, waitFor } from './smtp.mjs';

async function alertAs(srv) {
  const l = demoLogins(srv.dir);
  const staff = await signIn(srv, l.staff.email, l.staff.password);
  const fac = Number(sql(srv.db, "SELECT f.id FROM facilities f JOIN departments d ON d.id = f.department_id WHERE d.code = 'LAPL' ORDER BY f.id LIMIT 1").trim());
  const res = await api(srv, staff, 'POST', '/api/v1/alerts', { facility_id: fac, happening: 'entry_requested', note: 'Secret detail: agents at the back door' });
  return { status: res.status, body: await res.json() };
}

test('a quick alert emails the liaisons and MOIA on call at once, without report contents', async () => {
  const port = await freePort();
  const sink = await startSink(port);
  let srv;
  try {
    srv = await startServer({ args: ['--smtp-url', `smtp://127.0.0.1:${port}`, '--smtp-starttls', '0', '--smtp-from', 'haven@lacity.org', '--notify-moia', 'oncall1@lacity.org, oncall2@lacity.org'] });
    const r = await alertAs(srv);
    assert.equal(r.status, 201);
    assert.ok(await waitFor(() => sink.messages().length >= 3), `three messages arrived: ${sink.out}`);
    const msgs = sink.messages();
    const to = msgs.map((m) => /^To: (.*)$/m.exec(m)[1]).sort();
    assert.deepEqual(to, ['liaison.library@demo.lacity.org', 'oncall1@lacity.org', 'oncall2@lacity.org']);
    for (const m of msgs) {
      assert.match(m, new RegExp(`Subject: Haven quick alert ${r.body.ref}`));
      assert.match(m, new RegExp(`${srv.url}/incidents/${r.body.id}`));
      assert.match(m, /Facility: /);
      assert.ok(!m.includes('Secret detail') && !m.includes('back door'), 'no report contents in email');
    }
    assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL').trim(), '3');
  } finally {
    if (srv) { await srv.stop(); srv.cleanup(); }
    await stopSink(sink);
  }
});

test('a mail server that is down loses nothing and blocks nothing; the message goes once it is back', async () => {
  const port = await freePort();
  const clock = path.join(mkdtempSync(path.join(os.tmpdir(), 'haven-clock-')), 'offset');
  writeFileSync(clock, '0');
  let srv, sink;
  try {
    srv = await startServer({ env: { HAVEN_CLOCK_OFFSET_FILE: clock }, args: ['--smtp-url', `smtp://127.0.0.1:${port}`, '--smtp-starttls', '0', '--notify-moia', 'oncall@lacity.org'] });
    const t0 = Date.now();
    const r = await alertAs(srv);
    assert.equal(r.status, 201, 'the alert is acknowledged while mail is down');
    assert.ok(Date.now() - t0 < 3000, 'and promptly');
    assert.ok(await waitFor(() => Number(sql(srv.db, 'SELECT COUNT(*) FROM outbox WHERE attempts > 0 AND last_error IS NOT NULL').trim()) === 2), 'the failure is recorded');
    assert.ok(await waitFor(() => /notification failed; will retry/.test(srv.stderr)), 'and logged');
    sink = await startSink(port);
    writeFileSync(clock, String(3 * 60 * 1000)); // the retry comes due
    assert.ok(await waitFor(() => sink.messages().length >= 2, 30000), `sent after the server came back: ${sink.out}`);
    assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL').trim(), '0');
  } finally {
    if (srv) { await srv.stop(); srv.cleanup(); }
    if (sink) await stopSink(sink);
  }
});
