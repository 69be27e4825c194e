// The help directories of the public Know-Your-Rights site: CSV import by
// administrators and MOIA (checked whole, errors by row and column, nothing
// written when a row is bad, idempotent, one audit event), the public JSON
// and pages filtered by language spoken and service, "last verified" and an
// expired accreditation flagged, and the page cache refreshed by an import.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, demoLogins, signIn, api, sql } from './lib.mjs';

let srv, s;

const LEGAL_HEADER = 'id,name,sites,services,languages,cost,doj_recognized,accredited_reps,accreditation_expires,last_verified,phone,website,sample';
const LEGAL = [
  LEGAL_HEADER,
  'persian-aid,Persian Legal Aid,"Westwood; 1 Westwood Blvd, Los Angeles, CA 90024; Tue 10am-4pm | Van Nuys; 2 Sherman Way, Van Nuys, CA 91405; Sat 9am-1pm",affirmative-applications; consultations,fa; en,free,no,0,,2026-09-20,(310) 555-0101,https://persian.example.org,no',
  'detention-project,Detention Defense Project,"Pacoima; 3 Van Nuys Blvd, Pacoima, CA 91331; Mon-Fri 8am-6pm",deportation-defense; Detained-Cases,ES; en,free,yes,2,2020-01-31,2026-11-01,(818) 555-0102,,yes',
  'ktown-center,Koreatown Legal Center,,consultations,ko,low cost,yes,1,2099-12-31,2026-10-01,,https://ktown.example.org,',
].join('\r\n') + '\r\n';
const PROGRAMS = [
  'id,name,department,offers,languages,address,phone,website,sample',
  'familysource-1,FamilySource Center,Community Investment for Families Department,"Tax help, tutoring and parenting classes for every family.",en; es,"2130 E 1st St, Los Angeles, CA 90033",(213) 555-0150,https://fs.example.org,yes',
  'library-nac,New Americans Center,Los Angeles Public Library,Citizenship and English classes.,en; ko; fa,,,,no',
].join('\n') + '\n';

const postCsv = (who, kind, body, ctype = 'text/csv') =>
  api(srv, who, 'POST', `/api/v1/kyr/directory/${kind}`, body, { 'Content-Type': ctype });
