// The demo city's sample Know-Your-Rights content (data/kyr, loaded by
// `haven demo`): the twelve topics published in English and Spanish, three
// of them also in Farsi (right to left), Korean and Traditional Chinese;
// the English fallback with the notice in the resident's language where a
// translation is missing; every text marked as sample text awaiting the City
// Attorney's review; every SMS within three segments; web Markdown without
// raw HTML; and an audit event for every publication.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { startServer, demoLogins, signIn, api, sql, runHaven } from './lib.mjs';

const SLUGS = ['rights-everywhere', 'at-the-door', 'if-they-enter', 'in-public', 'in-a-car', 'at-work',
  'sensitive-places', 'detained', 'finding-a-lawyer', 'family-plan', 'witnessing', 'city-services'];
const EVERY = ['en', 'es'];
const SOME = ['fa', 'ko', 'zh-Hant'];
const SOME_TOPICS = ['rights-everywhere', 'at-the-door', 'city-services'];
const CHANNELS = ['web', 'sms', 'phone', 'card'];
// The first line of every rendition says, in its language, that it is sample text.
const MARK = {
  en: 'Sample text awaiting review by the City Attorney.',
  es: 'Texto de muestra, pendiente de que lo revise el Abogado de la Ciudad.',
  fa: 'متن نمونه، در انتظار بررسی دادستان شهر.',
  ko: '예시 문안: 시 검사장 검토 대기 중.',
  'zh-Hant': '範例文字：待市檢察官審閱。',
};
// The phone script ends by offering an interpreter, in its language.
const INTERPRETER = {
  en: /Press 0 for an interpreter\.$/,
  es: /Marque 0 para hablar con un intérprete\.$/,
  fa: /برای مترجم شفاهی، عدد 0 را فشار دهید\.$/,
  ko: /통역이 필요하시면 0번을 누르세요\.$/,
  'zh-Hant': /如需口譯員，請按 0。$/,
};

