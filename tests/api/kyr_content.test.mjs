// Know Your Rights content and its workflow, on the real server and
// database: topics, English masters and translations with versions, the
// two-person rule (only legal approves; nobody approves their own draft),
// publication superseding the previous version, stale translations (the
// public sees the current English text with a notice in its language,
// never the stale translation), retraction from every channel at once, the
// SMS budget at publication, coverage, and an audit event for every step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, demoLogins, signIn, api, sql } from './lib.mjs';

let srv, s;
before(async () => {
  srv = await startServer();
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
});
after(async () => { await srv.stop(); srv.cleanup(); });

const call = async (who, method, path, body) => {
  const res = await api(srv, who, method, path, body);
  return { status: res.status, body: await res.json().catch(() => null) };
};
const pub = async (lang, slug) => {
  const res = await fetch(`${srv.url}/api/v1/kyr/public/${lang}/${slug}`);
  return { status: res.status, body: await res.json().catch(() => null) };
};
const act = (who, id, action, note) => call(who, 'POST', `/api/v1/kyr/texts/${id}/actions`, note ? { action, note } : { action });
const english = { lang: 'en', title: 'At the door', web: '# At the door\n\nDo not open the door.', sms: 'You have rights. Do not open the door. Call 311.', phone: 'Do not open the door.', card: 'Do not open the door.' };

async function publishFlow(id, author = s.moia) {
  assert.equal((await act(author, id, 'submit')).status, 200);
  assert.equal((await act(s.legal, id, 'approve')).status, 200);
  const r = await act(s.moia, id, 'publish');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'published');
  return r.body;
}

test('languages: BCP 47 tags, names in their own script, right-to-left marked', async () => {
  const r = await call(s.agent311, 'GET', '/api/v1/kyr/languages');
  assert.equal(r.status, 200);
  const by = Object.fromEntries(r.body.items.map((l) => [l.tag, l]));
  for (const tag of ['en', 'es', 'ko', 'zh-Hant', 'zh-Hans', 'hy', 'tl', 'fa', 'ru', 'vi', 'ar', 'he', 'ur']) assert.ok(by[tag], tag);
  assert.equal(by.ko.name, '한국어');
  assert.equal(by.fa.dir, 'rtl');
  assert.equal(by.ur.dir, 'rtl');
  assert.equal(by.es.dir, 'ltr');
  assert.equal(by.ja.tier, 2);
  assert.match(by.es.notice, /311/);
});

test('topics: editors create them with a stable slug; others may not', async () => {
  let r = await call(s.liaison, 'POST', '/api/v1/kyr/topics', { slug: 'liaison-topic', position: 1 });
  assert.equal(r.status, 403);
  r = await call(s.agent311, 'POST', '/api/v1/kyr/topics', { slug: 'agent-topic', position: 1 });
  assert.equal(r.status, 403);
  r = await call(s.moia, 'POST', '/api/v1/kyr/topics', { slug: 'Bad Slug', position: 1 });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'slug');
  r = await call(s.moia, 'POST', '/api/v1/kyr/topics', { slug: 'topics-test', position: 50 });
  assert.equal(r.status, 201);
  r = await call(s.moia, 'POST', '/api/v1/kyr/topics', { slug: 'topics-test', position: 51 });
  assert.equal(r.status, 409);
  r = await call(s.agent311, 'GET', '/api/v1/kyr/topics');
  assert.ok(r.body.items.some((t) => t.slug === 'topics-test'));
});

