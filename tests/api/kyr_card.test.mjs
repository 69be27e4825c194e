// Know Your Rights in print: the wallet card (two pages of 3.5 x 2 inches:
// the rights in the resident's language, a statement for agents in
// English) and the letter-size flyer as PDF, checked as a person would:
// rendered to PNG with pdftoppm, the QR code read back with zbarimg, the
// words found with pdftotext, the page size read with pdfinfo. Publishing
// refuses a card text that does not fit. The phone scripts export as plain
// text and SSML for staff who distribute the texts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, demoLogins, signIn, api } from './lib.mjs';

let srv, s, tmp, topic, en, es, fa;
const call = async (who, method, p, body) => (await api(srv, who, method, p, body)).json();
const act = (who, t, action) => api(srv, who, 'POST', `/api/v1/kyr/texts/${t.id}/actions`, { action });
const publish = async (t) => {
  await act(s.moia, t, 'submit');
  await act(s.legal, t, 'approve');
  const r = await (await act(s.moia, t, 'publish')).json();
  assert.equal(r.status, 'published', JSON.stringify(r));
};

const EN_CARD = 'You have the right to remain silent. Do not open the door. Do not sign anything. Ask for a lawyer. Call 311.';
const ES_CARD = 'Tiene derecho a guardar silencio. No abra la puerta. No firme nada. Pida un abogado. Llame al 311.';
const FA_CARD = 'شما حق دارید سکوت کنید. در را باز نکنید. هیچ چیزی را امضا نکنید. وکیل بخواهید.';

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'haven-card-'));
  srv = await startServer();
  const l = demoLogins(srv.dir);
  s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
  topic = await call(s.moia, 'POST', '/api/v1/kyr/topics', { slug: 'card-door', position: 1 });
  en = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, {
    lang: 'en', title: 'If agents come to your door',
    web: '# Do not open the door\n\n- Ask to see a **judicial warrant** signed by a judge.\n- Stay calm.\n\nYou can call 311.',
    sms: 'Do not open the door. Call 311.', phone: 'If agents come to your door, do not open it. Ask them to slide a warrant under the door.', card: EN_CARD,
  });
  await publish(en);
  es = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, {
    lang: 'es', source_id: en.id, title: 'Si los agentes llegan a su puerta',
    web: '# No abra la puerta\n\nPida ver una orden judicial firmada por un juez.',
    sms: 'No abra la puerta. Llame al 311.', phone: 'Si los agentes llegan, no abra la puerta. Para un intérprete, marque 0.', card: ES_CARD,
  });
  await publish(es);
  fa = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, {
    lang: 'fa', source_id: en.id, title: 'اگر مأموران به در خانه آمدند',
    web: '# در را باز نکنید\n\nحکم قضایی امضاشده توسط قاضی را بخواهید.',
    sms: 'در را باز نکنید. با 311 تماس بگیرید.', phone: 'در را باز نکنید. <مهم> & "حکم" را بخواهید.', card: FA_CARD,
  });
  await publish(fa);
});
after(async () => { await srv.stop(); srv.cleanup(); rmSync(tmp, { recursive: true, force: true }); });

async function fetchPdf(p) {
  const r = await fetch(srv.url + p);
  assert.equal(r.status, 200, `${p}: ${r.status}`);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  const buf = Buffer.from(await r.arrayBuffer());
  assert.equal(buf.subarray(0, 5).toString(), '%PDF-');
  const file = path.join(tmp, p.replace(/[^a-z0-9.]+/gi, '_'));
  writeFileSync(file, buf);
  return { r, file };
}

const info = (file) => execFileSync('pdfinfo', [file]).toString();
const words = (file) => execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-']).toString();

// Renders a page to PNG; returns the file.
function png(file, page, dpi = 300) {
  const prefix = `${file}-p${page}`;
  execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', file, prefix]);
  return `${prefix}.png`;
}

function qr(pngFile) {
  const out = execFileSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', pngFile]).toString().trim();
  return out.split('\n');
}

