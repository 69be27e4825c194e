// Browser tests of the Know-Your-Rights staff pages in Chromium with
// JavaScript turned off: the editor's flow draft -> submit -> approve (as
// another, legal, user) -> publish through the real forms; the 311 console
// (pick the language and topic, read the script, send the SMS to a gateway
// receiver on loopback, and the typed number in no page or URL afterwards;
// email the page link to a real SMTP sink, python3-aiosmtpd, with the
// typed address likewise in no page, URL or log line);
// then every page state (errors included) checked with axe-core at WCAG 2.1
// A/AA on a desktop and a phone, without horizontal scrolling.
//
// Run: HAVEN_BIN=build/haven node --test --test-concurrency=1 tests/browser/kyr_staff.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { api, demoLogins, freePort, signIn } from '../api/lib.mjs';
import {
  DESKTOP, PHONE, axeViolations, flowProblems, formatViolations, launchBrowser, startServer,
  submitForm, watchPage,
} from './lib.mjs';

let srv, browser, gw, logins, sink;
const ADDRESS = 'Vecino.Browser@example.org';
const ADDRESS_PATTERN = /vecino\.browser/i;
const received = [];
const NUMBER = '(213) 555-0177';
const NUMBER_PATTERN = /555.?0177|2135550177/;

before(async () => {
  gw = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(new URLSearchParams(body));
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise((r) => gw.listen(0, '127.0.0.1', r));
  const smtpPort = await freePort();
  const proc = spawn('/usr/bin/python3', ['-u', '-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${smtpPort}`]);
  sink = { proc, out: '' };
  proc.stdout.on('data', (d) => (sink.out += d));
  proc.stderr.on('data', (d) => (sink.out += d));
  await new Promise((r) => setTimeout(r, 1500));
  [srv, browser] = await Promise.all([
    startServer({
      env: { HAVEN_SMS_URL: `http://127.0.0.1:${gw.address().port}/Messages`, HAVEN_SMS_USER: 'u', HAVEN_SMS_TOKEN: 't', HAVEN_SMS_FROM: '+13115550000' },
      args: ['--smtp-url', `smtp://127.0.0.1:${smtpPort}`, '--smtp-starttls', '0'],
    }),
    launchBrowser(),
  ]);
  logins = demoLogins(srv.dir);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  srv?.cleanup();
  gw?.close();
  if (sink && sink.proc.exitCode === null) sink.proc.kill('SIGTERM');
});

const states = new Map();
// A signed-in storage state for `role`, signing in once through the form.
async function signedIn(role) {
  if (!states.has(role)) {
    const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(srv.url + '/signin');
    await page.getByLabel('Work email').fill(logins[role].email);
    await page.getByLabel('Password', { exact: true }).fill(logins[role].password);
    const res = await submitForm(page, page.getByRole('button', { name: 'Sign in', exact: true }));
    assert.equal(res.status(), 200, `${role} signs in`);
    states.set(role, await context.storageState());
    await context.close();
  }
  return states.get(role);
}

// A page signed in as `role`, without JavaScript unless `js`; its log is
// checked at the end.
async function asRole(role, fn, { viewport = DESKTOP, js = false } = {}) {
  const phone = viewport === PHONE;
  const context = await browser.newContext({ viewport, isMobile: phone, hasTouch: phone, javaScriptEnabled: js, storageState: await signedIn(role) });
  try {
    const page = await context.newPage();
    const log = watchPage(page);
    const out = await fn(page);
    const p = flowProblems(log, srv.url);
    assert.deepEqual(p, [], `problems:\n  ${p.join('\n  ')}`);
    return out;
  } finally {
    await context.close();
  }
}

async function go(page, path, status = 200) {
  const res = await page.goto(srv.url + path, { waitUntil: 'load' });
  assert.equal(res.status(), status, `GET ${path}`);
  return res;
}
const click = (page, name) => submitForm(page, page.getByRole('button', { name, exact: true }));
const mainText = async (page) => page.locator('main').innerText();

// With JavaScript off axe cannot run in the page itself: the flows keep
// each state's HTML, and a later test replays it at the same origin (the
// same stylesheets) in a page where axe can run, on a desktop and a phone.
const captured = [];
async function capture(page, what) {
  assert.equal(await page.locator('h1').count(), 1, `${what}: exactly one <h1>`);
  captured.push({ what, html: await page.content() });
}

async function assertAccessible(page, what, viewport = DESKTOP) {
  assert.equal(await page.locator('h1').count(), 1, `${what}: exactly one <h1>`);
  const v = await axeViolations(page);
  assert.equal(v.length, 0, `axe violations on ${what}:\n${formatViolations(v)}`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= viewport.width, `${what} is ${width}px wide on a ${viewport.width}px screen`);
}

let topicPath, textPath, draftPath;

describe('the editor flow without JavaScript', () => {
  test('a topic and its English draft, with errors beside fields first', async () => {
    await asRole('moia', async (page) => {
      await go(page, '/kyr-admin');
      await capture(page, '/kyr-admin (empty)');
      await page.getByLabel('Address name (required)').fill('Not A Slug');
      let res = await click(page, 'Add topic');
      assert.equal(res.status(), 422);
      await capture(page, '/kyr-admin with an error');
      assert.match(await page.locator('#slug-error').innerText(), /lower-case letters/);
      await page.getByLabel('Address name (required)').fill('browser-staff-rights');
      await page.getByLabel('Position in the list').fill('1');
      res = await click(page, 'Add topic');
      assert.equal(res.status(), 200);
      topicPath = new URL(page.url()).pathname;
      assert.match(topicPath, /^\/kyr-admin\/topics\/\d+$/);
      await capture(page, 'a new topic');
      await page.locator('#lang').selectOption('en');
      await page.getByLabel('Title (required)').fill('Your rights everywhere');
      await page.getByLabel('SMS text').fill('Tiene derecho a guardar silencio — llame al 311.');
      res = await click(page, 'Save as a draft');
      assert.equal(res.status(), 422, 'the web text is missing');
      await capture(page, 'the new-version form with errors');
      assert.match(await page.locator('#web-error').innerText(), /Enter the web text/);
      assert.equal(await page.getByLabel('Title (required)').inputValue(), 'Your rights everywhere', 'typed text kept');
      await page.getByLabel('Web text (Markdown)').fill('## Stay silent\n\nYou do not have to answer questions.');
      res = await click(page, 'Check the SMS length');
      assert.equal(res.status(), 200);
      assert.match(await page.locator('#sms-measure').innerText(), /UCS-2, 48 UTF-16 units, 1 segment\. Characters that forced UCS-2: —/);
      await page.getByLabel('SMS text').fill('You have the right to remain silent. Call 311.');
      await page.getByLabel('Phone script').fill('You have the right to remain silent. Press 0 for an interpreter.');
      res = await click(page, 'Save as a draft');
      assert.equal(res.status(), 200);
      textPath = new URL(page.url()).pathname;
      assert.match(textPath, /^\/kyr-admin\/texts\/\d+$/);
      assert.match(await mainText(page), /The draft was saved/);
      await capture(page, 'a draft');
      assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
      res = await click(page, 'Submit for review');
      assert.equal(res.status(), 200);
      assert.match(await mainText(page), /In legal review/);
      assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0, 'moia never sees Approve');
    });
  });

  test('legal approves (a return needs a note); moia publishes', async () => {
    await asRole('legal', async (page) => {
      await go(page, textPath);
      await capture(page, 'a text in review (legal)');
      let res = await click(page, 'Return to the author');
      assert.equal(res.status(), 422);
      await capture(page, 'a return without a note');
      assert.match(await page.locator('#note-return-error').innerText(), /Say what must change/);
      res = await click(page, 'Approve');
      assert.equal(res.status(), 200);
      assert.match(await mainText(page), /Approved\. It can now be published\./);
    });
    await asRole('moia', async (page) => {
      await go(page, textPath);
      const res = await click(page, 'Publish');
      assert.equal(res.status(), 200);
      assert.match(await mainText(page), /Published: the public site/);
      await capture(page, 'a published text');
      await go(page, '/kyr/en/browser-staff-rights');
    });
  });

  test('a Korean draft with a conflicting save keeps the typed text', async () => {
    const s = await signIn(srv, logins.moia.email, logins.moia.password);
    const id = Number(textPath.split('/').pop());
    const topic = Number(topicPath.split('/').pop());
    const ko = await (await api(srv, s, 'POST', `/api/v1/kyr/topics/${topic}/texts`, { lang: 'ko', source_id: id, title: '어디서나 당신의 권리', web: '## 침묵할 권리\n\n질문에 답하지 않아도 됩니다.', sms: '침묵할 권리가 있습니다. 311에 전화하십시오.' })).json();
    draftPath = `/kyr-admin/texts/${ko.id}`;
    await asRole('moia', async (page) => {
      await go(page, draftPath);
      assert.equal(await page.locator('#title').getAttribute('lang'), 'ko');
      await api(srv, s, 'PATCH', `/api/v1/kyr/texts/${ko.id}`, { expect_updated: ko.updated_at, title: '다른 사람', web: '변경' });
      await page.getByLabel('Title (required)').fill('내 제목');
      const res = await click(page, 'Save the draft');
      assert.equal(res.status(), 409);
      assert.match(await mainText(page), /Someone saved this draft after you opened it/);
      assert.equal(await page.getByLabel('Title (required)').inputValue(), '내 제목');
      await capture(page, 'a draft conflict');
    });
  });
});

describe('the 311 console', () => {
  test('pick language and topic with the keyboard, read the script, send the SMS; the number is in no page', async () => {
    const seen = [];
    await asRole('agent311', async (page) => {
      page.on('response', async (r) => {
        if (r.request().isNavigationRequest()) seen.push({ url: r.url(), location: r.headers().location || '' });
      });
      // (with JavaScript on here: the keyboard flow is checked through the focused element)
      await go(page, '/console');
      await assertAccessible(page, '/console');
      // The language select has focus first; arrows pick, Tab moves on, Enter in the filter submits.
      assert.equal(await page.evaluate(() => document.activeElement.id), 'lang');
      await page.keyboard.press('ArrowDown'); // Español, second in the list
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'topic');
      await page.locator('#topic').selectOption('browser-staff-rights');
      await page.keyboard.press('Tab'); // the optional filter: Enter there submits the form
      assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      assert.match(page.url(), /lang=es&topic=browser-staff-rights/);
      const text = await mainText(page);
      assert.match(text, /no current Spanish translation/);
      assert.match(text, /Press 0 for an interpreter/);
      assert.match(text, /1 segment \(GSM-7/);
      await assertAccessible(page, 'the console with a script');
      let res = await click(page, 'I read the script to the caller');
      assert.equal(res.status(), 200);
      assert.match(await mainText(page), /Recorded: you read the phone script/);
      await page.getByLabel("Caller's mobile number").fill('555');
      res = await click(page, 'Send the text message');
      assert.equal(res.status(), 400);
      await assertAccessible(page, 'the console with a number error');
      assert.equal(await page.getByLabel("Caller's mobile number").inputValue(), '');
      await page.getByLabel("Caller's mobile number").fill(NUMBER);
      const sent = seen.length;
      res = await click(page, 'Send the text message');
      assert.equal(res.status(), 200);
      for (let i = 0; i < 100 && /waiting to be sent/.test(await mainText(page)); i++) {
        await new Promise((r) => setTimeout(r, 100));
        await page.reload();
      }
      assert.match(await mainText(page), /The text message was sent\./);
      await assertAccessible(page, 'the console after sending');
      const html = await page.content();
      assert.doesNotMatch(html, NUMBER_PATTERN, 'the page does not show the number');
      for (const n of seen.slice(sent)) {
        assert.doesNotMatch(n.url, NUMBER_PATTERN);
        assert.doesNotMatch(n.location, NUMBER_PATTERN);
      }
      assert.doesNotMatch(page.url(), NUMBER_PATTERN);
      await go(page, '/console?lang=es&topic=browser-staff-rights');
      assert.doesNotMatch(await page.content(), NUMBER_PATTERN);
    }, { js: true });
    assert.equal(received.at(-1).get('To'), '+12135550177');
    assert.equal(received.at(-1).get('Body'), 'You have the right to remain silent. Call 311.\nReply STOP to end, HELP for help.');
    assert.doesNotMatch(srv.stderr + srv.stdout, NUMBER_PATTERN, 'no log line holds the number');
  });
});

describe('the 311 console: email the page link', () => {
  test('a bad address is shown beside the field; a good one sends the link; the address is in no page', async () => {
    const seen = [];
    await asRole('agent311', async (page) => {
      page.on('response', async (r) => {
        if (r.request().isNavigationRequest()) seen.push({ url: r.url(), location: r.headers().location || '' });
      });
      await go(page, '/console?lang=es&topic=browser-staff-rights');
      assert.match(await mainText(page), /Email the page link/);
      await page.getByLabel("Caller's email address").fill('vecino.browser@localhost'); // the browser's own check lets it through; the server does not
      let res = await click(page, 'Email the link');
      assert.equal(res.status(), 400);
      assert.match(await page.locator('#email-error').innerText(), /Enter an email address/);
      assert.equal(await page.getByLabel("Caller's email address").getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByLabel("Caller's email address").inputValue(), '', 'the typed address is not sent back');
      await capture(page, 'the console with an email address error');
      await page.getByLabel("Caller's email address").fill(ADDRESS);
      const before = seen.length;
      res = await click(page, 'Email the link');
      assert.equal(res.status(), 200);
      for (let i = 0; i < 100 && /waiting to be sent/.test(await mainText(page)); i++) {
        await new Promise((r) => setTimeout(r, 100));
        await page.reload();
      }
      assert.match(await mainText(page), /The email with the page link was sent\./);
      await capture(page, 'the console after emailing');
      assert.doesNotMatch(await page.content(), ADDRESS_PATTERN, 'the page does not show the address');
      for (const n of seen.slice(before)) {
        assert.doesNotMatch(n.url, ADDRESS_PATTERN);
        assert.doesNotMatch(n.location, ADDRESS_PATTERN);
      }
    });
    const msgs = sink.out.split('---------- MESSAGE FOLLOWS ----------').slice(1);
    assert.equal(msgs.length, 1);
    assert.match(msgs[0], new RegExp(`^To: ${ADDRESS.replace('.', '\\.')}$`, 'm'));
    assert.ok(msgs[0].includes(`${srv.url}/kyr/es/browser-staff-rights`), 'the link to the Spanish page');
    assert.doesNotMatch(srv.stderr + srv.stdout, ADDRESS_PATTERN, 'no log line holds the address');
  });
});

// Every page state, on a desktop and a phone.
const STATES = [
  { name: '/kyr-admin', role: 'moia', path: () => '/kyr-admin' },
  { name: 'a topic', role: 'moia', path: () => topicPath },
  { name: 'a topic, new Korean version', role: 'moia', path: () => `${topicPath}?lang=ko` },
  { name: 'a published text (legal)', role: 'legal', path: () => textPath },
  { name: 'a Korean draft', role: 'moia', path: () => draftPath },
  { name: 'coverage', role: 'moia', path: () => '/kyr-admin/coverage' },
  { name: 'coverage, Farsi', role: 'auditor', path: () => '/kyr-admin/coverage?lang=fa' },
  { name: '/console', role: 'agent311', path: () => '/console' },
  { name: 'console, English', role: 'agent311', path: () => '/console?lang=en&topic=browser-staff-rights' },
  { name: 'console, Farsi fallback', role: 'agent311', path: () => '/console?lang=fa&topic=browser-staff-rights' },
  { name: 'console, no match', role: 'agent311', path: () => '/console?q=zzz' },
  { name: 'counts', role: 'agent311', path: () => '/console/counts' },
  { name: 'counts, bad date', role: 'moia', path: () => '/console/counts?from=yesterday', status: 400 },
];

describe('every KYR staff page state passes axe-core on a desktop and a phone', () => {
  for (const st of STATES) {
    for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      test(`${st.name} (${label})`, async () => {
        await asRole(st.role, async (page) => {
          await go(page, st.path(), st.status || 200);
          await assertAccessible(page, `${st.name} (${label})`, viewport);
        }, { viewport, js: true });
      });
    }
  }

  for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    test(`the states the no-JavaScript flows went through (${label})`, async () => {
      assert.ok(captured.length >= 8, `${captured.length} states captured`);
      const phone = viewport === PHONE;
      const context = await browser.newContext({ viewport, isMobile: phone, hasTouch: phone });
      try {
        const page = await context.newPage();
        let html = '';
        await page.route(`${srv.url}/__replay`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
        for (const st of captured) {
          html = st.html;
          await page.goto(`${srv.url}/__replay`, { waitUntil: 'load' });
          await assertAccessible(page, `${st.what} (${label})`, viewport);
        }
      } finally {
        await context.close();
      }
    });
  }
});
