// Browser tests of the Know-Your-Rights help directories: the legal help
// and City programs pages in English, Spanish, Farsi (right to left) and
// Korean on a phone, with axe WCAG 2.1 A/AA, no horizontal scrolling, no
// JavaScript and no third-party requests; the filter form used without
// JavaScript; the entries mirrored right to left; and the staff import page
// showing a refused file's problems by row, then importing a good file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DESKTOP, PHONE, axeViolations, formatViolations, launchBrowser, openPage, problems, startServer,
  submitForm, watchPage, flowProblems,
} from './lib.mjs';
import { demoLogins } from '../api/lib.mjs';

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

async function withContext(options, fn) {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, ...options });
  try {
    return await fn(context);
  } finally {
    await context.close();
  }
}

const PAGES = [
  { lang: 'en', dir: 'ltr', legal: 'Free and low-cost legal help', programs: 'City programs open to everyone', verified: 'Last verified', expired: 'Accreditation expired on' },
  { lang: 'es', dir: 'ltr', legal: 'Ayuda legal gratuita y de bajo costo', programs: 'Programas de la Ciudad abiertos a todos', verified: 'Verificado por última vez', expired: 'La acreditación venció el' },
  { lang: 'fa', dir: 'rtl', legal: 'کمک حقوقی رایگان و کم‌هزینه', programs: 'برنامه‌های شهر برای همه', verified: 'آخرین بررسی', expired: 'اعتبار منقضی شده در' },
  { lang: 'ko', dir: 'ltr', legal: '무료 및 저비용 법률 지원', programs: '누구나 이용할 수 있는 시 프로그램', verified: '최종 확인일', expired: '공인 만료일:' },
];

async function checkPage(context, path, pg, h1) {
  const url = srv.url + path;
  const { page, response, log } = await openPage(context, url);
  assert.equal(response.status(), 200);
  assert.equal(await page.locator('html').getAttribute('lang'), pg.lang);
  assert.equal(await page.locator('html').getAttribute('dir'), pg.dir);
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).direction), pg.dir);
  assert.equal((await page.locator('h1').innerText()).trim(), h1);
  const v = await axeViolations(page);
  assert.equal(v.length, 0, `axe violations on ${path}:\n${formatViolations(v)}`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `${path} is ${width}px wide on a ${PHONE.width}px screen`);
  const p = problems(log, srv.url, url);
  assert.deepEqual(p, [], p.join('\n'));
  assert.equal(log.requests.filter((u) => u.endsWith('.js')).length, 0, 'no script is loaded');
  return page;
}

for (const pg of PAGES) {
  describe(`help directories in ${pg.lang} on a phone`, () => {
    test(`/kyr/${pg.lang}/legal-help: lang, dir, axe, last verified on every entry, the expired accreditation flagged`, async () => {
      await withContext({}, async (context) => {
        const page = await checkPage(context, `/kyr/${pg.lang}/legal-help`, pg, pg.legal);
        const entries = await page.locator('.kyr-entry').count();
        assert.ok(entries >= 5, `${entries} entries`);
        assert.equal(await page.locator('.kyr-entry .kyr-stamp').count(), entries);
        assert.match(await page.locator('.kyr-entry .kyr-stamp').first().innerText(), new RegExp(pg.verified));
        // the sample Koreatown provider's accreditation expired on 2026-03-31
        const flag = page.locator('#sample-koreatown-legal .kyr-flag');
        assert.ok(await flag.isVisible());
        assert.match(await flag.innerText(), new RegExp(`${pg.expired}\\s*2026-03-31`));
        assert.equal(await page.locator('#sample-eastside-legal .kyr-flag').count(), 0);
        // provider names stay English, marked as such
        assert.equal(await page.locator('#sample-eastside-legal h2').getAttribute('lang'), 'en');
        // right to left pages mirror: the entry's accent bar is on the start side
        const side = await page.locator('.kyr-entry').first().evaluate((el) => {
          const s = getComputedStyle(el);
          return { left: s.borderLeftWidth, right: s.borderRightWidth };
        });
        assert.deepEqual(side, pg.dir === 'rtl' ? { left: '1px', right: '6px' } : { left: '6px', right: '1px' });
      });
    });

    test(`/kyr/${pg.lang}/city-programs: lang, dir, axe, every entry a sample`, async () => {
      await withContext({}, async (context) => {
        const page = await checkPage(context, `/kyr/${pg.lang}/city-programs`, pg, pg.programs);
        const entries = await page.locator('.kyr-entry').count();
        assert.ok(entries >= 5);
        assert.equal(await page.locator('.kyr-entry .kyr-sample').count(), entries);
      });
    });

    test(`/kyr/${pg.lang}/legal-help filtered: axe on the result`, async () => {
      await withContext({}, async (context) => {
        await checkPage(context, `/kyr/${pg.lang}/legal-help?language=ko&service=consultations`, pg, pg.legal);
      });
    });
  });
}