test('workflow: draft, legal review, approval by another person, publication; translations and staleness', async () => {
  const topic = (await call(s.moia, 'POST', '/api/v1/kyr/topics', { slug: 'at-the-door-test', position: 2 })).body;
  assert.equal((await pub('en', 'at-the-door-test')).status, 404, 'nothing published yet');

  // English v1 by MOIA.
  let r = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, english);
  assert.equal(r.status, 201);
  const v1 = r.body;
  assert.equal(v1.version, 1);
  assert.equal(v1.status, 'draft');
  assert.equal((await act(s.legal, v1.id, 'approve')).status, 409, 'a draft is not in review');
  assert.equal((await act(s.moia, v1.id, 'submit')).status, 200);
  r = await act(s.moia, v1.id, 'approve');
  assert.equal(r.status, 403, 'MOIA does not approve legal content');
  r = await act(s.legal, v1.id, 'return');
  assert.equal(r.status, 400, 'returning needs a note');
  r = await act(s.legal, v1.id, 'return', 'Say "judicial warrant" explicitly.');
  assert.equal(r.body.status, 'draft');
  r = await call(s.moia, 'PATCH', `/api/v1/kyr/texts/${v1.id}`, { ...english, lang: undefined, web: '# At the door\n\nDo not open without a judicial warrant.', expect_updated: r.body.updated_at });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.match(r.body.web, /judicial warrant/);
  const stale = await call(s.moia, 'PATCH', `/api/v1/kyr/texts/${v1.id}`, { title: 'x', web: 'y', expect_updated: v1.updated_at });
  assert.equal(stale.status, 409, 'an edit based on an old copy is refused');
  await publishFlow(v1.id);
  r = await call(s.moia, 'PATCH', `/api/v1/kyr/texts/${v1.id}`, { title: 'x', web: 'y', expect_updated: 1 });
  assert.equal(r.status, 409, 'a published text is never edited in place');

  let p = await pub('en', 'at-the-door-test');
  assert.equal(p.status, 200);
  assert.equal(p.body.show, 'text');
  assert.equal(p.body.text.version, 1);

  // Spanish, tied to v1.
  r = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, { ...english, lang: 'es', title: 'En la puerta', web: 'No abra la puerta.' });
  assert.equal(r.status, 422, 'a translation names its English version');
  assert.equal(r.body.error.field, 'source_id');
  r = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, { ...english, lang: 'xx', source_id: v1.id });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'lang');
  r = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, { ...english, lang: 'es', title: 'En la puerta', web: 'No abra la puerta sin una orden judicial.', sms: 'Tiene derechos. No abra la puerta. Llame al 311.', source_id: v1.id });
  assert.equal(r.status, 201);
  const es1 = r.body;
  assert.equal(es1.source_version, 1);
  await publishFlow(es1.id);
  p = await pub('es', 'at-the-door-test');
  assert.equal(p.body.show, 'text');
  assert.equal(p.body.text.lang, 'es');
  assert.equal(p.body.dir, 'ltr');
  p = await pub('ko', 'at-the-door-test');
  assert.equal(p.body.show, 'english', 'no Korean yet: the English text with the notice');
  assert.match(p.body.notice, /번역/);

  // A Spanish v2 prepared from v1 and approved, but English v2 is published first.
  r = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, { ...english, lang: 'es', title: 'En la puerta (2)', web: 'Texto 2.', source_id: v1.id });
  const es2 = r.body;
  assert.equal(es2.version, 2);
  assert.equal((await act(s.moia, es2.id, 'submit')).status, 200);
  assert.equal((await act(s.legal, es2.id, 'approve')).status, 200);

  r = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, { ...english, title: 'At the door (2)', web: 'Version two.' });
  const v2 = r.body;
  assert.equal(v2.version, 2);
  await publishFlow(v2.id);
  r = await call(s.agent311, 'GET', `/api/v1/kyr/texts/${v1.id}`);
  assert.equal(r.body.status, 'superseded');
  assert.ok(r.body.ended_at > 0);

  p = await pub('es', 'at-the-door-test');
  assert.equal(p.body.show, 'english', 'the Spanish text is stale: never shown');
  assert.equal(p.body.text.version, 2);
  assert.equal(p.body.text.lang, 'en');
  assert.match(p.body.notice, /traducción/);
  p = await pub('fa', 'at-the-door-test');
  assert.equal(p.body.dir, 'rtl', 'the notice page keeps the resident language direction');

  r = await act(s.moia, es2.id, 'publish');
  assert.equal(r.status, 409, 'a translation of the old master cannot be published');
  assert.match(r.body.error.message, /English/);

  const cov = (await call(s.agent311, 'GET', '/api/v1/kyr/coverage')).body.items.find((t) => t.slug === 'at-the-door-test');
  assert.equal(cov.languages.en.web, 'published');
  assert.equal(cov.languages.es.web, 'stale');
  assert.equal(cov.languages.ko.web, 'missing');

  // Retraction: off every language at once.
  assert.equal((await act(s.agent311, v2.id, 'retract')).status, 403);
  r = await act(s.legal, v2.id, 'retract', 'A court ruling changed this.');
  assert.equal(r.body.status, 'retracted');
  assert.equal((await pub('en', 'at-the-door-test')).status, 404);
  assert.equal((await pub('es', 'at-the-door-test')).status, 404);
  assert.equal((await pub('ko', 'at-the-door-test')).status, 404);

  const actions = sql(srv.db, `SELECT action FROM audit_events WHERE object_type = 'kyr_text' AND object_id = '${v2.id}' ORDER BY seq`).trim().split('\n');
  assert.deepEqual(actions, ['kyr.text.create', 'kyr.text.submit', 'kyr.text.approve', 'kyr.text.publish', 'kyr.text.retract']);
});

