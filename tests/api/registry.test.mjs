// The City registry: API paging and search, create and update, object-level
// isolation between two departments' liaisons (another department's record
// answers 404), audit of every change, and CSV imports (all rows or none,
// errors by row and column, re-import changes nothing).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startServer, demoLogins, signIn, api, sql, runHaven } from './lib.mjs';

let srv, s;
before(async () => {
  srv = await startServer();
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
});
after(async () => { await srv.stop(); srv.cleanup(); });

const json = async (res) => ({ status: res.status, body: await res.json().catch(() => null) });
const deptId = (code) => Number(sql(srv.db, `SELECT id FROM departments WHERE code = '${code}'`).trim());

test('departments: paging, search, one department with its liaisons', async () => {
  let r = await json(await api(srv, s.agent311, 'GET', '/api/v1/departments?per_page=10&page=2'));
  assert.equal(r.status, 200);
  assert.equal(r.body.items.length, 10);
  assert.equal(r.body.total, 30);
  assert.equal(r.body.page, 2);
  r = await json(await api(srv, s.agent311, 'GET', '/api/v1/departments?q=libr'));
  assert.deepEqual(r.body.items.map((d) => d.code), ['LAPL']);
  r = await json(await api(srv, s.agent311, 'GET', '/api/v1/departments?q=%25'));
  assert.equal(r.body.total, 0, 'LIKE wildcards in the search are literal');
  r = await json(await api(srv, s.auditor, 'GET', `/api/v1/departments/${deptId('LAPL')}`));
  assert.equal(r.status, 200);
  assert.equal(r.body.name, 'Public Library');
  assert.equal(r.body.liaisons[0].email, 'liaison.library@demo.lacity.org');
  assert.equal((await api(srv, s.auditor, 'GET', '/api/v1/departments/999999')).status, 404);
  assert.equal((await api(srv, s.agent311, 'GET', '/api/v1/departments?page=0')).status, 400);
});

test('departments: created and updated by MOIA, refused to a liaison, validated, audited', async () => {
  let r = await json(await api(srv, s.moia, 'POST', '/api/v1/departments', { code: 'CIVIC', name: 'Civic Test Department', contact_email: 'civic@lacity.org' }));
  assert.equal(r.status, 201);
  const id = r.body.id;
  r = await json(await api(srv, s.moia, 'POST', '/api/v1/departments', { code: 'CIVIC', name: 'Again' }));
  assert.equal(r.status, 409);
  r = await json(await api(srv, s.moia, 'POST', '/api/v1/departments', { code: 'C!', name: 'Bad code' }));
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'code');
  r = await json(await api(srv, s.moia, 'PATCH', `/api/v1/departments/${id}`, { contact_phone: 'call me' }));
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'contact_phone');
  r = await json(await api(srv, s.moia, 'PATCH', `/api/v1/departments/${id}`, { contact_phone: '(213) 555-0100' }));
  assert.equal(r.status, 200);
  assert.equal(r.body.contact_phone, '(213) 555-0100');
  assert.equal(r.body.contact_email, 'civic@lacity.org', 'fields not sent are kept');
  assert.equal((await api(srv, s.liaison, 'PATCH', `/api/v1/departments/${id}`, { name: 'Mine now' })).status, 403);
  const actions = sql(srv.db, `SELECT action FROM audit_events WHERE object_type = 'department' AND object_id = '${id}' ORDER BY seq`).trim().split('\n');
  assert.deepEqual(actions, ['department.create', 'department.update']);
});

