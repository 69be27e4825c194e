// Web fonts of the public Know-Your-Rights site (tools/kyr_fonts.py): for
// every language of the kyr_languages table whose script phones often lack,
// the topic page preloads a same-origin font that kyr.css declares for that
// language (@font-face with unicode-range and font-display: swap, first in
// the language's :lang() stack); the font is served as font/woff2 with an
// ETag, 304 and a year's immutable caching; and its cmap (read with
// fontTools) and its unicode-range cover every character of the language's
// script in its interface strings (data/kyr/ui.json), its notice and the
// page as served. The language chooser's names have their own small font
// that covers them. Latin, Cyrillic and CJK pages download no font. The
// fonts and rules served are exactly what a fresh build makes (reproducible,
// and the build cache serves nothing stale).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, demoLogins, signIn, api } from './lib.mjs';

// Scripts that get a web font, by ISO 15924 code, with their Unicode
// Script_Extensions name. Every other script must get none.
const WEBFONT = {
  Arab: 'Arabic', Armn: 'Armenian', Deva: 'Devanagari', Ethi: 'Ethiopic',
  Guru: 'Gurmukhi', Hebr: 'Hebrew', Khmr: 'Khmer', Thai: 'Thai',
};
const TOPIC = 'at-the-door'; // published in English by haven demo
const UI = JSON.parse(readFileSync(new URL('../../data/kyr/ui.json', import.meta.url), 'utf8'));

let srv, langs, tmp, faces, css;
const fonts = new Map(); // url -> { size, cmap }

before(async () => {
  srv = await startServer();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'haven-fonts-'));
  const who = Object.values(demoLogins(srv.dir))[0];
  const s = await signIn(srv, who.email, who.password);
  const r = await api(srv, s, 'GET', '/api/v1/kyr/languages');
  assert.equal(r.status, 200);
  langs = (await r.json()).items;
  assert.equal(langs.length, 20, 'the twenty languages of the migration');
  ({ faces, css } = await stylesheet(await (await get('/kyr')).text()));
  assert.equal(faces.length, 9, 'eight script fonts and the names font');
  await loadFonts(faces);
});
after(async () => {
  await srv.stop();
  srv.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

const get = (p, headers = {}) => fetch(`${srv.url}${p}`, { headers });

// The stylesheet as served: @font-face rules by URL and family, and the
// font-family of each rule by selector.
async function stylesheet(html) {
  const href = html.match(/<link rel="stylesheet" href="([^"]+)">/)[1];
  assert.match(href, /^\/static\/[0-9a-f]{12}\/kyr\.css$/, 'a same-origin stylesheet');
  const css = await (await get(href)).text();
  assert.ok(css.length < 12 * 1024, `kyr.css stays small (${css.length} bytes)`);
  const base = href.replace(/kyr\.css$/, '');
  assert.doesNotMatch(css, /url\((?!kyr\/fonts\/)/, 'every url() is one of our own fonts');
  assert.doesNotMatch(css, /@import|https?:|\/\//, 'nothing from elsewhere');
  const faces = [];
  for (const m of css.matchAll(/@font-face\{([^}]*)\}/g)) {
    const body = m[1];
    const face = {
      family: body.match(/font-family:"([^"]+)"/)[1],
      url: base + body.match(/src:url\(([^)]+)\) format\("woff2"\)/)[1],
      display: body.match(/font-display:([a-z]+)/)?.[1],
      ranges: body.match(/unicode-range:([^;}]+)/)[1].split(',').map((r) => {
        const [a, b] = r.replace('U+', '').split('-').map((h) => parseInt(h, 16));
        return [a, b ?? a];
      }),
      bytes: null,
    };
    assert.equal(face.display, 'swap', `${face.family}: text shows at once in a system font`);
    faces.push(face);
  }
  const stacks = new Map();
  for (const m of css.matchAll(/([^{}]+)\{font-family:([^}]+)\}/g)) {
    for (const sel of m[1].split(',')) stacks.set(sel.trim(), m[2]);
  }
  return { faces, stacks, css };
}

const firstFamily = (stack) => stack.match(/^"([^"]+)"/)?.[1];
const inRanges = (ranges, cp) => ranges.some(([a, b]) => cp >= a && cp <= b);

