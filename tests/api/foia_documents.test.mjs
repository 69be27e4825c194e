// FOIA documents received, the release summary and the full record against
// the real binary (SQLite or PostgreSQL by HAVEN_TEST_DB): a PDF and a photo
// uploaded with the exemptions cited (the photo loses its GPS and camera
// tags, both are encrypted on disk under random names and come back whole
// as downloads), the size cap (413) and content sniffing (415), every
// validation by field, the version check, the audit events, who may see
// them; the summary's sums; the record as JSON and as a printable page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, demoLogins, signIn, api, sql } from './lib.mjs';

const CAP = 200 * 1024;
let srv, s, tmp;
const json = async (res) => ({ status: res.status, body: await res.json().catch(() => null), headers: res.headers });
const call = (who, method, p, body) => api(srv, who, method, p, body).then(json);

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n'
  + 'trailer\n<< /Root 1 0 R >>\n% FOIA-PDF-MARKER-8812\n%%EOF\n');

// An upload as a signed-in user: the file and the "document" JSON part (API),
// or flat form fields (the page form, with the CSRF token in the body).
function upload(session, id, bytes, document, { url, fields, type = 'application/pdf', name = 'release.pdf' } = {}) {
  const fd = new FormData();
  if (bytes) fd.append('file', new Blob([bytes], { type }), name);
  if (document !== undefined) fd.append('document', typeof document === 'string' ? document : JSON.stringify(document));
  for (const [k, v] of Object.entries(fields || {})) fd.append(k, v);
  const h = { Origin: srv.url, Cookie: session.cookie };
  if (!fields) h['X-CSRF-Token'] = session.csrf;
  return fetch(srv.url + (url || `/api/v1/foia/requests/${id}/documents`), { method: 'POST', headers: h, body: fd, redirect: 'manual' });
}

async function newRequest(extra = {}) {
  const c = await call(s.moia, 'POST', '/api/v1/foia/requests', {
    agency: 'U.S. Immigration and Customs Enforcement', component: 'FOIA Office', subject: 'Documents test',
    records_sought: 'Records of enforcement activity.', submitted_on: '2026-01-05', received_on: '2026-01-05', ...extra,
  });
  assert.equal(c.status, 201);
  return c.body;
}

before(async () => {
  srv = await startServer({ env: { HAVEN_ATTACHMENT_MAX: String(CAP) } });
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'haven-foia-docs-'));
});
after(async () => { await srv.stop(); srv.cleanup(); rmSync(tmp, { recursive: true, force: true }); });