describe('the filters without JavaScript', () => {
  test('from the Farsi topics to legal help, filtered by Korean and consultations', async () => {
    await withContext({ javaScriptEnabled: false }, async (context) => {
      const { page } = await openPage(context, srv.url + '/kyr/fa');
      await page.locator('a[href="/kyr/fa/legal-help"]').click();
      await page.waitForURL(/\/kyr\/fa\/legal-help$/);
      await page.locator('#f-language').selectOption('ko');
      await page.locator('#f-service').selectOption('consultations');
      await submitForm(page, page.locator('form.kyr-filter button[type="submit"]'));
      assert.match(page.url(), /\/kyr\/fa\/legal-help\?language=ko&service=consultations$/);
      const ids = await page.locator('.kyr-entry').evaluateAll((els) => els.map((e) => e.id));
      assert.deepEqual(ids, ['sample-koreatown-legal']);
      assert.equal(await page.locator('#f-language').inputValue(), 'ko', 'the choice is kept');
      assert.equal(await page.locator('#f-service').inputValue(), 'consultations');
      // a language nobody on the list speaks: the notice, in Farsi
      await page.locator('#f-language').selectOption('am');
      await submitForm(page, page.locator('form.kyr-filter button[type="submit"]'));
      assert.equal(await page.locator('.kyr-entry').count(), 0);
      assert.match(await page.locator('.kyr-notice').innerText(), /هیچ ارائه‌دهنده‌ای/);
      // show all again
      await page.locator('a.kyr-clear').click();
      await page.waitForURL(/\/kyr\/fa\/legal-help$/);
      assert.ok(await page.locator('.kyr-entry').count() >= 5);
    });
  });
});

describe('the staff import page', () => {
  const LEGAL_HEADER = 'id,name,sites,services,languages,cost,doj_recognized,accredited_reps,accreditation_expires,last_verified,phone,website,sample';
  async function signIn(page, who) {
    await page.goto(srv.url + '/signin');
    await page.getByLabel('Work email').fill(who.email);
    await page.getByLabel('Password', { exact: true }).fill(who.password);
    const res = await submitForm(page, page.getByRole('button', { name: 'Sign in', exact: true }));
    assert.equal(res.status(), 200);
  }
  async function upload(page, text) {
    await page.locator('#file-legal').setInputFiles({ name: 'legal.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    return submitForm(page, page.getByRole('button', { name: 'Check and import legal service providers' }));
  }

  for (const [label, js] of [['without JavaScript', false], ['with JavaScript, axe', true]]) {
    test(`a refused file lists its problems by row; nothing is saved (${label})`, async () => {
      const logins = demoLogins(srv.dir);
      await withContext({ viewport: DESKTOP, isMobile: false, hasTouch: false, javaScriptEnabled: js }, async (context) => {
        const page = await context.newPage();
        const log = watchPage(page);
        await signIn(page, logins.moia);
        const res = await page.goto(srv.url + '/kyr-admin/directory');
        assert.equal(res.status(), 200);
        const before = await (await fetch(`${srv.url}/api/v1/kyr/directory/legal`)).json();
        const bad = `${LEGAL_HEADER}\nok-one,Fine,,consultations,en,free,,,,2026-01-01,,,\nbad-one,Bad,,consultations,xx,free,,,,2026-01-01,,,\n`;
        const refused = await upload(page, bad);
        assert.equal(refused.status(), 422);
        const table = page.getByRole('table', { name: /Problems in the file/ });
        assert.ok(await table.isVisible());
        const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
        assert.equal(rows.length, 1);
        assert.equal(rows[0][0], '3');
        assert.equal(rows[0][1], 'languages');
        assert.match(rows[0][2], /Unknown language 'xx'/);
        assert.match(await page.locator('.usa-alert--error').innerText(), /nothing was saved/);
        const still = await (await fetch(`${srv.url}/api/v1/kyr/directory/legal`)).json();
        assert.deepEqual(still.items, before.items);
        if (js) {
          const v = await axeViolations(page);
          assert.equal(v.length, 0, `axe violations on the refused import:\n${formatViolations(v)}`);
        }
        const p = flowProblems(log, srv.url);
        assert.deepEqual(p, [], p.join('\n'));
      });
    });
  }

  test('a good file is imported and the public page shows it at once', async () => {
    const logins = demoLogins(srv.dir);
    await withContext({ viewport: DESKTOP, isMobile: false, hasTouch: false, javaScriptEnabled: false }, async (context) => {
      const page = await context.newPage();
      await signIn(page, logins.admin);
      await page.goto(srv.url + '/kyr-admin/directory');
      const good = `${LEGAL_HEADER}\nbrowser-clinic,Browser Test Clinic,"Echo Park; 1 Sunset Blvd, Los Angeles, CA 90026; Mon 9am-1pm",consultations,en; ko,free,,,,2026-01-01,,,\n`;
      const res = await upload(page, good);
      assert.equal(res.status(), 200);
      assert.match(await page.locator('.usa-alert--success').innerText(), /1 created, 0 updated, 0 unchanged, \d+ removed/);
      const pub = await context.newPage();
      await pub.goto(srv.url + '/kyr/ko/legal-help');
      assert.deepEqual(await pub.locator('.kyr-entry h2').allInnerTexts(), ['Browser Test Clinic']);
    });
  });
});