test('facilities: a liaison works on their own department only; another department answers 404', async () => {
  const lib = deptId('LAPL'), parks = deptId('RAP');
  const facility = { department_id: lib, name: 'Test Branch Library', address: '1 Test Way, Los Angeles, CA 90012', kind: 'library', latitude: '34.05', longitude: '-118.25', areas: [{ name: 'Reading room', public: true }, { name: 'Staff room', public: false }] };
  let r = await json(await api(srv, s.liaison, 'POST', '/api/v1/facilities', facility));
  assert.equal(r.status, 201);
  assert.equal(r.body.latitude, '34.050000');
  assert.deepEqual(r.body.areas, facility.areas);
  const mine = r.body.id;
  // The other department's liaison can read it (the registry is shared) but not change it.
  r = await json(await api(srv, s.liaison2, 'GET', `/api/v1/facilities/${mine}`));
  assert.equal(r.status, 200);
  r = await json(await api(srv, s.liaison2, 'PATCH', `/api/v1/facilities/${mine}`, { name: 'Taken over' }));
  assert.equal(r.status, 404);
  r = await json(await api(srv, s.liaison2, 'POST', '/api/v1/facilities', { ...facility, name: 'Sneaky', department_id: lib }));
  assert.equal(r.status, 404);
  // Nor move one of theirs into someone else's department.
  const parkFacility = Number(sql(srv.db, `SELECT id FROM facilities WHERE department_id = ${parks} ORDER BY id LIMIT 1`).trim());
  r = await json(await api(srv, s.liaison2, 'PATCH', `/api/v1/facilities/${parkFacility}`, { department_id: lib }));
  assert.equal(r.status, 404);
  r = await json(await api(srv, s.liaison, 'PATCH', `/api/v1/facilities/${mine}`, { areas: [{ name: 'Reading room', public: true }] }));
  assert.equal(r.status, 200);
  assert.equal(r.body.areas.length, 1);
  r = await json(await api(srv, s.moia, 'PATCH', `/api/v1/facilities/${mine}`, { kind: 'office' }));
  assert.equal(r.status, 200, 'MOIA is citywide');
  assert.equal(sql(srv.db, `SELECT name FROM facilities WHERE id = ${mine}`).trim(), 'Test Branch Library');
  r = await json(await api(srv, s.liaison, 'PATCH', `/api/v1/facilities/${mine}`, { latitude: '95' }));
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'latitude');
  r = await json(await api(srv, s.liaison, 'PATCH', `/api/v1/facilities/${mine}`, { kind: 'castle' }));
  assert.equal(r.status, 400);
  r = await json(await api(srv, s.liaison, 'PATCH', `/api/v1/facilities/${mine}`, { areas: [{ name: 'x', public: 'yes' }] }));
  assert.equal(r.status, 400);
  assert.equal((await api(srv, s.agent311, 'PATCH', `/api/v1/facilities/${mine}`, { kind: 'park' })).status, 403);
  r = await json(await api(srv, s.agent311, 'GET', `/api/v1/facilities?department_id=${lib}`));
  assert.ok(r.body.items.some((f) => f.id === mine));
  const n = sql(srv.db, `SELECT COUNT(*) FROM audit_events WHERE object_type = 'facility' AND object_id = '${mine}'`).trim();
  assert.equal(n, '3', 'create and two updates audited; refusals changed nothing');
});