let srv, s;
const texts = []; // every published text
before(async () => {
  srv = await startServer();
  const l = demoLogins(srv.dir);
  s = {};
  for (const k of ['agent311', 'moia']) s[k] = await signIn(srv, l[k].email, l[k].password);
  const topics = (await call(s.agent311, 'GET', '/api/v1/kyr/topics')).body.items;
  for (const t of topics) {
    const r = await call(s.agent311, 'GET', `/api/v1/kyr/topics/${t.id}/texts`);
    assert.equal(r.status, 200);
    texts.push(...r.body.items.filter((x) => x.status === 'published'));
  }
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

test('the twelve topics, in order, with an English title', async () => {
  const r = await call(s.agent311, 'GET', '/api/v1/kyr/topics');
  assert.deepEqual(r.body.items.map((t) => t.slug), SLUGS);
  for (const t of r.body.items) assert.ok(t.title, t.slug);
});

test('coverage: every channel published in English and Spanish, and in Farsi, Korean and Chinese where written', async () => {
  const r = await call(s.agent311, 'GET', '/api/v1/kyr/coverage');
  assert.equal(r.status, 200);
  const by = Object.fromEntries(r.body.items.map((t) => [t.slug, t.languages]));
  for (const slug of SLUGS) {
    for (const lang of [...EVERY, ...SOME]) {
      const want = EVERY.includes(lang) || SOME_TOPICS.includes(slug) ? 'published' : 'missing';
      for (const ch of CHANNELS) assert.equal(by[slug][lang][ch], want, `${slug} ${lang} ${ch}`);
    }
  }
  assert.equal(texts.length, SLUGS.length * EVERY.length + SOME_TOPICS.length * SOME.length);
});

test('every published text is sample text awaiting review, on every channel, and translates the published English version', async () => {
  const english = Object.fromEntries(texts.filter((t) => t.lang === 'en').map((t) => [t.topic, t]));
  for (const t of texts) {
    const where = `${t.topic} ${t.lang}`;
    assert.equal(t.sample, true, where);
    for (const ch of CHANNELS) {
      const first = t[ch].split('\n')[0].replace(/^> /, '');
      assert.ok(first.startsWith(MARK[t.lang]), `${where} ${ch}: ${first}`);
    }
    assert.match(t.phone, INTERPRETER[t.lang], where);
    assert.ok([...t.card].length <= 350, `${where}: the card holds ${[...t.card].length} characters`);
    assert.ok(t.sms.endsWith(`https://haven.lacity.org/kyr/${t.lang}/${t.topic}`), `${where}: the SMS links to its page`);
    assert.ok(t.published_at > 0 && t.approved_by !== t.created_by, where);
    if (t.lang === 'en') assert.equal(t.source_id, null);
    else assert.equal(t.source_id, english[t.topic].id, where);
  }
});

test('every SMS fits three segments; Spanish stays in the GSM alphabet, the other scripts go UCS-2', async () => {
  for (const t of texts) {
    const r = await call(s.agent311, 'POST', '/api/v1/kyr/sms-check', { text: t.sms });
    const where = `${t.topic} ${t.lang}: ${JSON.stringify(r.body)}`;
    assert.equal(r.status, 200, where);
    assert.equal(r.body.within_limit, true, where);
    assert.ok(r.body.segments >= 1 && r.body.segments <= 3, where);
    if (['en', 'es'].includes(t.lang)) {
      assert.equal(r.body.encoding, 'gsm7', where);
      assert.deepEqual(r.body.offending, [], where);
    } else {
      assert.equal(r.body.encoding, 'ucs2', where);
      assert.ok(r.body.units <= 201, where);
    }
  }
});

test('the facts every text relies on: the hotlines, judicial warrants, notarios', async () => {
  const en = Object.fromEntries(texts.filter((t) => t.lang === 'en').map((t) => [t.topic, t]));
  assert.match(en['rights-everywhere'].web, /\(888\) 624-4752/);
  assert.match(en['rights-everywhere'].web, /\(800\) 593-8222/);
  assert.match(en['at-the-door'].web, /signed by a judge/);
  assert.match(en['at-the-door'].web, /I-200 or I-205/);
  assert.match(en['in-public'].web, /Am I free to go\?/);
  assert.match(en['finding-a-lawyer'].web, /notario/);
  assert.match(en['witnessing'].web, /record/);
  assert.match(en['city-services'].web, /regardless of immigration status/);
  for (const t of texts) assert.match(t.web, /624-4752|593-8222/, `${t.topic} ${t.lang}: a number to call`);
});

test('web Markdown holds no raw HTML', async () => {
  for (const t of texts) {
    assert.doesNotMatch(t.web, /<\/?[A-Za-z][^>]*>|<!--/, `${t.topic} ${t.lang}`);
    assert.doesNotMatch(t.web, /^# /m, `${t.topic} ${t.lang}: the page shows the title; sections use ##`);
  }
});

test('the public view: Farsi right to left, Korean and Chinese in their script, the English fallback with the notice', async () => {
  let p = await pub('fa', 'rights-everywhere');
  assert.equal(p.status, 200);
  assert.equal(p.body.show, 'text');
  assert.equal(p.body.dir, 'rtl');
  assert.equal(p.body.text.lang, 'fa');
  assert.match(p.body.text.web, /[\u0600-\u06FF]/);
  assert.match(p.body.text.title, /[\u0600-\u06FF]/);

  p = await pub('ko', 'at-the-door');
  assert.equal(p.body.show, 'text');
  assert.equal(p.body.dir, 'ltr');
  assert.match(p.body.text.web, /[\uAC00-\uD7A3]/);
  p = await pub('zh-Hant', 'city-services');
  assert.equal(p.body.show, 'text');
  assert.match(p.body.text.web, /[\u4E00-\u9FFF]/);
  p = await pub('es', 'detained');
  assert.equal(p.body.show, 'text');
  assert.equal(p.body.text.lang, 'es');

  p = await pub('ko', 'detained');
  assert.equal(p.status, 200);
  assert.equal(p.body.show, 'english', 'no Korean text: the English one');
  assert.equal(p.body.lang, 'ko');
  assert.equal(p.body.text.lang, 'en');
  assert.match(p.body.notice, /번역/);
  assert.match(p.body.notice, /311/);
  p = await pub('fa', 'in-a-car');
  assert.equal(p.body.show, 'english');
  assert.equal(p.body.dir, 'rtl', 'the notice keeps the resident language direction');
});

test('the audit log holds every step of every sample text', async () => {
  const count = (action) => Number(sql(srv.db, `SELECT COUNT(*) FROM audit_events WHERE action = '${action}'`).trim());
  assert.equal(count('kyr.topic.create'), SLUGS.length);
  for (const a of ['kyr.text.create', 'kyr.text.submit', 'kyr.text.approve', 'kyr.text.publish']) assert.equal(count(a), texts.length, a);
  const fa = texts.find((t) => t.lang === 'fa' && t.topic === 'at-the-door');
  const actions = sql(srv.db, `SELECT action FROM audit_events WHERE object_type = 'kyr_text' AND object_id = '${fa.id}' ORDER BY seq`).trim().split('\n');
  assert.deepEqual(actions, ['kyr.text.create', 'kyr.text.submit', 'kyr.text.approve', 'kyr.text.publish']);
});

test('the data files: one a topic, named by its slug, with the English master', async () => {
  const files = readdirSync('data/kyr/topics').filter((f) => f.endsWith('.json')).sort();
  assert.deepEqual(files, SLUGS.map((x) => `${x}.json`).sort());
  const meson = readFileSync('meson.build', 'utf8');
  for (const f of files) {
    const d = JSON.parse(readFileSync(`data/kyr/topics/${f}`, 'utf8'));
    assert.equal(`${d.slug}.json`, f);
    assert.equal(d.position, SLUGS.indexOf(d.slug) + 1);
    assert.ok(d.texts.en && d.texts.es, f);
    assert.ok(meson.includes(`'data/kyr/topics/${f}'`), `${f} is embedded by meson.build`);
  }
});

test('running the demo again adds no sample content', async () => {
  const before = sql(srv.db, 'SELECT COUNT(*) FROM kyr_texts').trim();
  const r = await runHaven(['demo', '--data', srv.dir, '--db', srv.db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /already holds a city/);
  assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM kyr_topics').trim(), String(SLUGS.length));
  assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM kyr_texts').trim(), before);
});