test('two-person rule: the legal author cannot approve their own draft', async () => {
  const topic = (await call(s.moia, 'POST', '/api/v1/kyr/topics', { slug: 'own-draft-test', position: 3 })).body;
  const t = (await call(s.legal, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, english)).body;
  assert.equal((await act(s.legal, t.id, 'submit')).status, 200);
  const r = await act(s.legal, t.id, 'approve');
  assert.equal(r.status, 422);
  assert.match(r.body.error.message, /own/);
  assert.equal((await call(s.agent311, 'GET', `/api/v1/kyr/texts/${t.id}`)).body.status, 'review');
});

test('publication refuses an SMS text beyond three segments and says why', async () => {
  const topic = (await call(s.moia, 'POST', '/api/v1/kyr/topics', { slug: 'sms-budget-test', position: 4 })).body;
  const t = (await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, { ...english, sms: 'Usted tiene derechos aquí. '.repeat(8) })).body;
  assert.equal((await act(s.moia, t.id, 'submit')).status, 200);
  assert.equal((await act(s.legal, t.id, 'approve')).status, 200);
  const r = await act(s.moia, t.id, 'publish');
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'sms');
  assert.equal(r.body.error.detail.encoding, 'ucs2');
  assert.deepEqual(r.body.error.detail.offending, ['í']);
  assert.ok(r.body.error.detail.segments > 3);
  assert.equal((await call(s.agent311, 'GET', `/api/v1/kyr/texts/${t.id}`)).body.status, 'approved', 'nothing changed');
});

test('content API: bad bodies, unknown ids, read access for every staff role', async () => {
  let r = await call(s.moia, 'POST', '/api/v1/kyr/topics/999999/texts', english);
  assert.equal(r.status, 404);
  r = await call(s.moia, 'POST', '/api/v1/kyr/texts/999999/actions', { action: 'submit' });
  assert.equal(r.status, 404);
  r = await call(s.moia, 'POST', '/api/v1/kyr/texts/1/actions', { action: 'delete' });
  assert.equal(r.status, 400);
  r = await call(s.moia, 'POST', '/api/v1/kyr/topics/1/texts', { ...english, title: '' });
  assert.equal(r.status, 400);
  r = await call(s.moia, 'POST', '/api/v1/kyr/topics/1/texts', { ...english, nationality: 'x' });
  assert.equal(r.status, 400);
  r = await call(s.auditor, 'GET', '/api/v1/kyr/texts/999999');
  assert.equal(r.status, 404);
  for (const role of ['auditor', 'agent311', 'liaison', 'workgroup', 'staff']) {
    assert.equal((await call(s[role], 'GET', '/api/v1/kyr/coverage')).status, 200, role);
    assert.equal((await call(s[role], 'POST', '/api/v1/kyr/topics/1/texts', english)).status, 403, role);
  }
  assert.equal((await fetch(srv.url + '/api/v1/kyr/topics')).status, 401);
});