test('the facility pages: a liaison sees the edit form only for their own department', async () => {
  const lib = deptId('LAPL');
  const libFacility = Number(sql(srv.db, `SELECT id FROM facilities WHERE department_id = ${lib} ORDER BY id LIMIT 1`).trim());
  let html = await (await api(srv, s.liaison, 'GET', `/registry/facilities/${libFacility}`)).text();
  assert.match(html, /Save facility/);
  html = await (await api(srv, s.liaison2, 'GET', `/registry/facilities/${libFacility}`)).text();
  assert.doesNotMatch(html, /Save facility/);
  assert.match(html, /non-public \(entry needs a judicial warrant\)/);
  const res = await api(srv, s.liaison2, 'POST', `/registry/facilities/${libFacility}`,
    `csrf=${s.liaison2.csrf}&department_id=${lib}&name=X&address=Somewhere%20long&kind=office`,
    { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(res.status, 404);
});

async function upload(session, kind, csv) {
  const form = new FormData();
  form.append('csrf', session.csrf);
  form.append('kind', kind);
  form.append('file', new Blob([csv], { type: 'text/csv' }), `${kind}.csv`);
  return fetch(srv.url + '/admin/import', { method: 'POST', body: form, headers: { Cookie: session.cookie, Origin: srv.url } });
}

test('CSV import page: validated whole, errors by row and column, nothing written on error, idempotent, audited', async () => {
  const before = sql(srv.db, 'SELECT COUNT(*) FROM facilities').trim();
  const bad = 'department_code,name,address,kind,latitude,longitude,areas\n' +
    'LAPL,Good Row Library,10 Good St Los Angeles,library,34.1,-118.2,Lobby:public\n' +
    'NOPE,Bad Department,10 Bad St Los Angeles,library,,,\n' +
    'LAPL,Bad Kind,10 Bad St Los Angeles,castle,,,\n' +
    'LAPL,Bad Coords,10 Bad St Los Angeles,library,91,0,\n';
  let res = await upload(s.admin, 'facilities', bad);
  assert.equal(res.status, 422);
  let html = await res.text();
  assert.match(html, /<td>3<\/td><td>department_code<\/td><td>No department has this code\.<\/td>/);
  assert.match(html, /<td>4<\/td><td>kind<\/td>/);
  assert.match(html, /<td>5<\/td><td>latitude<\/td>/);
  assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM facilities').trim(), before, 'nothing written');
  const good = 'department_code,name,address,kind,latitude,longitude,areas\n' +
    'LAPL,"Imported Branch, East",10 Good St Los Angeles,library,34.1,-118.2,"Lobby:public; Back office:non-public"\n' +
    'RAP,Imported Park,11 Good St Los Angeles,park,,,\n';
  res = await upload(s.admin, 'facilities', good);
  assert.equal(res.status, 200);
  html = await res.text();
  assert.match(html, /2 created, 0 updated, 0 unchanged/);
  res = await upload(s.admin, 'facilities', good);
  assert.match(await res.text(), /0 created, 0 updated, 2 unchanged/);
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM facility_areas a JOIN facilities f ON f.id = a.facility_id WHERE f.name = 'Imported Branch, East'").trim(), '2');
  const imports = sql(srv.db, "SELECT COUNT(*) FROM audit_events WHERE action = 'import.apply'").trim();
  assert.equal(imports, '2');
  // Without the CSRF token the upload is refused.
  const form = new FormData();
  form.append('kind', 'facilities');
  form.append('file', new Blob([good]), 'f.csv');
  res = await fetch(srv.url + '/admin/import', { method: 'POST', body: form, headers: { Cookie: s.admin.cookie, Origin: srv.url } });
  assert.equal(res.status, 403);
  assert.equal((await upload(s.moia, 'facilities', good)).status, 403, 'imports are for administrators');
});

test('CSV import of users gives one-time passwords; of departments sets liaisons; malformed CSV is refused', async () => {
  let res = await upload(s.admin, 'users', 'email,name,roles,department_code\nImported.Person@LACity.org,Imported Person,liaison;auditor,LAPL\n');
  assert.equal(res.status, 200);
  const html = await res.text();
  const pw = /imported\.person@lacity\.org<\/td><td><code class="hv-secret">([^<]+)</.exec(html)[1];
  const signin = await signIn(srv, 'imported.person@lacity.org', pw);
  assert.equal(signin.status, 200);
  assert.equal(signin.body.must_change_password, true);
  res = await upload(s.admin, 'departments', 'code,name,liaison_email,backup_liaison_email\nLAPL,Public Library,liaison.library@demo.lacity.org,imported.person@lacity.org\n');
  assert.match(await res.text(), /0 created, 1 updated, 0 unchanged/);
  const d = await (await api(srv, s.moia, 'GET', `/api/v1/departments/${deptId('LAPL')}`)).json();
  assert.deepEqual(d.liaisons.map((l) => [l.email, l.backup]), [['liaison.library@demo.lacity.org', false], ['imported.person@lacity.org', true]]);
  res = await upload(s.admin, 'departments', 'code,name\n"LAPL,Public Library\n');
  assert.equal(res.status, 422);
  assert.match(await res.text(), /not valid CSV/);
});

test('haven import on the command line: all or nothing, errors by row and column', async () => {
  const file = `${srv.dir}/depts.csv`;
  writeFileSync(file, 'code,name,contact_email\nTESTA,Test A,a@lacity.org\nbad code,,nope\n');
  let r = await runHaven(['import', 'departments', file, '--data', srv.dir, '--db', srv.db]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /row 3, column name: The name is missing\./);
  assert.match(r.stderr, /row 3, column contact_email/);
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM departments WHERE code = 'TESTA'").trim(), '0');
  writeFileSync(file, 'code,name,contact_email\nTESTA,Test A,a@lacity.org\n');
  r = await runHaven(['import', 'departments', file, '--data', srv.dir, '--db', srv.db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1 created, 0 updated, 0 unchanged/);
  r = await runHaven(['import', 'departments', file, '--data', srv.dir, '--db', srv.db]);
  assert.match(r.stdout, /0 created, 0 updated, 1 unchanged/);
});