// Fetches every font the stylesheet declares, checks how each is served,
// and reads all their cmaps with fontTools in one run of python.
async function loadFonts(faces) {
  const files = [];
  for (const face of faces) {
    const r = await get(face.url);
    assert.equal(r.status, 200, face.url);
    assert.equal(r.headers.get('content-type'), 'font/woff2', face.url);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable', face.url);
    assert.equal(r.headers.get('content-encoding'), null, 'WOFF2 is compressed already');
    const etag = r.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{16}"$/);
    const bytes = Buffer.from(await r.arrayBuffer());
    face.bytes = bytes;
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'wOF2', `${face.url} is a WOFF2 file`);
    assert.equal((await get(face.url, { 'If-None-Match': etag })).status, 304);
    const file = path.join(tmp, `${files.length}.woff2`);
    writeFileSync(file, bytes);
    files.push(file);
    fonts.set(face.url, { size: bytes.length });
  }
  const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c',
    'import json, sys\nfrom fontTools.ttLib import TTFont\n'
    + 'print(json.dumps([sorted(TTFont(f).getBestCmap()) for f in sys.argv[1:]]))', ...files]));
  faces.forEach((face, i) => { fonts.get(face.url).cmap = new Set(out[i]); });
}

function servedFont(url) {
  assert.ok(fonts.has(url), `${url} is declared by kyr.css`);
  return fonts.get(url);
}

// The characters of `text` in `script` (by Script_Extensions, so the
// danda Punjabi borrows from Devanagari counts), plus ZWNJ and ZWJ.
function scriptChars(text, script) {
  const re = new RegExp(`[\\p{scx=${script}}\\u200c\\u200d]`, 'u');
  return [...new Set([...text].filter((c) => re.test(c) && !/[\s\d]/.test(c)))];
}

function assertCovers(face, font, chars, what) {
  const missing = chars.filter((c) => !font.cmap.has(c.codePointAt(0)));
  assert.deepEqual(missing, [], `${face.family} lacks glyphs for ${what}`);
  const outside = chars.filter((c) => !inRanges(face.ranges, c.codePointAt(0)));
  assert.deepEqual(outside, [], `the unicode-range of ${face.family} leaves out characters of ${what}`);
}

test('every language whose script phones lack preloads a served font that covers its text', async () => {
  const needing = langs.filter((l) => WEBFONT[l.script]);
  assert.deepEqual(needing.map((l) => l.tag).sort(),
    ['am', 'ar', 'fa', 'he', 'hi', 'hy', 'km', 'pa', 'th', 'ur']);
  for (const l of needing) {
    const r = await get(`/kyr/${l.tag}/${TOPIC}`);
    assert.equal(r.status, 200);
    const html = await r.text();
    const pre = html.match(/<link rel="preload" href="([^"]+)" as="font" type="font\/woff2" crossorigin>/);
    assert.ok(pre, `/kyr/${l.tag}/${TOPIC} preloads its font`);
    assert.match(pre[1], /^\/static\/[0-9a-f]{12}\/kyr\/fonts\/[A-Za-z]{4}\.woff2$/, 'same origin');
    const { faces, stacks } = await stylesheet(html);
    const family = firstFamily(stacks.get(`:lang(${l.tag})`) || '');
    const face = faces.find((f) => f.family === family);
    assert.ok(face, `kyr.css puts a web font first for :lang(${l.tag})`);
    assert.equal(face.url, pre[1], 'the preload is the font the stylesheet uses');
    const font = servedFont(face.url);
    assert.ok(font.size < 64 * 1024, `${face.url} is a subset (${font.size} bytes)`);

    const script = WEBFONT[l.script];
    const ui = scriptChars(Object.values(UI[l.tag]).join(' '), script);
    assert.ok(ui.length >= 10, `${l.tag}: ui.json has ${script} text to check`);
    assertCovers(face, font, ui, `the ${l.tag} interface strings`);
    assertCovers(face, font, scriptChars(l.notice + l.name, script), `the ${l.tag} notice and name`);
    assertCovers(face, font, scriptChars(html, script), `the /kyr/${l.tag}/${TOPIC} page`);
  }
});

