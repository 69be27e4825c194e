// A real SMTP server for the mail tests: Debian's python3-aiosmtpd in
// debugging mode on a loopback port, its printed messages collected.
// Stopped by the test that started it, by process id (and killed at exit).
import { spawn } from 'node:child_process';

export function startSink(port) {
  const proc = spawn('/usr/bin/python3', ['-u', '-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`]);
  process.on('exit', () => { try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ } });
  const sink = { proc, out: '', messages() { return sink.out.split('---------- MESSAGE FOLLOWS ----------').slice(1); } };
  proc.stdout.on('data', (d) => (sink.out += d));
  proc.stderr.on('data', (d) => (sink.out += d));
  return new Promise((resolve) => setTimeout(() => resolve(sink), 1500));
}

export const stopSink = (sink) => new Promise((r) => {
  if (sink.proc.exitCode !== null || sink.proc.signalCode !== null) return r();
  sink.proc.on('exit', r);
  process.kill(sink.proc.pid, 'SIGTERM');
});

// Polls `fn` every 200 ms until it is true (true) or `ms` have passed (false).
export async function waitFor(fn, ms = 30000) {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (fn()) return true; await new Promise((r) => setTimeout(r, 200)); }
  return false;
}