// Share of dark pixels, from pdftoppm's greyscale PGM of the page.
function ink(file, page) {
  const prefix = `${file}-g${page}`;
  execFileSync('pdftoppm', ['-gray', '-r', '72', '-f', String(page), '-l', String(page), '-singlefile', file, prefix]);
  const pgm = readFileSync(`${prefix}.pgm`);
  // P5\n<w> <h>\n255\n then the bytes
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 50).toString('latin1'));
  const [, w, h] = header.map(Number);
  const px = pgm.subarray(pgm.length - w * h);
  let dark = 0;
  for (const v of px) if (v < 128) dark++;
  return dark / px.length;
}

const norm = (t) => t.normalize('NFKC').replace(/\s+/g, ' ');
// pdftotext spaces out joined Arabic letters and adds direction marks:
// compare right-to-left text without spaces and marks.
const bare = (t) => t.normalize('NFKC').replace(/[\s\u200e\u200f\u202a-\u202e.]/g, '');

for (const [lang, cardText, word] of [['en', EN_CARD, 'silent'], ['es', ES_CARD, 'silencio'], ['fa', FA_CARD, 'سکوت']]) {
  test(`the card in ${lang}: two 3.5 x 2 inch pages, the QR code to the page, the words, the statement`, async () => {
    const { r, file } = await fetchPdf(`/kyr/${lang}/card-door/card.pdf`);
    assert.match(r.headers.get('content-disposition'), new RegExp(`^inline; filename="kyr-card-door-${lang}-card\\.pdf"$`));
    const i = info(file);
    assert.match(i, /Pages:\s+2\n/);
    assert.match(i, /Page size:\s+252 x 144 pts/);
    const text = norm(words(file));
    assert.ok(bare(text).includes(bare(word)), `${lang}: "${word}" in ${text}`);
    assert.ok(bare(text).includes(bare(cardText)), `${lang}: the whole card text is drawn`);
    assert.match(text, /I am exercising my right to remain silent/);
    assert.match(text, /v1 · \d{4}-\d{2}-\d{2}/);
    const url = `${srv.url}/kyr/${lang}/card-door`;
    assert.deepEqual(qr(png(file, 2)), [url], 'the QR code reads the page address');
    assert.ok(ink(file, 1) > 0.01, 'side 1 is not blank');
    assert.ok(ink(file, 2) > 0.01, 'side 2 is not blank');
  });
}