const list = async (kind, q = '') => {
  const r = await fetch(`${srv.url}/api/v1/kyr/directory/${kind}${q}`);
  return { status: r.status, body: await r.json() };
};
const page = async (path) => {
  const r = await fetch(srv.url + path);
  return { status: r.status, text: await r.text(), headers: r.headers };
};
const audits = () => Number(sql(srv.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'kyr.directory.import'").trim());

before(async () => {
  srv = await startServer();
  const l = demoLogins(srv.dir);
  s = {};
  for (const k of ['admin', 'moia', 'agent311', 'liaison', 'legal']) s[k] = await signIn(srv, l[k].email, l[k].password);
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('the demo directories are public, marked as samples, and need no sign-in', async () => {
  const legal = await list('legal');
  assert.equal(legal.status, 200);
  assert.equal(legal.body.directory, 'legal');
  assert.ok(legal.body.items.length >= 5);
  assert.ok(legal.body.items.every((e) => e.sample === true && e.last_verified && e.name.includes('(sample)')));
  const programs = await list('programs');
  assert.ok(programs.body.items.length >= 5);
  const p = await page('/kyr/en/legal-help');
  assert.equal(p.status, 200);
  assert.match(p.text, /Sample entry – not verified/);
  assert.equal((await list('nothing')).status, 404);
});

test('a good file replaces the directory, in one transaction with one audit event', async () => {
  const before = audits();
  const r = await postCsv(s.moia, 'legal', LEGAL);
  assert.equal(r.status, 200);
  const b = await r.json();
  assert.equal(b.created, 3);
  assert.equal(b.updated, 0);
  assert.ok(b.removed >= 5, 'the demo entries absent from the file are removed');
  assert.equal(audits(), before + 1);
  const { body } = await list('legal');
  assert.deepEqual(body.items.map((e) => e.id), ['detention-project', 'ktown-center', 'persian-aid']);
  const d = body.items[0];
  assert.deepEqual(d.services, ['deportation-defense', 'detained-cases'], 'codes are matched without regard to case');
  assert.deepEqual(d.languages, ['en', 'es'], 'tags take the site\'s spelling and order');
  assert.equal(d.cost, 'free');
  assert.equal(d.doj_recognized, true);
  assert.equal(d.accredited_reps, 2);
  assert.equal(d.accreditation_expires, '2020-01-31');
  assert.equal(d.accreditation_expired, true);
  assert.equal(d.last_verified, '2026-11-01');
  assert.equal(d.sample, true);
  const k = body.items[1];
  assert.equal(k.cost, 'low-cost');
  assert.equal(k.accreditation_expired, false);
  assert.equal(k.phone, null);
  assert.deepEqual(k.sites, []);
  const p = body.items[2];
  assert.deepEqual(p.sites, [
    { neighbourhood: 'Westwood', address: '1 Westwood Blvd, Los Angeles, CA 90024', hours: 'Tue 10am-4pm' },
    { neighbourhood: 'Van Nuys', address: '2 Sherman Way, Van Nuys, CA 91405', hours: 'Sat 9am-1pm' },
  ]);
  assert.equal(p.accreditation_expires, null);
});

test('re-importing the same file changes nothing', async () => {
  const before = sql(srv.db, 'SELECT id, updated_at FROM kyr_legal_providers ORDER BY id');
  const r = await postCsv(s.admin, 'legal', LEGAL);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { directory: 'legal', created: 0, updated: 0, unchanged: 3, removed: 0 });
  assert.equal(sql(srv.db, 'SELECT id, updated_at FROM kyr_legal_providers ORDER BY id'), before);
  // one changed cell updates that entry only
  const changed = LEGAL.replace('Koreatown Legal Center', 'Koreatown Legal Center West');
  const b = await (await postCsv(s.moia, 'legal', changed)).json();
  assert.equal(b.updated, 1);
  assert.equal(b.unchanged, 2);
  await postCsv(s.moia, 'legal', LEGAL);
});

test('a file with bad rows is refused whole: every problem by row and column, nothing written', async () => {
  const stored = JSON.stringify((await list('legal')).body.items);
  const auditsBefore = audits();
  const bad = [
    LEGAL_HEADER,
    'new-one,A New Provider,,consultations,en,free,,,,2026-01-01,,,',
    'Bad Id,Name,,consultations,en,free,,,,2026-01-01,,,',
    'x2,,,evictions,xx,expensive,maybe,3,,2026-02-30,12,ftp://x,perhaps',
    'x3,Future,,consultations,en,free,no,2,2027-01-01,2999-01-01,,,',
    'x4,Bad site,"Only a neighbourhood",consultations,en,free,,,,2026-01-01,,,',
    'new-one,Twice,,consultations,en,free,,,,2026-01-01,,,',
  ].join('\n');
  const r = await postCsv(s.moia, 'legal', bad);
  assert.equal(r.status, 422);
  const e = (await r.json()).error;
  assert.equal(e.code, 'invalid_file');
  assert.match(e.message, /nothing was saved/);
  const at = (row, column) => e.rows.find((x) => x.row === row && x.column === column);
  assert.match(at(3, 'id').message, /lower-case letters, digits and hyphens/);
  assert.match(at(4, 'name').message, /empty: it is required/);
  assert.match(at(4, 'services').message, /deportation-defense, detained-cases/);
  assert.match(at(4, 'languages').message, /Unknown language 'xx'/);
  assert.match(at(4, 'cost').message, /free or low-cost/);
  assert.match(at(4, 'doj_recognized').message, /yes or no/);
  assert.match(at(4, 'accreditation_expires').message, /expires/);
  assert.match(at(4, 'last_verified').message, /YYYY-MM-DD/);
  assert.match(at(4, 'phone').message, /10 to 15 digits/);
  assert.match(at(4, 'website').message, /https:\/\//);
  assert.match(at(4, 'sample').message, /yes or no/);
  assert.match(at(5, 'last_verified').message, /after today/);
  assert.match(at(5, 'doj_recognized').message, /DOJ-recognized/);
  assert.match(at(6, 'sites').message, /neighbourhood; address; hours/);
  assert.match(at(7, 'id').message, /twice in the file \(also on row 2\)/);
  assert.equal(e.rows.filter((x) => x.row === 2).length, 0, 'the good row has no problem');
  assert.equal(JSON.stringify((await list('legal')).body.items), stored, 'nothing was written');
  assert.equal(audits(), auditsBefore);
  // the header: unknown and missing columns
  const h = await (await postCsv(s.moia, 'legal', 'id,name,colour\nx,y,z\n')).json();
  assert.ok(h.error.rows.some((x) => x.row === 1 && x.column === 'colour' && /Unknown column/.test(x.message)));
  assert.ok(h.error.rows.some((x) => x.row === 1 && x.column === 'last_verified' && /required column/.test(x.message)));
  // not CSV, not UTF-8, empty
  assert.equal((await postCsv(s.moia, 'legal', 'a,"b\n')).status, 422);
  assert.equal((await postCsv(s.moia, 'legal', Buffer.from([0x69, 0x64, 0x0a, 0xff, 0xfe, 0x0a]))).status, 422);
  assert.equal((await postCsv(s.moia, 'legal', LEGAL, 'application/json')).status, 415);
  assert.equal((await postCsv(s.moia, 'legal', LEGAL_HEADER + '\n')).status, 422);
});

test('only administrators and MOIA import; anyone reads', async () => {
  for (const who of ['agent311', 'liaison', 'legal']) {
    const r = await postCsv(s[who], 'legal', LEGAL);
    assert.equal(r.status, 403, who);
    assert.equal((await postCsv(s[who], 'programs', PROGRAMS)).status, 403, who);
  }
  const anon = await fetch(`${srv.url}/api/v1/kyr/directory/legal`, { method: 'POST', headers: { 'Content-Type': 'text/csv', Origin: srv.url }, body: LEGAL });
  assert.equal(anon.status, 401);
  // a signed-in request without the CSRF token is refused
  const noCsrf = await api(srv, { cookie: s.moia.cookie }, 'POST', '/api/v1/kyr/directory/legal', LEGAL, { 'Content-Type': 'text/csv' });
  assert.equal(noCsrf.status, 403);
  assert.equal((await fetch(`${srv.url}/kyr-admin/directory`, { headers: { Cookie: s.agent311.cookie }, redirect: 'manual' })).status, 403);
  const ok = await fetch(`${srv.url}/kyr-admin/directory`, { headers: { Cookie: s.moia.cookie } });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /Legal service providers/);
});

test('filters by language spoken and service, in the API and on the page', async () => {
  const ids = async (q) => (await list('legal', q)).body.items.map((e) => e.id);
  assert.deepEqual(await ids('?lang=fa'), ['persian-aid']);
  assert.deepEqual(await ids('?lang=en'), ['detention-project', 'persian-aid']);
  assert.deepEqual(await ids('?service=detained-cases'), ['detention-project']);
  assert.deepEqual(await ids('?service=consultations&lang=ko'), ['ktown-center']);
  assert.deepEqual(await ids('?service=consultations&lang=es'), []);
  assert.equal((await list('legal', '?lang=xx')).status, 400);
  assert.equal((await list('legal', '?service=evictions')).status, 400);
  assert.equal((await list('programs', '?service=consultations')).status, 400);

  let p = await page('/kyr/es/legal-help?language=fa&service=');
  assert.equal(p.status, 200);
  assert.match(p.text, /<html lang="es" dir="ltr">/);
  assert.match(p.text, /Persian Legal Aid/);
  assert.doesNotMatch(p.text, /Detention Defense Project/);
  assert.match(p.text, /<option value="fa" lang="fa" dir="rtl" selected>فارسی<\/option>/);
  p = await page('/kyr/fa/legal-help?service=detained-cases');
  assert.match(p.text, /<html lang="fa" dir="rtl">/);
  assert.match(p.text, /Detention Defense Project/);
  assert.doesNotMatch(p.text, /Persian Legal Aid/);
  assert.match(p.text, /<h2 lang="en" dir="ltr">Detention Defense Project<\/h2>/, 'the data is marked as English');
  // a value outside the lists: 400 with every provider and a notice, not cached
  p = await page('/kyr/en/legal-help?language=klingon&service=detained-cases');
  assert.equal(p.status, 400);
  assert.match(p.text, /That choice is not in the list/);
  assert.match(p.text, /Persian Legal Aid/);
  assert.equal(p.headers.get('etag'), null);
  p = await page('/kyr/ko/legal-help?language=ko');
  assert.match(p.text, /Koreatown Legal Center/);
  assert.equal((await page('/kyr/xx/legal-help')).status, 404);
});

test('each entry shows when it was last verified, and an expired accreditation is flagged', async () => {
  const p = await page('/kyr/en/legal-help');
  const entry = (id) => p.text.slice(p.text.indexOf(`id="${id}"`), p.text.indexOf('</li>\n', p.text.indexOf(`id="${id}"`)));
  assert.match(entry('detention-project'), /Last verified <time datetime="2026-11-01" dir="ltr">2026-11-01<\/time>/);
  assert.match(entry('detention-project'), /class="kyr-flag">Accreditation expired on <time datetime="2020-01-31"/);
  assert.doesNotMatch(entry('ktown-center'), /kyr-flag/);
  assert.match(entry('ktown-center'), /accredited until <time datetime="2099-12-31"/);
  assert.match(entry('persian-aid'), /Last verified <time datetime="2026-09-20"/);
  const es = await page('/kyr/es/legal-help');
  assert.match(es.text, /La acreditación venció el/);
  assert.match(es.text, /Verificado por última vez/);
});

test('City programs: import, idempotent, public page and the topic list links', async () => {
  let r = await postCsv(s.admin, 'programs', PROGRAMS);
  assert.equal(r.status, 200);
  const b = await r.json();
  assert.equal(b.created, 2);
  r = await postCsv(s.admin, 'programs', PROGRAMS);
  assert.deepEqual(await r.json(), { directory: 'programs', created: 0, updated: 0, unchanged: 2, removed: 0 });
  const { body } = await list('programs', '?lang=fa');
  assert.deepEqual(body.items.map((e) => e.id), ['library-nac']);
  assert.deepEqual(body.items[0].languages, ['en', 'ko', 'fa']);
  assert.equal(body.items[0].address, null);
  const p = await page('/kyr/ko/city-programs');
  assert.equal(p.status, 200);
  assert.match(p.text, /<html lang="ko" dir="ltr">/);
  assert.match(p.text, /누구나 이용할 수 있는 시 프로그램/);
  assert.match(p.text, /FamilySource Center/);
  assert.match(p.text, /href="tel:2135550150"/);
  const topics = await page('/kyr/ko');
  assert.match(topics.text, /href="\/kyr\/ko\/legal-help"/);
  assert.match(topics.text, /href="\/kyr\/ko\/city-programs"/);
  const bad = await postCsv(s.admin, 'programs', 'id,name,department,offers,languages\np1,Name,Dept,,en\n');
  assert.equal(bad.status, 422);
  const e = (await bad.json()).error.rows;
  assert.deepEqual(e, [{ row: 2, column: 'offers', message: 'The offers cell is empty: it is required.' }]);
});

test('an import refreshes the cached pages at once', async () => {
  const first = await page('/kyr/en/city-programs');
  assert.doesNotMatch(first.text, /Youth Center/);
  const again = await page('/kyr/en/city-programs');
  assert.equal(again.headers.get('etag'), first.headers.get('etag'));
  const more = PROGRAMS + 'youth-1,Youth Center,Economic and Workforce Development Department,Career help for young people.,en,,,,no\n';
  assert.equal((await postCsv(s.moia, 'programs', more)).status, 200);
  const after = await page('/kyr/en/city-programs');
  assert.match(after.text, /Youth Center/);
  assert.notEqual(after.headers.get('etag'), first.headers.get('etag'));
});

test('the directories\' page slugs cannot be taken by a topic', async () => {
  for (const slug of ['legal-help', 'city-programs']) {
    const r = await api(srv, s.moia, 'POST', '/api/v1/kyr/topics', { slug, position: 99 });
    assert.equal(r.status, 400, slug);
  }
});
