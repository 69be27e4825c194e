// The Know-Your-Rights web fonts in a real browser on a phone-sized
// viewport: the Amharic and Farsi pages load their script's Noto subset
// from this server (document.fonts says loaded; Chromium's DevTools says the
// text was drawn with it, not with the machine's own Noto), download no
// other font, make no request that leaves 127.0.0.1, and pass axe. The
// language chooser downloads only the small names font, which shapes every
// name as the script's own font does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PHONE, axeViolations, formatViolations, launchBrowser, openPage, problems, startServer,
} from './lib.mjs';

let srv;
let browser;

before(async () => {
  [srv, browser] = await Promise.all([startServer(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  srv?.cleanup();
});

// Opens `path` in a fresh context (an empty cache) on a phone.
async function visit(path, fn) {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  try {
    const url = `${srv.url}${path}`;
    const { page, response, log } = await openPage(context, url);
    assert.equal(response.status(), 200);
    assert.deepEqual(problems(log, srv.url, url), [], 'nothing failed and nothing left 127.0.0.1');
    for (const u of log.requests) assert.equal(new URL(u).hostname, '127.0.0.1', u);
    const fonts = log.requests.filter((u) => u.endsWith('.woff2')).map((u) => u.replace(/.*\//, '')).sort();
    await fn({ page, fonts });
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, `axe on ${path}:\n${formatViolations(violations)}`);
  } finally {
    await context.close();
  }
}

// The fonts Chromium really drew `selector`'s text with.
async function drawnWith(page, selector) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument');
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  assert.ok(nodeId, `${selector} is on the page`);
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  return fonts;
}

const PAGES = [
  { path: '/kyr/am/at-the-door', lang: 'am', dir: 'ltr', family: 'KYR Noto Sans Ethiopic', noto: 'Noto Sans Ethiopic', file: 'Ethi.woff2', text: '.kyr-notice' },
  { path: '/kyr/am', lang: 'am', dir: 'ltr', family: 'KYR Noto Sans Ethiopic', noto: 'Noto Sans Ethiopic', file: 'Ethi.woff2', text: 'h1' },
  { path: '/kyr/fa/at-the-door', lang: 'fa', dir: 'rtl', family: 'KYR Noto Naskh Arabic', noto: 'Noto Naskh Arabic', file: 'Arab.woff2', text: 'article h1' },
  { path: '/kyr/fa', lang: 'fa', dir: 'rtl', family: 'KYR Noto Naskh Arabic', noto: 'Noto Naskh Arabic', file: 'Arab.woff2', text: 'h1' },
];

describe('script fonts on a phone', () => {
  for (const pg of PAGES) {
    test(`${pg.path} draws its ${pg.lang} text with ${pg.file} from this server`, async () => {
      await visit(pg.path, async ({ page, fonts }) => {
        assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]),
          [pg.lang, pg.dir]);
        assert.deepEqual(fonts, [pg.file], 'the page downloads its script font and no other');
        const faces = await page.evaluate(() => [...document.fonts].map((f) => ({ family: f.family.replace(/"/g, ''), status: f.status })));
        assert.deepEqual(faces.filter((f) => f.status === 'loaded').map((f) => f.family), [pg.family],
          'document.fonts: the one web font of the page is loaded');
        assert.ok(await page.evaluate((fam) => document.fonts.check(`16px "${fam}"`), pg.family));
        const used = await drawnWith(page, pg.text);
        assert.ok(used.some((f) => f.isCustomFont && f.familyName === pg.noto),
          `${pg.text} is drawn with the web font: ${JSON.stringify(used)}`);
        assert.ok(!used.some((f) => !f.isCustomFont && f.familyName === pg.noto),
          'not with the copy of the font this machine happens to have');
      });
    });
  }

  test('the chooser downloads only the small names font and shapes each name as the full font does', async () => {
    await visit('/kyr?choose=1', async ({ page, fonts }) => {
      assert.deepEqual(fonts, ['names.woff2'], 'one small font for all the names, no script font');
      const NAMES = [['am', 'KYR Noto Sans Ethiopic'], ['fa', 'KYR Noto Naskh Arabic'], ['ur', 'KYR Noto Naskh Arabic'],
        ['km', 'KYR Noto Sans Khmer'], ['hy', 'KYR Noto Sans Armenian'], ['hi', 'KYR Noto Sans Devanagari'],
        ['pa', 'KYR Noto Sans Gurmukhi'], ['th', 'KYR Noto Sans Thai'], ['he', 'KYR Noto Sans Hebrew'], ['ar', 'KYR Noto Naskh Arabic']];
      for (const [tag, full] of NAMES) {
        const used = await drawnWith(page, `.kyr-languages a[lang="${tag}"]`);
        assert.deepEqual(used.map((f) => [f.familyName, f.isCustomFont]), [['KYR Noto Names', true]],
          `${tag}'s name is drawn with the names font alone`);
        // Joining, conjuncts and stacked consonants survive the merge: the
        // name is as wide in the names font as in the script's full font.
        const [merged, alone] = await page.evaluate(async ([t, family]) => {
          const a = document.querySelector(`.kyr-languages a[lang="${t}"]`);
          const copy = document.createElement('span');
          copy.lang = t;
          copy.setAttribute('aria-hidden', 'true');
          copy.textContent = a.textContent;
          copy.style.fontFamily = `"${family}"`;
          copy.style.fontSize = getComputedStyle(a).fontSize;
          document.body.append(copy);
          await document.fonts.load(`${copy.style.fontSize} "${family}"`, a.textContent);
          const width = (el) => { const r = document.createRange(); r.selectNodeContents(el); return r.getBoundingClientRect().width; };
          const out = [width(a), width(copy)];
          copy.remove();
          return out;
        }, [tag, full]);
        assert.ok(merged > 10, `${tag}: the name has a width`);
        assert.ok(Math.abs(merged - alone) < 0.5, `${tag}: ${merged}px in the names font, ${alone}px in ${full}`);
      }
    });
  });
});
