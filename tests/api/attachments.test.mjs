// Attachments on incident reports, end to end against the real binary (on
// SQLite or PostgreSQL, as HAVEN_TEST_DB says): JPEG, PNG and PDF only,
// recognised by content; EXIF and GPS gone from images (exiftool reads the
// photo before and after); the size cap (413, nothing stored); files
// encrypted on disk under random names; who may add, list and download;
// download headers; audit events; idempotent retries; the report page's
// form; a tampered file answers 500 and never a byte of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, statSync, mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, demoLogins, signIn, api, sql, rawRequest, statusOf } from './lib.mjs';

const CAP = 200 * 1024; // attachment_max for this server
const FIXTURES = path.resolve('tests/fixtures');
let srv, s, libFacility, tmp;

const json = async (res) => ({ status: res.status, body: await res.json().catch(() => null), headers: res.headers });
const pad = (n) => String(n).padStart(2, '0');
function local(minutesAgo) {
  const d = new Date(Date.now() - minutesAgo * 60000);
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
  const g = (t) => f.find((p) => p.type === t).value;
  return `${g('year')}-${g('month')}-${g('day')}T${g('hour')}:${g('minute')}`;
}
void pad;

function report() {
  return {
    facility_id: libFacility, started_at: local(90), ended_at: local(30), agencies: ['ice_ero'],
    agents_count: 2, vehicles_count: 1, document_type: 'admin_i200', access: 'refused',
    narrative: 'Two agents showed a paper at the front desk; staff photographed it.',
  };
}