test('the flyer in fa and en: a letter page with the text, the QR code and the stamp', async () => {
  for (const [lang, word] of [['en', 'judicial warrant'], ['fa', 'قاضی']]) {
    const { r, file } = await fetchPdf(`/kyr/${lang}/card-door/flyer.pdf`);
    assert.match(r.headers.get('content-disposition'), /flyer\.pdf"$/);
    const i = info(file);
    assert.match(i, /Page size:\s+612 x 792 pts/);
    assert.match(i, /Pages:\s+1\n/);
    const text = norm(words(file));
    assert.ok(bare(text).includes(bare(word)), `${lang}: "${word}" in ${text}`);
    assert.doesNotMatch(text, /\*\*|#/, 'no Markdown syntax printed');
    assert.deepEqual(qr(png(file, 1, 150)), [`${srv.url}/kyr/${lang}/card-door`]);
    assert.ok(ink(file, 1) > 0.005);
  }
});

test('a language without its translation prints the English text; the QR code still goes to that language', async () => {
  const { file } = await fetchPdf('/kyr/ko/card-door/card.pdf');
  assert.ok(norm(words(file)).includes('remain silent'));
  assert.deepEqual(qr(png(file, 2)), [`${srv.url}/kyr/ko/card-door`]);
  const flyer = await fetchPdf('/kyr/ko/card-door/flyer.pdf');
  assert.ok(norm(words(flyer.file)).includes('judicial warrant'));
});

test('prints come from memory, and unknown languages and topics answer 404', async () => {
  const a = await fetch(srv.url + '/kyr/es/card-door/card.pdf');
  const etag = a.headers.get('etag');
  assert.ok(etag);
  const b = await fetch(srv.url + '/kyr/es/card-door/card.pdf', { headers: { 'If-None-Match': etag } });
  assert.equal(b.status, 304);
  assert.equal((await fetch(srv.url + '/kyr/xx/card-door/card.pdf')).status, 404);
  assert.equal((await fetch(srv.url + '/kyr/es/no-such/card.pdf')).status, 404);
  assert.equal((await fetch(srv.url + '/kyr/es/no-such/flyer.pdf')).status, 404);
});

test('the topic page links to its card', async () => {
  const page = await (await fetch(srv.url + '/kyr/es/card-door')).text();
  assert.match(page, /<a href="\/kyr\/es\/card-door\/card\.pdf"[^>]*>Imprimir tarjeta<\/a>/);
});

test('publishing a card text that does not fit is refused with 422, and nothing changes', async () => {
  const long = 'You have the right to remain silent and to speak with a lawyer before you answer any question. '.repeat(9);
  const t = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, {
    lang: 'en', title: 'Too long', web: 'Long.', sms: 'Call 311.', card: long,
  });
  await act(s.moia, t, 'submit');
  await act(s.legal, t, 'approve');
  const r = await act(s.moia, t, 'publish');
  assert.equal(r.status, 422);
  const e = (await r.json()).error;
  assert.equal(e.field, 'card');
  assert.match(e.message, /does not fit the printed card/);
  assert.equal((await call(s.moia, 'GET', `/api/v1/kyr/texts/${t.id}`)).status, 'approved');
  assert.equal((await call(s.moia, 'GET', `/api/v1/kyr/texts/${en.id}`)).status, 'published', 'the published version stays');
  const { file } = await fetchPdf('/kyr/en/card-door/card.pdf');
  assert.ok(norm(words(file)).includes('Do not open the door'));
});

// A strict XML check: xmllint from Debian's libxml2-utils.
function wellFormed(xml) {
  const f = path.join(tmp, `x${Date.now()}.ssml`);
  writeFileSync(f, xml);
  execFileSync('xmllint', ['--noout', '--nonet', f]);
}

test('phone scripts: plain text and SSML per language for staff who distribute', async () => {
  let r = await api(srv, s.agent311, 'GET', '/api/v1/kyr/phone/fa.ssml');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/ssml\+xml/);
  const ssml = await r.text();
  wellFormed(ssml);
  assert.match(ssml, /<speak [^>]*xml:lang="fa"/);
  assert.match(ssml, /&lt;مهم&gt; &amp;/, 'the text is escaped');
  assert.match(ssml, /<mark name="card-door"\/>/);

  r = await api(srv, s.agent311, 'GET', '/api/v1/kyr/phone/es.txt');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; charset=utf-8/);
  const txt = await r.text();
  assert.match(txt, /Si los agentes llegan, no abra la puerta\./);
  assert.equal((txt.match(/marque 0/g) || []).length, 1, 'the text already offers the interpreter: not said twice');
  assert.doesNotMatch(txt, /[<*#]/);

  // Korean has no translation: the English script, marked, with the interpreter line in Korean.
  r = await api(srv, s.agent311, 'GET', '/api/v1/kyr/phone/ko.ssml');
  const ko = await r.text();
  wellFormed(ko);
  assert.match(ko, /<speak [^>]*xml:lang="ko"/);
  assert.match(ko, /<p xml:lang="en"><s>[^<]*do not open it/);
  assert.match(ko, /0번을 누르세요/, 'the interpreter line in Korean');
  r = await api(srv, s.agent311, 'GET', '/api/v1/kyr/phone/ko.txt');
  const kot = await r.text();
  assert.match(kot, /English/);
  assert.match(kot, /0/);

  assert.equal((await api(srv, s.agent311, 'GET', '/api/v1/kyr/phone/xx.txt')).status, 404);
  assert.equal((await api(srv, s.agent311, 'GET', '/api/v1/kyr/phone/es.pdf')).status, 404);
  assert.equal((await api(srv, s.liaison, 'GET', '/api/v1/kyr/phone/es.txt')).status, 403);
  assert.equal((await fetch(srv.url + '/api/v1/kyr/phone/es.txt')).status, 401);
});