test('the Farsi sample text is covered by the Naskh font, joiners and all', async () => {
  const html = await (await get(`/kyr/fa/${TOPIC}`)).text();
  assert.match(html, /<article class="kyr-text" lang="fa" dir="rtl">/, 'the demo has a Farsi text');
  const { faces, stacks } = await stylesheet(html);
  const face = faces.find((f) => f.family === firstFamily(stacks.get(':lang(fa)')));
  assert.equal(face.family, 'KYR Noto Naskh Arabic');
  const text = html.match(/<article[^>]*>([\s\S]*?)<\/article>/)[1];
  const chars = scriptChars(text, 'Arabic');
  assert.ok(chars.length > 20);
  assertCovers(face, servedFont(face.url), chars, 'the Farsi sample text');
});

test('the chooser names every language in a font that has its letters', async () => {
  const html = await (await get('/kyr', { 'Accept-Language': 'en' })).text();
  const { faces, stacks } = await stylesheet(html);
  assert.doesNotMatch(html, /rel="preload"/, 'an English chooser preloads nothing');
  let checked = 0;
  for (const l of langs.filter((x) => WEBFONT[x.script])) {
    const m = html.match(new RegExp(`<a href="/kyr/choose/${l.tag}" lang="${l.tag}"[^>]*>([^<]+)</a>`));
    assert.equal(m?.[1], l.name, `the chooser lists ${l.tag} by its own name`);
    const family = firstFamily(stacks.get(`.kyr-languages :lang(${l.tag})`) || '');
    const face = faces.find((f) => f.family === family);
    assert.equal(face?.family, 'KYR Noto Names', `the names font draws ${l.tag}'s name`);
    const font = servedFont(face.url);
    assert.ok(font.size < 16 * 1024, `${face.url} holds only the names (${font.size} bytes)`);
    assertCovers(face, font, scriptChars(l.name, WEBFONT[l.script]), `the name ${l.name}`);
    checked++;
  }
  assert.equal(checked, 10);
});

test('Latin, Cyrillic and CJK pages download no font; CJK pages get a regional stack', async () => {
  const others = langs.filter((l) => !WEBFONT[l.script]);
  assert.deepEqual(others.map((l) => l.tag).sort(),
    ['en', 'es', 'ja', 'ko', 'ru', 'tl', 'uk', 'vi', 'zh-Hans', 'zh-Hant']);
  for (const l of others) {
    const html = await (await get(`/kyr/${l.tag}/${TOPIC}`)).text();
    assert.doesNotMatch(html, /rel="preload"/, `/kyr/${l.tag} preloads no font`);
    const { stacks } = await stylesheet(html);
    const stack = stacks.get(`:lang(${l.tag})`);
    const cjk = { ko: 'Noto Sans CJK KR', ja: 'Noto Sans CJK JP', 'zh-Hant': 'Noto Sans CJK TC', 'zh-Hans': 'Noto Sans CJK SC' }[l.tag];
    if (cjk) {
      assert.ok(stack.includes(`"${cjk}"`), `:lang(${l.tag}) names the ${cjk} glyphs`);
      assert.doesNotMatch(stack, /"KYR /, 'no CJK web font');
      for (const other of ['KR', 'JP', 'TC', 'SC'].filter((r) => !cjk.endsWith(r))) {
        assert.ok(!stack.includes(`CJK ${other}"`), `:lang(${l.tag}) never draws with the ${other} glyphs`);
      }
    } else {
      assert.equal(stack, undefined, `${l.tag} keeps the default stack`);
    }
  }
});

test('a fresh build without the cache makes the same bytes the server sends', () => {
  const out = mkdtempSync(path.join(tmp, 'build-'));
  writeFileSync(path.join(out, 'kyr.css'), '');
  execFileSync('/usr/bin/python3', ['tools/kyr_fonts.py', '--no-cache', '--out', out, '--css', path.join(out, 'kyr.css')],
    { cwd: new URL('../..', import.meta.url) });
  const rules = readFileSync(path.join(out, 'kyr.css'), 'utf8');
  assert.ok(css.endsWith(rules), 'the served kyr.css ends with the rules the build makes');
  for (const face of faces) {
    const file = path.join(out, face.url.replace(/^\/static\/[0-9a-f]+\//, ''));
    assert.ok(readFileSync(file).equals(face.bytes), `${face.url} is what the build makes`);
  }
});