async function newReport(who = 'liaison') {
  const r = await json(await api(srv, s[who], 'POST', '/api/v1/incidents', report()));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

// A multipart upload as a signed-in user (fetch makes the body and boundary).
function upload(session, id, bytes, { name = 'file.bin', type = 'application/octet-stream', headers = {}, field = 'file', url } = {}) {
  const fd = new FormData();
  fd.append(field, new Blob([bytes], { type }), name);
  const h = { Origin: srv.url, Cookie: session.cookie, 'X-CSRF-Token': session.csrf, ...headers };
  return fetch(srv.url + (url || `/api/v1/incidents/${id}/attachments`), { method: 'POST', headers: h, body: fd, redirect: 'manual' });
}

async function download(session, id, aid) {
  const res = await api(srv, session, 'GET', `/api/v1/incidents/${id}/attachments/${aid}`);
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const attDir = () => path.join(srv.dir, 'attachments');
const storedFiles = () => { try { return readdirSync(attDir()).sort(); } catch { return []; } };
const rows = () => Number(sql(srv.db, 'SELECT COUNT(*) FROM incident_attachments').trim());

// exiftool's view of a file: { tag: value } with group names (GPS:GPSLatitude, IFD0:Make ...).
function exif(file) {
  return JSON.parse(execFileSync('exiftool', ['-j', '-G1', '-a', file]).toString())[0];
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n'
  + 'trailer\n<< /Root 1 0 R >>\n% PDF-MARKER-5521\n%%EOF\n');

before(async () => {
  srv = await startServer({ env: { HAVEN_ATTACHMENT_MAX: String(CAP) } });
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
  const lib = Number(sql(srv.db, "SELECT id FROM departments WHERE code = 'LAPL'").trim());
  libFacility = Number(sql(srv.db, `SELECT id FROM facilities WHERE department_id = ${lib} ORDER BY id LIMIT 1`).trim());
  tmp = mkdtempSync(path.join(os.tmpdir(), 'haven-attach-'));
});
after(async () => { await srv.stop(); srv.cleanup(); rmSync(tmp, { recursive: true, force: true }); });

test('a photo with GPS and camera tags: accepted, stored without them, encrypted on disk', async () => {
  const photo = path.join(tmp, 'warrant.jpg');
  copyFileSync(path.join(FIXTURES, 'plain.jpg'), photo);
  execFileSync('exiftool', ['-q', '-overwrite_original', '-GPSLatitude=34.0522', '-GPSLatitudeRef=N', '-GPSLongitude=118.2437',
    '-GPSLongitudeRef=W', '-Make=HavenTestCam', '-Model=T1', '-Comment=MARKER-COMMENT-7731', photo]);
  const before = exif(photo);
  assert.ok(before['GPS:GPSLatitude'], 'exiftool sees the GPS position before upload');
  assert.equal(before['IFD0:Make'], 'HavenTestCam');
  const original = readFileSync(photo);
  assert.ok(original.includes('HavenTestCam'));

  const inc = await newReport();
  const auditBefore = Number(sql(srv.db, `SELECT COUNT(*) FROM audit_events WHERE action = 'incident.attach' AND object_id = '${inc.id}'`).trim());
  const r = await json(await upload(s.liaison, inc.id, original, { name: 'IMG_2041 Jane Doe.jpg', type: 'image/jpeg' }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.content_type, 'image/jpeg');
  assert.equal(r.body.incident_id, inc.id);
  assert.match(r.body.file_name, new RegExp(`^${inc.ref}-1\\.jpg$`), 'the name shown is generated, never the uploader\'s');
  assert.ok(r.body.size < original.length, 'metadata removed');
  assert.equal(r.headers.get('location'), `/api/v1/incidents/${inc.id}/attachments/${r.body.id}`);
  assert.equal(Number(sql(srv.db, `SELECT COUNT(*) FROM audit_events WHERE action = 'incident.attach' AND object_id = '${inc.id}'`).trim()), auditBefore + 1, 'audit event written');
  assert.ok(!sql(srv.db, 'SELECT file_name FROM incident_attachments').includes('Jane'), 'the uploaded name is not kept');

  const d = await download(s.liaison, inc.id, r.body.id);
  assert.equal(d.status, 200);
  assert.equal(d.headers.get('content-type'), 'image/jpeg');
  assert.equal(d.headers.get('content-disposition'), `attachment; filename="${r.body.file_name}"`);
  assert.equal(d.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(d.headers.get('cache-control'), 'no-store');
  assert.equal(d.bytes.length, r.body.size);
  assert.deepEqual([...d.bytes.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  const out = path.join(tmp, 'downloaded.jpg');
  writeFileSync(out, d.bytes);
  const after = exif(out);
  for (const k of Object.keys(after)) assert.ok(!/^(GPS|IFD0|ExifIFD|XMP)/.test(k), `${k} is gone`);
  assert.equal(after['File:ImageWidth'], 24, 'still the same picture');
  assert.ok(!d.bytes.includes('HavenTestCam') && !d.bytes.includes('MARKER-COMMENT-7731'));

  // On disk: a random name outside anything served, ciphertext only.
  const storage = sql(srv.db, `SELECT storage_name FROM incident_attachments WHERE id = ${r.body.id}`).trim();
  assert.match(storage, /^[0-9a-f]{32}$/);
  assert.ok(storedFiles().includes(storage));
  const disk = readFileSync(path.join(attDir(), storage));
  assert.equal(disk.length, r.body.size + 40, 'nonce and tag around the ciphertext');
  assert.ok(!disk.subarray(0, 64).includes(Buffer.from([0xff, 0xd8, 0xff])), 'no JPEG magic on disk');
  assert.ok(!disk.includes(d.bytes.subarray(0, 32)), 'no plaintext on disk');
  assert.equal(statSync(path.join(attDir(), storage)).mode & 0o777, 0o600);
  // The key: in the data folder, private, never in the database.
  const keyFile = path.join(srv.dir, 'attachments.key');
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const key = readFileSync(keyFile);
  assert.equal(key.length, 32);
  const everything = sql(srv.db, 'SELECT * FROM incident_attachments') + sql(srv.db, 'SELECT * FROM audit_events');
  assert.ok(!everything.includes(key.toString('hex')) && !everything.includes(key.toString('base64')));
  if (srv.db.startsWith('sqlite:')) assert.ok(!readFileSync(srv.db.slice(7)).includes(key), 'the raw key is not in the database file');
  assert.ok(!srv.stderr.includes(key.toString('hex')), 'nor in the logs');
});

test('PNG and PDF are accepted; PNG text chunks are dropped; the PDF comes back byte for byte', async () => {
  const inc = await newReport();
  const png = readFileSync(path.join(FIXTURES, '..', 'unit', 'core', 'fixtures', 'photo_gps.png'));
  assert.ok(png.includes('GPS'), 'the fixture carries GPS text');
  const p = await json(await upload(s.liaison, inc.id, png, { name: 'x.png', type: 'image/png' }));
  assert.equal(p.status, 201, JSON.stringify(p.body));
  assert.equal(p.body.content_type, 'image/png');
  assert.match(p.body.file_name, /-1\.png$/);
  const pd = await download(s.liaison, inc.id, p.body.id);
  assert.equal(pd.headers.get('content-type'), 'image/png');
  assert.ok(!pd.bytes.includes('GPS') && !pd.bytes.includes('tEXt') && !pd.bytes.includes('eXIf'));
  const plain = readFileSync(path.join(FIXTURES, 'plain.png'));
  assert.equal((await upload(s.liaison, inc.id, plain, { name: 'y.png', type: 'image/png' })).status, 201);

  const f = await json(await upload(s.liaison, inc.id, PDF, { name: 'copy.pdf', type: 'application/pdf' }));
  assert.equal(f.status, 201, JSON.stringify(f.body));
  assert.equal(f.body.content_type, 'application/pdf');
  assert.match(f.body.file_name, /-3\.pdf$/);
  const fd = await download(s.liaison, inc.id, f.body.id);
  assert.equal(fd.headers.get('content-type'), 'application/pdf');
  assert.match(fd.headers.get('content-disposition'), /^attachment; filename="INC-\d{4}-\d{6}-3\.pdf"$/);
  assert.deepEqual(fd.bytes, PDF, 'PDFs are stored as they are');
  const storage = sql(srv.db, `SELECT storage_name FROM incident_attachments WHERE id = ${f.body.id}`).trim();
  const disk = readFileSync(path.join(attDir(), storage));
  assert.ok(!disk.includes('%PDF') && !disk.includes('PDF-MARKER-5521'), 'no PDF magic or text on disk');

  const list = await json(await api(srv, s.liaison, 'GET', `/api/v1/incidents/${inc.id}/attachments`));
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((i) => i.content_type), ['image/png', 'image/png', 'application/pdf']);
  assert.equal(list.body.items[2].download, `/api/v1/incidents/${inc.id}/attachments/${f.body.id}`);
  assert.ok(list.body.items.every((i) => !('storage_name' in i)), 'storage names stay inside');
});

test('anything else is refused by content with 415, whatever its name says; nothing is stored', async () => {
  const inc = await newReport();
  const files0 = storedFiles();
  const rows0 = rows();
  const jpg = readFileSync(path.join(FIXTURES, 'plain.jpg'));
  const cases = [
    ['GIF', Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21, 0xf9, 4, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b])]), 'x.gif', 'image/gif'],
    ['HTML', Buffer.from('<!doctype html><script>alert(1)</script>'), 'photo.jpg', 'image/jpeg'],
    ['text renamed .jpg', Buffer.from('just some notes about the visit\n'), 'notes.jpg', 'image/jpeg'],
    ['a JPEG cut in half', jpg.subarray(0, Math.floor(jpg.length / 2)), 'half.jpg', 'image/jpeg'],
    ['a PDF without its end', PDF.subarray(0, 60), 'cut.pdf', 'application/pdf'],
    ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'x.png', 'image/png'],
  ];
  for (const [what, bytes, name, type] of cases) {
    const r = await json(await upload(s.liaison, inc.id, bytes, { name, type }));
    assert.equal(r.status, 415, `${what}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'unsupported_media_type');
    assert.equal(r.body.error.field, 'file');
    assert.match(r.body.error.message, /JPEG, PNG|damaged or incomplete/);
  }
  const noFile = await json(await upload(s.liaison, inc.id, jpg, { field: 'photo' }));
  assert.equal(noFile.status, 400);
  assert.equal(noFile.body.error.field, 'file');
  const asJson = await json(await api(srv, s.liaison, 'POST', `/api/v1/incidents/${inc.id}/attachments`, { file: 'x' }));
  assert.equal(asJson.status, 415);
  assert.equal(rows(), rows0);
  assert.deepEqual(storedFiles(), files0);
});

test('over the size cap: 413, by Content-Length, by the file, and chunked; nothing stored', async () => {
  const inc = await newReport();
  const jpg = readFileSync(path.join(FIXTURES, 'plain.jpg'));
  // Exactly at the cap is accepted (and what trails the JPEG's end is dropped).
  const atCap = Buffer.concat([jpg, Buffer.alloc(CAP - jpg.length, 0x41)]);
  let r = await json(await upload(s.liaison, inc.id, atCap, { name: 'big.jpg', type: 'image/jpeg' }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.size, jpg.length);
  const files0 = storedFiles();
  const rows0 = rows();
  // One byte more: the file alone is over the cap (the body is within the framing allowance).
  const justOver = Buffer.concat([jpg, Buffer.alloc(CAP + 1 - jpg.length, 0x41)]);
  r = await json(await upload(s.liaison, inc.id, justOver, { name: 'big.jpg', type: 'image/jpeg' }));
  assert.equal(r.status, 413, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'too_large');
  assert.match(r.body.error.message, /200 KB/);
  // Far over: refused from the Content-Length before the body is read.
  const early = await rawRequest(srv.port, `POST /api/v1/incidents/${inc.id}/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\n`
    + `Origin: ${srv.url}\r\nCookie: ${s.liaison.cookie}\r\nX-CSRF-Token: ${s.liaison.csrf}\r\n`
    + `Content-Type: multipart/form-data; boundary=b\r\nContent-Length: ${CAP * 2}\r\n\r\n`, 3000);
  assert.equal(statusOf(early), 413);
  assert.match(early, /attachments may be up to 200 KB/);
  // Chunked (no Content-Length): counted while streaming.
  const boundary = 'xBOUNDARYx';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head), Buffer.alloc(CAP * 2, 0x41), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  let chunked = '';
  for (let i = 0; i < body.length; i += 16384) {
    const part = body.subarray(i, i + 16384);
    chunked += part.length.toString(16) + '\r\n' + part.toString('latin1') + '\r\n';
  }
  chunked += '0\r\n\r\n';
  const raw = await rawRequest(srv.port, `POST /api/v1/incidents/${inc.id}/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\n`
    + `Origin: ${srv.url}\r\nCookie: ${s.liaison.cookie}\r\nX-CSRF-Token: ${s.liaison.csrf}\r\n`
    + `Content-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\n\r\n` + chunked, 5000);
  assert.equal(statusOf(raw), 413);
  assert.equal(rows(), rows0);
  assert.deepEqual(storedFiles(), files0);
});

test('who: another department gets 404 as for the report; roles without read are refused; auditors read but do not add', async () => {
  const inc = await newReport();
  const r = await json(await upload(s.liaison, inc.id, PDF, { name: 'a.pdf' }));
  assert.equal(r.status, 201);
  const aid = r.body.id;
  // Another department's liaison: exactly as the report itself answers.
  assert.equal((await api(srv, s.liaison2, 'GET', `/api/v1/incidents/${inc.id}`)).status, 404);
  assert.equal((await api(srv, s.liaison2, 'GET', `/api/v1/incidents/${inc.id}/attachments`)).status, 404);
  assert.equal((await download(s.liaison2, inc.id, aid)).status, 404);
  assert.equal((await upload(s.liaison2, inc.id, PDF)).status, 404);
  assert.equal((await api(srv, s.liaison2, 'GET', `/incidents/${inc.id}/attachments/${aid}`)).status, 404);
  // A wrong report id for a real attachment is not found either.
  const other = await newReport();
  assert.equal((await download(s.liaison, other.id, aid)).status, 404);
  // Staff send alerts but do not read reports: 403 as for the report.
  assert.equal((await api(srv, s.staff, 'GET', `/api/v1/incidents/${inc.id}`)).status, 403);
  assert.equal((await api(srv, s.staff, 'GET', `/api/v1/incidents/${inc.id}/attachments`)).status, 403);
  assert.equal((await download(s.staff, inc.id, aid)).status, 403);
  assert.equal((await upload(s.staff, inc.id, PDF)).status, 403);
  assert.equal((await download(s.agent311, inc.id, aid)).status, 403);
  // Citywide readers read; only writers add.
  for (const who of ['moia', 'auditor', 'legal', 'admin']) {
    const d = await download(s[who], inc.id, aid);
    assert.equal(d.status, 200, who);
    assert.deepEqual(d.bytes, PDF);
  }
  assert.equal((await upload(s.auditor, inc.id, PDF)).status, 403);
  assert.equal((await upload(s.legal, inc.id, PDF)).status, 403);
  assert.equal((await upload(s.moia, inc.id, PDF)).status, 201);
  // Not signed in.
  assert.equal((await fetch(`${srv.url}/api/v1/incidents/${inc.id}/attachments/${aid}`)).status, 401);
});

test('adding follows the edit rule: not by a liaison once submitted, by nobody once verified', async () => {
  const inc = await newReport();
  let r = await json(await api(srv, s.liaison, 'POST', `/api/v1/incidents/${inc.id}/actions`, { action: 'submit', version: inc.version }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const up = await json(await upload(s.liaison, inc.id, PDF));
  assert.equal(up.status, 409);
  assert.match(up.body.error.message, /draft or needs information/);
  assert.equal((await upload(s.moia, inc.id, PDF)).status, 201, 'MOIA adds while it is submitted');
  r = await json(await api(srv, s.moia, 'POST', `/api/v1/incidents/${inc.id}/actions`, { action: 'verify', version: r.body.version, confidence: 'confirmed' }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((await upload(s.moia, inc.id, PDF)).status, 409, 'verified reports are not changed');
  assert.equal((await upload(s.admin, inc.id, PDF)).status, 409);
});

test('idempotent retries: the same key and file give the same attachment once', async () => {
  const inc = await newReport();
  const files0 = storedFiles().length;
  const key = `att-${Date.now()}`;
  const a = await json(await upload(s.liaison, inc.id, PDF, { headers: { 'Idempotency-Key': key } }));
  const b = await json(await upload(s.liaison, inc.id, PDF, { headers: { 'Idempotency-Key': key } }));
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(a.body.id, b.body.id);
  assert.equal(Number(sql(srv.db, `SELECT COUNT(*) FROM incident_attachments WHERE incident_id = ${inc.id}`).trim()), 1);
  assert.equal(storedFiles().length, files0 + 1, 'the retry left no second file');
  const c = await json(await upload(s.liaison, inc.id, Buffer.concat([PDF, Buffer.from('\n')]), { headers: { 'Idempotency-Key': key } }));
  assert.equal(c.status, 422, 'the key reused for another file is refused');
});

test('the report page: the list, the form with its CSRF token, upload and redirect, errors on the page', async () => {
  const inc = await newReport();
  let page = await (await api(srv, s.liaison, 'GET', `/incidents/${inc.id}`)).text();
  assert.match(page, /No files are attached/);
  assert.match(page, new RegExp(`<form[^>]+action="/incidents/${inc.id}/attachments"[^>]+enctype="multipart/form-data"`));
  assert.match(page, /JPEG, PNG or PDF, up to 200 KB/);
  // The form posts multipart with the token as a field, as a browser does.
  const form = (bytes, name, csrf = s.liaison.csrf) => {
    const fd = new FormData();
    if (csrf) fd.append('csrf', csrf);
    fd.append('file', new Blob([bytes]), name);
    return fetch(`${srv.url}/incidents/${inc.id}/attachments`, { method: 'POST', headers: { Origin: srv.url, Cookie: s.liaison.cookie }, body: fd, redirect: 'manual' });
  };
  let res = await form(readFileSync(path.join(FIXTURES, 'plain.jpg')), 'p.jpg');
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location'), new RegExp(`^/incidents/${inc.id}\\?attached=\\d+#attachments$`));
  page = await (await api(srv, s.liaison, 'GET', res.headers.get('location').replace(/#.*/, ''))).text();
  assert.match(page, /The file was attached to the report/);
  assert.match(page, new RegExp(`href="/incidents/${inc.id}/attachments/\\d+" download>${inc.ref}-1\\.jpg</a>`));
  const link = new RegExp(`href="(/incidents/${inc.id}/attachments/\\d+)"`).exec(page)[1];
  const d = await api(srv, s.liaison, 'GET', link);
  assert.equal(d.status, 200);
  assert.match(d.headers.get('content-disposition'), /^attachment; /);
  // Without the token: refused before the handler.
  res = await form(PDF, 'x.pdf', null);
  assert.equal(res.status, 403);
  // A refused file comes back on the report page with the reason.
  res = await form(Buffer.from('hello'), 'x.jpg');
  assert.equal(res.status, 415);
  const html = await res.text();
  assert.match(html, /<h1>INC-/);
  assert.match(html, /Only JPEG, PNG and PDF files can be attached/);
  // Readers who may not add see the list but not the form.
  page = await (await api(srv, s.auditor, 'GET', `/incidents/${inc.id}`)).text();
  assert.match(page, new RegExp(`${inc.ref}-1\\.jpg`));
  assert.doesNotMatch(page, /enctype="multipart\/form-data"/);
});

test('a file changed on disk answers 500, logged, and never a byte of it', async () => {
  const inc = await newReport();
  const r = await json(await upload(s.liaison, inc.id, PDF));
  assert.equal(r.status, 201);
  const storage = sql(srv.db, `SELECT storage_name FROM incident_attachments WHERE id = ${r.body.id}`).trim();
  const file = path.join(attDir(), storage);
  const disk = readFileSync(file);
  disk[disk.length - 20] ^= 1;
  writeFileSync(file, disk);
  const d = await download(s.liaison, inc.id, r.body.id);
  assert.equal(d.status, 500);
  assert.match(d.headers.get('content-type'), /^application\/json/);
  assert.equal(d.headers.get('content-disposition'), null);
  assert.ok(!d.bytes.includes('%PDF'));
  await new Promise((res) => setTimeout(res, 100));
  assert.ok(srv.logLines().some((l) => l.msg === 'attachment unreadable' && l.attachment_id === r.body.id));
  // A file moved under another row's name does not open either (bound to its name).
  const other = await json(await upload(s.liaison, inc.id, PDF));
  const storage2 = sql(srv.db, `SELECT storage_name FROM incident_attachments WHERE id = ${other.body.id}`).trim();
  const good = readFileSync(path.join(attDir(), storage2));
  writeFileSync(file, good);
  assert.equal((await download(s.liaison, inc.id, r.body.id)).status, 500);
  assert.equal((await download(s.liaison, inc.id, other.body.id)).status, 200);
});