test('documents with exemptions: stored encrypted, summed in the release summary, downloaded whole, audited', async () => {
  const req = await newRequest();
  let r = await call(s.moia, 'POST', `/api/v1/foia/requests/${req.id}/events`, { type: 'interim_release', date: '2026-02-10' });
  const interim = r.body.events.find((e) => e.type === 'interim_release');
  const v = r.body.version;

  const a = await json(await upload(s.moia, req.id, PDF, {
    version: v, received_on: '2026-02-10', pages: 40, event_id: interim.id,
    withheld_in_full: 6, withheld_in_part: 12,
    exemptions: [{ code: '(b)(6)', withheld_in_full: 2, withheld_in_part: 10 }, { code: '(b)(7)(C)', withheld_in_full: 6, withheld_in_part: 12 }],
  }));
  assert.equal(a.status, 201, JSON.stringify(a.body));
  assert.equal(a.body.version, v + 1, 'the request\'s version moves on');
  assert.equal(a.body.documents.length, 1);
  const d1 = a.body.documents[0];
  assert.equal(d1.file_name, `foia-${req.id}-1.pdf`, 'the name is made, never the uploader\'s');
  assert.equal(d1.event_id, interim.id);
  assert.equal(d1.released_in_full, 22);
  assert.deepEqual(d1.exemptions.map((e) => [e.code, e.withheld_in_full, e.withheld_in_part]), [['(b)(6)', 2, 10], ['(b)(7)(C)', 6, 12]]);
  assert.match(d1.exemptions[1].description, /personal privacy/);
  assert.equal(a.headers.get('location'), `/api/v1/foia/requests/${req.id}/documents/${d1.id}`);

  // a photo with GPS: the document's withheld counts default to its rows' largest
  const photo = path.join(tmp, 'scan.jpg');
  copyFileSync(path.resolve('tests/fixtures/plain.jpg'), photo);
  execFileSync('exiftool', ['-q', '-overwrite_original', '-GPSLatitude=34.05', '-GPSLatitudeRef=N', '-GPSLongitude=118.24',
    '-GPSLongitudeRef=W', '-Make=FoiaTestCam', photo]);
  const original = readFileSync(photo);
  const b = await json(await upload(s.legal, req.id, original, {
    version: v + 1, received_on: '2026-03-02', pages: 3, exemptions: [{ code: '(b)(6)', withheld_in_part: 1 }, { code: '(b)(5)', withheld_in_full: 1 }],
  }, { type: 'image/jpeg', name: 'IMG_0001 Officer Smith.jpg' }));
  assert.equal(b.status, 201, JSON.stringify(b.body));
  const d2 = b.body.documents.find((d) => d.id !== d1.id);
  assert.equal(d2.file_name, `foia-${req.id}-2.jpg`);
  assert.equal(d2.withheld_in_full, 1);
  assert.equal(d2.withheld_in_part, 1);
  assert.equal(d2.event_id, null);
  assert.ok(d2.size < original.length, 'metadata removed');

  // the release summary: pages, released, withheld, each exemption's pages and citations
  assert.deepEqual(b.body.release_summary, {
    documents: 2, pages_received: 43, released_in_full: 23, released_in_part: 13, withheld_in_full: 7,
    exemptions: [
      { code: '(b)(5)', description: b.body.release_summary.exemptions[0].description, withheld_in_full: 1, withheld_in_part: 0, times_cited: 1 },
      { code: '(b)(6)', description: b.body.release_summary.exemptions[1].description, withheld_in_full: 2, withheld_in_part: 11, times_cited: 2 },
      { code: '(b)(7)(C)', description: b.body.release_summary.exemptions[2].description, withheld_in_full: 6, withheld_in_part: 12, times_cited: 1 },
    ],
  });
  assert.match(b.body.release_summary.exemptions[0].description, /deliberative process/);
  const got = await call(s.admin, 'GET', `/api/v1/foia/requests/${req.id}`);
  assert.deepEqual(got.body.release_summary, b.body.release_summary);

  // on disk: random names, encrypted (neither marker nor camera tag readable)
  const names = sql(srv.db, `SELECT storage_name FROM foia_documents WHERE request_id = ${req.id} ORDER BY id`).trim().split('\n').map((x) => x.trim());
  const files = readdirSync(path.join(srv.dir, 'attachments'));
  for (const n of names) {
    assert.match(n, /^[0-9a-f]{32}$/);
    assert.ok(files.includes(n));
    const disk = readFileSync(path.join(srv.dir, 'attachments', n));
    assert.ok(!disk.includes('FOIA-PDF-MARKER-8812') && !disk.includes('FoiaTestCam'), 'encrypted at rest');
  }

  // downloads: whole, as attachments, only for FOIA roles
  const dl = await api(srv, s.legal, 'GET', `/api/v1/foia/requests/${req.id}/documents/${d1.id}`);
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('content-type'), 'application/pdf');
  assert.equal(dl.headers.get('content-disposition'), `attachment; filename="foia-${req.id}-1.pdf"`);
  assert.ok(Buffer.from(await dl.arrayBuffer()).equals(PDF));
  const img = await api(srv, s.moia, 'GET', `/foia/${req.id}/documents/${d2.id}`);
  assert.equal(img.status, 200);
  const bytes = Buffer.from(await img.arrayBuffer());
  assert.ok(!bytes.includes('FoiaTestCam'), 'the camera tag is gone');
  assert.equal(bytes.length, d2.size);
  for (const who of ['liaison', 'staff', 'auditor', 'agent311']) {
    assert.equal((await api(srv, s[who], 'GET', `/api/v1/foia/requests/${req.id}/documents/${d1.id}`)).status, 403, who);
    assert.equal((await upload(s[who], req.id, PDF, { version: 1, received_on: '2026-02-10', pages: 1 })).status, 403, who);
  }
  assert.equal((await api(srv, s.moia, 'GET', `/api/v1/foia/requests/${req.id}/documents/999999`)).status, 404);

  const actions = sql(srv.db, `SELECT action FROM audit_events WHERE object_type = 'foia_request' AND object_id = '${req.id}' ORDER BY seq`).trim().split('\n').map((x) => x.trim());
  assert.deepEqual(actions, ['foia.request.create', 'foia.event.add', 'foia.document.add', 'foia.document.add']);
});

