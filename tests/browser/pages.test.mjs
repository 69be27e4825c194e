// Browser tests: every page renders in the site design, loads nothing from
// other origins, logs no errors, passes axe-core at WCAG 2.1 A/AA on a desktop
// and a phone, works without JavaScript and can be used from the keyboard.
//
// Run: HAVEN_BIN=build/haven node --test --test-concurrency=1 tests/browser/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, axeViolations, formatViolations, launchBrowser, openPage, problems, startServer,
} from './lib.mjs';

// Every page the site has. A new page is one line: its path, the HTTP status
// it answers with, its <h1>, and a piece of text from its main content.
const PAGES = [
  { path: '/', status: 200, h1: 'Haven', text: 'Departments registered' },
  { path: '/no-such-page', status: 404, h1: 'Not Found', text: 'Go to the Haven home page' },
  { path: '/no/such/deep/page?x=1', status: 404, h1: 'Not Found', text: 'Go to the Haven home page' },
  { path: '/static/0000/no-such-file.css', status: 404, h1: 'Not Found', text: 'There is no such file.' },
  { path: '/calendars/working-days', status: 200, h1: 'Working-day calculator', text: 'as FOIA deadlines are counted' },
  { path: '/calendars/working-days?calendar=los-angeles&from=2026-11-25&days=20', status: 200, h1: 'Working-day calculator', text: 'Day after Thanksgiving' },
  { path: '/calendars/working-days?calendar=federal&from=2026-02-30&days=ten', status: 400, h1: 'Working-day calculator', text: 'Enter a whole number of working days' },
  { path: '/consultations', status: 200, h1: 'Community consultations', text: 'Consultations held' },
];

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

// A fresh context (own cache and cookies) for each check.
async function withContext(options, fn) {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  try {
    return await fn(context);
  } finally {
    await context.close();
  }
}

function assertClean(log, url) {
  const p = problems(log, srv.url, url);
  assert.deepEqual(p, [], `problems loading ${url}:\n  ${p.join('\n  ')}`);
}

for (const pg of PAGES) {
  describe(`page ${pg.path}`, () => {
    test('renders in the site design without errors or third-party requests', async () => {
      await withContext({}, async (context) => {
        const url = srv.url + pg.path;
        const { page, response, log } = await openPage(context, url, { expectStatus: pg.status });
        assert.equal(response.status(), pg.status);
        assert.match(response.headers()['content-type'], /^text\/html/);
        assert.equal(await page.locator('h1').count(), 1, 'exactly one <h1>');
        assert.equal((await page.locator('h1').innerText()).trim(), pg.h1);
        assert.ok((await page.title()).length > 0, 'has a <title>');
        assert.equal(await page.locator('html').getAttribute('lang'), 'en');
        await page.locator('main#main-content').getByText(pg.text).first().waitFor({ state: 'visible' });
        assert.ok(await page.locator('header.usa-header').isVisible(), 'site header');
        assert.ok(await page.locator('footer.usa-footer').isVisible(), 'site footer');
        // uswds-init hides parts of the page until uswds.min.js has run.
        assert.equal(await page.evaluate(() => document.documentElement.classList.contains('usa-js-loading')), false,
          'USWDS JavaScript finished loading');
        assertClean(log, url);
      });
    });

    for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      test(`no axe WCAG 2.1 A/AA violations (${label} ${viewport.width}x${viewport.height})`, async () => {
        await withContext({ viewport, isMobile: label === 'phone', hasTouch: label === 'phone' }, async (context) => {
          const { page } = await openPage(context, srv.url + pg.path, { expectStatus: pg.status });
          const v = await axeViolations(page);
          assert.equal(v.length, 0, `axe violations on ${pg.path} (${label}):\n${formatViolations(v)}`);
          // Nothing wider than the screen (WCAG 1.4.10 reflow).
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(width <= viewport.width, `page is ${width}px wide on a ${viewport.width}px screen`);
        });
      });
    }

    test('works without JavaScript', async () => {
      await withContext({ javaScriptEnabled: false }, async (context) => {
        const url = srv.url + pg.path;
        const { page, response, log } = await openPage(context, url, { expectStatus: pg.status });
        assert.equal(response.status(), pg.status);
        const h1 = page.locator('h1');
        await h1.waitFor({ state: 'visible' });
        assert.equal((await h1.innerText()).trim(), pg.h1);
        assert.ok(await page.locator('main#main-content').getByText(pg.text).first().isVisible());
        // The heading is really on screen (not pushed away or hidden by styles).
        const box = await h1.boundingBox();
        assert.ok(box && box.width > 0 && box.height > 0 && box.y < DESKTOP.height, `h1 box ${JSON.stringify(box)}`);
        assertClean(log, url);
      });
    });
  });
}

