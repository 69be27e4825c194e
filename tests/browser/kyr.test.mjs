// Browser tests of the public Know-Your-Rights site in English, Spanish,
// Farsi (right to left) and Korean: axe WCAG 2.1 A/AA on every page in every
// language on a desktop and a phone, no horizontal scrolling, correct lang
// and dir (the Farsi page really lays out right to left), no JavaScript
// needed, no third-party requests, and the skip link first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, axeViolations, formatViolations, launchBrowser, openPage, problems, startServer,
} from './lib.mjs';
import { demoLogins, signIn, api } from '../api/lib.mjs';

let srv;
let browser;

async function content() {
  const l = demoLogins(srv.dir);
  const s = {};
  for (const [k, v] of Object.entries(l)) s[k] = await signIn(srv, v.email, v.password);
  const call = async (who, method, path, body) => (await api(srv, who, method, path, body)).json();
  const publish = async (t) => {
    await call(s.moia, 'POST', `/api/v1/kyr/texts/${t.id}/actions`, { action: 'submit' });
    await call(s.legal, 'POST', `/api/v1/kyr/texts/${t.id}/actions`, { action: 'approve' });
    const r = await call(s.moia, 'POST', `/api/v1/kyr/texts/${t.id}/actions`, { action: 'publish' });
    assert.equal(r.status, 'published', JSON.stringify(r));
  };
  const topic = await call(s.moia, 'POST', '/api/v1/kyr/topics', { slug: 'browser-rights', position: 1 });
  const en = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, {
    lang: 'en', title: 'Your rights everywhere',
    web: '## You have the right to remain silent\n\nYou do not have to answer questions.\n\n- Do not sign anything without a lawyer.\n- Ask: "Am I free to go?"',
    sms: 'You have the right to remain silent. Call 311.' });
  await publish(en);
  const tr = {
    es: ['Sus derechos en todas partes', '## Tiene derecho a guardar silencio\n\nNo tiene que contestar preguntas.\n\n- No firme nada sin un abogado.'],
    fa: ['حقوق شما در همه جا', '## شما حق دارید سکوت کنید\n\nلازم نیست به سؤالات پاسخ دهید.\n\n- بدون وکیل چیزی را امضا نکنید.'],
  };
  for (const [lang, [title, web]] of Object.entries(tr)) {
    const t = await call(s.moia, 'POST', `/api/v1/kyr/topics/${topic.id}/texts`, { lang, source_id: en.id, title, web, sms: 'Llame al 311.' });
    await publish(t);
  }
}

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launchBrowser()]);
  await content();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  srv?.cleanup();
});

async function withContext(options, fn) {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  try {
    return await fn(context);
  } finally {
    await context.close();
  }
}

// Korean has no translation of the topic: the English text with the notice.
const PAGES = [
  { path: '/kyr', headers: { 'Accept-Language': 'en-US' }, lang: 'en', dir: 'ltr', h1: 'Choose your language' },
  { path: '/kyr', headers: { 'Accept-Language': 'ko-KR' }, lang: 'ko', dir: 'ltr', h1: '언어를 선택하십시오' },
  { path: '/kyr/en', lang: 'en', dir: 'ltr', h1: 'Know your rights' },
  { path: '/kyr/es', lang: 'es', dir: 'ltr', h1: 'Conozca sus derechos' },
  { path: '/kyr/fa', lang: 'fa', dir: 'rtl', h1: 'حقوق خود را بدانید' },
  { path: '/kyr/ko', lang: 'ko', dir: 'ltr', h1: '당신의 권리를 아십시오' },
  { path: '/kyr/en/browser-rights', lang: 'en', dir: 'ltr', h1: 'Your rights everywhere' },
  { path: '/kyr/es/browser-rights', lang: 'es', dir: 'ltr', h1: 'Sus derechos en todas partes' },
  { path: '/kyr/fa/browser-rights', lang: 'fa', dir: 'rtl', h1: 'حقوق شما در همه جا' },
  { path: '/kyr/ko/browser-rights', lang: 'ko', dir: 'ltr', h1: 'Your rights everywhere', notice: '번역' },
];

for (const pg of PAGES) {
  const name = `${pg.path}${pg.headers ? ` (${pg.headers['Accept-Language']})` : ''}`;
  describe(`public page ${name}`, () => {
    for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      test(`lang, dir, no axe violations, fits the screen (${label})`, async () => {
        await withContext({ viewport, isMobile: label === 'phone', hasTouch: label === 'phone', extraHTTPHeaders: pg.headers || {} }, async (context) => {
          const url = srv.url + pg.path;
          const { page, response, log } = await openPage(context, url);
          assert.equal(response.status(), 200);
          assert.equal(await page.locator('html').getAttribute('lang'), pg.lang);
          assert.equal(await page.locator('html').getAttribute('dir'), pg.dir);
          assert.equal(await page.evaluate(() => getComputedStyle(document.body).direction), pg.dir);
          assert.equal((await page.locator('h1').innerText()).trim(), pg.h1);
          if (pg.notice) assert.match(await page.locator('.kyr-notice').innerText(), new RegExp(pg.notice));
          const v = await axeViolations(page);
          assert.equal(v.length, 0, `axe violations on ${name} (${label}):\n${formatViolations(v)}`);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(width <= viewport.width, `page is ${width}px wide on a ${viewport.width}px screen`);
          const p = problems(log, srv.url, url);
          assert.deepEqual(p, [], p.join('\n'));
          assert.equal(log.requests.filter((u) => u.endsWith('.js')).length, 0, 'no script is loaded');
        });
      });
    }
  });
}

describe('public site without JavaScript and by keyboard', () => {
  test('choosing Farsi and reading a topic works without JavaScript; the page mirrors', async () => {
    await withContext({ javaScriptEnabled: false, viewport: PHONE, isMobile: true, hasTouch: true }, async (context) => {
      const { page } = await openPage(context, srv.url + '/kyr');
      await page.locator('a[hreflang="fa"]').first().click();
      await page.waitForURL(/\/kyr\/fa$/);
      const cookies = await context.cookies();
      assert.deepEqual(cookies.map((c) => [c.name, c.value]), [['kyr_lang', 'fa']], 'only the language is remembered');
      await page.locator('a[href="/kyr/fa/browser-rights"]').click();
      await page.waitForURL(/\/kyr\/fa\/browser-rights$/);
      // Right to left: the heading starts at the right edge of the page.
      const box = await page.locator('h1').boundingBox();
      const textRight = await page.evaluate(() => {
        const r = document.createRange();
        r.selectNodeContents(document.querySelector('h1'));
        return r.getBoundingClientRect().right;
      });
      assert.ok(textRight > box.x + box.width - 2, 'the Farsi heading is set from the right');
      // Next visit to /kyr goes straight to Farsi.
      await page.goto(srv.url + '/kyr');
      assert.match(page.url(), /\/kyr\/fa$/);
    });
  });

  test('the first Tab focuses the skip link, in the page language', async () => {
    await withContext({ viewport: PHONE }, async (context) => {
      const { page } = await openPage(context, srv.url + '/kyr/es/browser-rights');
      await page.keyboard.press('Tab');
      const first = await page.evaluate(() => ({ text: document.activeElement.textContent.trim(), href: document.activeElement.getAttribute('href') }));
      assert.deepEqual(first, { text: 'Saltar al contenido principal', href: '#main' });
    });
  });
});