test('a document is refused by field: dates, pages, exemptions, the event, the version, size and type', async () => {
  const req = await newRequest();
  const other = await newRequest();
  const ev = await call(s.moia, 'POST', `/api/v1/foia/requests/${req.id}/events`, { type: 'acknowledged', date: '2026-01-06' });
  const ack = ev.body.events[0].id;
  const v = ev.body.version;
  const ok = { version: v, received_on: '2026-02-10', pages: 10 };
  const cases = [
    [{ ...ok, received_on: '2199-01-01' }, 422, 'document.received_on', /future/],
    [{ ...ok, received_on: '2026-01-02' }, 422, 'document.received_on', /before the request was submitted \(2026-01-05\)/],
    [{ ...ok, received_on: '2026-02-30' }, 400, 'document.received_on', /./],
    [{ ...ok, pages: -1 }, 400, 'document.pages', /./],
    [{ version: v, received_on: '2026-02-10' }, 400, 'document.pages', /./],
    [{ ...ok, withheld_in_full: 8, withheld_in_part: 3 }, 422, 'document.withheld_in_part', /more than the document's 10 pages/],
    [{ ...ok, exemptions: [{ code: '(b)(10)', withheld_in_full: 1 }] }, 422, 'document.exemptions[0].code', /not a FOIA exemption/],
    [{ ...ok, exemptions: [{ code: '(b)(6)', withheld_in_full: 11 }] }, 422, 'document.exemptions[0].withheld_in_full', /more than the document's 10/],
    [{ ...ok, withheld_in_full: 1, exemptions: [{ code: '(b)(6)', withheld_in_full: 2 }] }, 422, 'document.exemptions[0].withheld_in_full', /document has 1 withheld in full/],
    [{ ...ok, exemptions: [{ code: '(b)(6)' }, { code: '(b)(6)' }] }, 422, 'document.exemptions[1].code', /cited twice/],
    [{ ...ok, exemptions: [{ code: '(b)(6)', nationality: 'x' }] }, 400, 'document.exemptions[0].nationality', /./],
    [{ ...ok, event_id: ack }, 422, 'document.event_id', /interim release or the final response/],
    [{ ...ok, version: v - 1 }, 409, 'document.version', /changed this request meanwhile/],
    [{ ...ok, colour: 'red' }, 400, 'document.colour', /./],
  ];
  for (const [doc, status, field, msg] of cases) {
    const r = await json(await upload(s.moia, req.id, PDF, doc));
    assert.equal(r.status, status, `${JSON.stringify(doc)}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.field, field, JSON.stringify(doc));
    assert.match(r.body.error.message, msg);
  }
  // an event of another request is not this one's release
  const oev = await call(s.moia, 'POST', `/api/v1/foia/requests/${other.id}/events`, { type: 'final_response', date: '2026-02-01' });
  const r2 = await json(await upload(s.moia, req.id, PDF, { ...ok, event_id: oev.body.events[0].id }));
  assert.equal(r2.status, 422);
  assert.equal((await json(await upload(s.moia, req.id, PDF, undefined))).body.error.field, 'document');
  assert.equal((await json(await upload(s.moia, req.id, PDF, '{not json'))).status, 400);
  assert.equal((await json(await upload(s.moia, req.id, null, ok))).body.error.field, 'file');
  const text = await json(await upload(s.moia, req.id, Buffer.from('just some text, not a PDF'), ok, { type: 'application/pdf' }));
  assert.equal(text.status, 415);
  const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(CAP + 10, 0x20), Buffer.from('\n%%EOF\n')]);
  const tooBig = await json(await upload(s.moia, req.id, big, ok));
  assert.equal(tooBig.status, 413);
  assert.equal((await json(await upload(s.moia, 999999, PDF, ok))).status, 404);
  assert.equal(sql(srv.db, `SELECT COUNT(*) FROM foia_documents WHERE request_id = ${req.id}`).trim(), '0', 'nothing was stored');
  const now = (await call(s.moia, 'GET', `/api/v1/foia/requests/${req.id}`)).body;
  assert.equal(now.version, v, 'refusals leave the version');
  assert.deepEqual(now.release_summary, { documents: 0, pages_received: 0, released_in_full: 0, released_in_part: 0, withheld_in_full: 0, exemptions: [] });
  // no file is left behind by a refused upload (only the first test's files are on disk)
  const stored = sql(srv.db, 'SELECT COUNT(*) FROM foia_documents').trim();
  const onDisk = readdirSync(path.join(srv.dir, 'attachments')).filter((n) => /^[0-9a-f]{32}$/.test(n)).length;
  assert.equal(String(onDisk), stored);
});

test('the page form adds a document with exemption rows, and answers mistakes beside the form', async () => {
  const req = await newRequest();
  const page = await (await api(srv, s.moia, 'GET', `/foia/${req.id}`)).text();
  assert.match(page, /enctype="multipart\/form-data"/);
  assert.match(page, /name="exemption_code_4"/);
  assert.match(page, /<option value="\(b\)\(7\)\(E\)">/);
  const version = /name="version" value="(\d+)"/.exec(page)[1];
  const fields = { csrf: s.moia.csrf, version, received_on: '2026-02-10', pages: '12', withheld_in_full: '', withheld_in_part: '',
    event_id: '', exemption_code_1: '(b)(6)', exemption_full_1: '2', exemption_part_1: '3', exemption_code_2: '', exemption_full_2: '', exemption_part_2: '',
    exemption_code_3: '', exemption_full_3: '', exemption_part_3: '', exemption_code_4: '', exemption_full_4: '', exemption_part_4: '' }; // every field the form sends (20 parts with the file)
  const bad = await upload(s.moia, req.id, PDF, undefined, { url: `/foia/${req.id}/documents`, fields: { ...fields, exemption_full_1: '13' } });
  assert.equal(bad.status, 422);
  const badHtml = await bad.text();
  assert.match(badHtml, /href="#doc_ex_full_1"/);
  assert.match(badHtml, /more than the document&#39;s 12|more than the document's 12/);
  const words = await upload(s.moia, req.id, PDF, undefined, { url: `/foia/${req.id}/documents`, fields: { ...fields, pages: 'twelve' } });
  assert.equal(words.status, 422);
  assert.match(await words.text(), /href="#doc_pages"/);
  const good = await upload(s.moia, req.id, PDF, undefined, { url: `/foia/${req.id}/documents`, fields });
  assert.equal(good.status, 303);
  assert.equal(good.headers.get('location'), `/foia/${req.id}?added=document#documents`);
  const after = await (await api(srv, s.legal, 'GET', `/foia/${req.id}?added=document`)).text();
  assert.match(after, /The document was added\./);
  assert.match(after, new RegExp(`href="/foia/${req.id}/documents/\\d+" download>foia-${req.id}-1\\.pdf`));
  assert.match(after, /<dt>Pages received<\/dt><dd>12 in 1 documents<\/dd>/);
  assert.match(after, /<dt>Released in full<\/dt><dd>7<\/dd>/);
  assert.match(after, /<th scope="row">\(b\)\(6\)<\/th><td>[^<]+<\/td><td>2<\/td><td>3<\/td><td>1<\/td>/);
  // the version on the form is checked: a stale page does not add twice
  const stale = await upload(s.moia, req.id, PDF, undefined, { url: `/foia/${req.id}/documents`, fields });
  assert.equal(stale.status, 409);
  assert.match(await stale.text(), /changed this request meanwhile/);
});

test('the full record for the City Attorney: JSON and a printable page, same permissions as the request', async () => {
  const req = await newRequest({ expedited_asked: true });
  await call(s.moia, 'POST', `/api/v1/foia/requests/${req.id}/tracking-numbers`, { number: '2026-ICFO-77', reason: 'initial', assigned_on: '2026-01-06' });
  const fr = await call(s.moia, 'POST', `/api/v1/foia/requests/${req.id}/events`, { type: 'final_response', date: '2026-02-20', note: 'Final letter' });
  const up = await json(await upload(s.moia, req.id, PDF, { version: fr.body.version, received_on: '2026-02-20', pages: 5, event_id: fr.body.events[0].id,
    exemptions: [{ code: '(b)(7)(E)', withheld_in_full: 2 }] }));
  assert.equal(up.status, 201);
  const r = await call(s.legal, 'GET', `/api/v1/foia/${req.id}/record`);
  assert.equal(r.status, 200);
  const rec = r.body;
  assert.equal(rec.request.id, req.id);
  assert.equal(rec.request.subject, 'Documents test');
  assert.equal(rec.request.deadlines, undefined, 'each part once, at the top level');
  assert.deepEqual(rec.tracking_numbers, [{ number: '2026-ICFO-77', reason: 'initial', assigned_on: '2026-01-06' }]);
  assert.deepEqual(rec.timeline.map((e) => [e.type, e.date, e.note]), [['final_response', '2026-02-20', 'Final letter']]);
  const det = rec.deadlines.find((d) => d.kind === 'determination');
  assert.equal(det.status, 'met');
  assert.equal(det.explanation.counting_from, '2026-01-06');
  assert.equal(rec.deadlines.find((d) => d.kind === 'appeal_window').due, '2026-06-30'); // counted by Python: 90 working days, Memorial Day and Juneteenth passed over
  assert.equal(rec.documents.length, 1);
  assert.equal(rec.documents[0].download, `/api/v1/foia/requests/${req.id}/documents/${rec.documents[0].id}`);
  assert.equal(rec.documents[0].exemptions[0].code, '(b)(7)(E)');
  assert.equal(rec.release_summary.withheld_in_full, 2);
  assert.deepEqual(rec.audit_trail.map((a) => a.action), ['foia.request.create', 'foia.tracking.add', 'foia.event.add', 'foia.document.add']);
  assert.ok(rec.audit_trail.every((a) => /^[0-9a-f]{64}$/.test(a.hash) && a.at > 0 && a.actor.startsWith('user:')));
  assert.match(rec.generated_at, /^\d{4}-\d\d-\d\dT/);
  assert.ok(!JSON.stringify(rec).includes('FOIA-PDF-MARKER'), 'documents are listed, not embedded');

  const page = await api(srv, s.legal, 'GET', `/foia/${req.id}/record`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<body class="hv-print">/);
  assert.match(html, /FOIA request record for the City Attorney/);
  assert.match(html, /2026-ICFO-77 \(Initial request, 2026-01-06\)/);
  assert.match(html, /<strong>2026-02-20<\/strong>: Final response\. Final letter/);
  assert.match(html, /Determination due/);
  assert.match(html, new RegExp(`foia-${req.id}-1\\.pdf`));
  assert.match(html, /\(b\)\(7\)\(E\): 2 \/ 0/);
  assert.match(html, /foia\.document\.add/);
  assert.doesNotMatch(html, /<script/);
  for (const who of ['liaison', 'staff', 'auditor', 'workgroup']) {
    assert.equal((await api(srv, s[who], 'GET', `/api/v1/foia/${req.id}/record`)).status, 403, who);
    assert.equal((await api(srv, s[who], 'GET', `/foia/${req.id}/record`)).status, 403, who);
  }
  assert.equal((await api(srv, null, 'GET', `/api/v1/foia/${req.id}/record`)).status, 401);
  assert.equal((await api(srv, s.moia, 'GET', '/api/v1/foia/999999/record')).status, 404);
  assert.equal((await api(srv, s.moia, 'GET', '/foia/999999/record')).status, 404);
});