describe('site-wide', () => {
  test('first Tab focuses "Skip to main content" and activating it moves to #main-content', async () => {
    for (const javaScriptEnabled of [true, false]) {
      await withContext({ javaScriptEnabled, viewport: PHONE }, async (context) => {
        const { page } = await openPage(context, srv.url + '/');
        await page.keyboard.press('Tab');
        const first = await page.evaluate(() => {
          const a = document.activeElement;
          return { tag: a.tagName, text: a.textContent.trim(), href: a.getAttribute('href') };
        });
        assert.deepEqual(first, { tag: 'A', text: 'Skip to main content', href: '#main-content' }, `js=${javaScriptEnabled}`);
        // When focused, the link slides on screen (USWDS hides it above the top otherwise).
        const onScreen = () => page.evaluate(() => {
          const r = document.activeElement.getBoundingClientRect();
          return { top: r.top, bottom: r.bottom, height: r.height, vh: innerHeight };
        });
        let box = await onScreen();
        for (let i = 0; i < 20 && !(box.top >= 0 && box.height > 0 && box.bottom <= box.vh); i++) {
          await page.waitForTimeout(50);
          box = await onScreen();
        }
        assert.ok(box.top >= 0 && box.height > 0 && box.bottom <= box.vh,
          `skip link on screen when focused (js=${javaScriptEnabled}): ${JSON.stringify(box)}`);
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => location.hash === '#main-content');
        if (javaScriptEnabled) {
          // USWDS's skipnav script moves focus onto <main>.
          await page.waitForFunction(() => document.activeElement?.id === 'main-content');
        }
        // Either way the next Tab lands inside the main content, not the header.
        await page.keyboard.press('Tab');
        const inMain = await page.evaluate(() => !!document.activeElement?.closest('#main-content'));
        assert.ok(inMain, `Tab after skip link goes into #main-content (js=${javaScriptEnabled})`);
      });
    }
  });

  test('the demo banner is visible in demo mode', async () => {
    await withContext({}, async (context) => {
      const { page } = await openPage(context, srv.url + '/');
      const banner = page.getByRole('region', { name: 'Demonstration notice' });
      assert.ok(await banner.isVisible(), 'demo banner visible');
      assert.match(await banner.innerText(), /demonstration city with sample data/);
      // It comes before the header, so every visitor meets it first.
      const order = await page.evaluate(() => {
        const b = document.querySelector('.usa-site-alert');
        const h = document.querySelector('.usa-header');
        return b.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING;
      });
      assert.ok(order, 'banner precedes the header');
    });
  });

  test('no demo banner when the city is not a demo', async () => {
    const plain = await startServer({ demo: false });
    try {
      const context = await browser.newContext({ viewport: DESKTOP });
      try {
        const { page, log } = await openPage(context, plain.url + '/');
        assert.equal((await page.locator('h1').innerText()).trim(), 'Haven');
        assert.equal(await page.locator('.usa-site-alert').count(), 0);
        assert.equal(await page.getByText('demonstration city').count(), 0);
        const p = problems(log, plain.url, plain.url + '/');
        assert.deepEqual(p, [], p.join('\n'));
      } finally {
        await context.close();
      }
    } finally {
      await plain.stop();
      plain.cleanup();
    }
  });

  test('static assets load (200, then 304 or cache) and the USWDS styles apply', async () => {
    await withContext({}, async (context) => {
      const { page, log } = await openPage(context, srv.url + '/');
      const statics = log.responses.filter((r) => new URL(r.url).pathname.startsWith('/static/'));
      const paths = statics.map((r) => new URL(r.url).pathname.replace(/^\/static\/[^/]+\//, ''));
      for (const want of ['uswds/css/uswds.min.css', 'app.css', 'uswds/js/uswds-init.min.js', 'uswds/js/uswds.min.js']) {
        assert.ok(paths.includes(want), `requested ${want}; got ${paths.join(', ')}`);
      }
      for (const r of statics) assert.ok(r.status === 200 || r.status === 304, `${r.status} ${r.url}`);

      const styles = await page.evaluate(() => {
        const cs = (sel) => getComputedStyle(document.querySelector(sel));
        return {
          bodyFont: cs('body').fontFamily,
          skipnavPosition: cs('.usa-skipnav').position,
          containerMaxWidth: cs('.grid-container').maxWidth,
          footerTextMaxWidth: cs('.hv-footer-text').maxWidth,
          fontLoaded: document.fonts.check('16px "Source Sans Pro Web"'),
          sheets: [...document.styleSheets].map((s) => { try { return s.cssRules.length; } catch { return -1; } }),
        };
      });
      assert.match(styles.bodyFont, /Source Sans Pro Web/, 'USWDS font stack on body');
      assert.equal(styles.skipnavPosition, 'absolute', 'USWDS .usa-skipnav style');
      assert.equal(styles.containerMaxWidth, '1024px', 'USWDS .grid-container (64rem)');
      assert.equal(styles.footerTextMaxWidth, '1024px', 'app.css .hv-footer-text (64rem)');
      assert.ok(styles.fontLoaded, 'USWDS web font loaded');
      assert.ok(styles.sheets.every((n) => n > 0), `stylesheets parsed: ${styles.sheets}`);

      // A second visit revalidates (304) or uses the cache; it never fails.
      const again = [];
      page.on('response', (r) => again.push({ url: r.url(), status: r.status() }));
      await page.reload({ waitUntil: 'load' });
      for (const r of again.filter((x) => new URL(x.url).pathname.startsWith('/static/'))) {
        assert.ok(r.status === 200 || r.status === 304, `${r.status} ${r.url} on reload`);
      }

      // Asset responses are long-cached and typed.
      const css = await page.request.get(statics.find((r) => r.url.endsWith('/uswds.min.css')).url);
      assert.equal(css.status(), 200);
      assert.match(css.headers()['content-type'], /^text\/css/);
      assert.match(css.headers()['cache-control'], /immutable/);
    });
  });

  test('home page screenshot at phone size', async () => {
    await withContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 1 }, async (context) => {
      const { page } = await openPage(context, srv.url + '/');
      await page.screenshot({ path: process.env.HAVEN_SCREENSHOT || '/tmp/haven-home-phone.png', fullPage: true });
    });
  });

  test('the server saw no Content-Security-Policy violation reports from the pages above', () => {
    const csp = srv.logLines().filter((l) => l.msg === 'csp violation' || l.route === '/api/v1/csp-report');
    assert.deepEqual(csp, []);
  });

  test('the Content-Security-Policy blocks inline script and other origins, and reports reach the server', async () => {
    await withContext({}, async (context) => {
      const { page, log } = await openPage(context, srv.url + '/');
      const reports = [];
      page.on('response', (r) => { if (r.url().endsWith('/api/v1/csp-report')) reports.push(r.status()); });
      const ran = await page.evaluate(async () => {
        const s = document.createElement('script');
        s.textContent = 'window.hvInline = 1';
        document.body.append(s);
        const img = new Image();
        img.src = 'https://example.invalid/x.png';
        document.body.append(img);
        await new Promise((r) => { img.onerror = r; setTimeout(r, 1000); });
        return window.hvInline === 1;
      });
      assert.equal(ran, false, 'inline script must not run');
      assert.equal(log.console.filter((c) => /Content Security Policy/.test(c)).length, 2, log.console.join('\n'));
      for (let i = 0; i < 40 && reports.length < 2; i++) await page.waitForTimeout(50);
      assert.deepEqual(reports, [204, 204]);
      const logged = srv.logLines().filter((l) => l.msg === 'csp violation').map((l) => `${l.directive} ${l.blocked}`);
      assert.ok(logged.some((l) => /^script-src.* inline$/.test(l)), logged.join('; '));
      assert.ok(logged.some((l) => l === 'img-src https://example.invalid'), logged.join('; '));
    });
  });
});
