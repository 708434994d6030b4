/**
 * Hostile text, links, the CSP and cross-site WebSockets in a real browser
 * (SECURITY.md C7, C8, H4, B3). Two users share rooms and a call whose names
 * and chat are made of classic XSS payloads; everything must show literally,
 * with no dialog, no injected element and no CSP or Trusted Types violation.
 * Small HTTP servers on other loopback ports stand in for other sites: one
 * counts hits on a URL sent in chat, one is a WebSocket the CSP must block,
 * two serve an attacker's page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import {
  launchBrowser, newUserContext, registerThroughUi, startApp, waitForRemoteVideo, watchCspViolations, watchPage,
  type AppProcess, type Browser, type BrowserContext, type CspViolation, type Page, type PageProblems, enterRoom } from './harness.ts';

/** The payloads of SECURITY.md C7 (after MiroTalk's XSS history). */
const PAYLOADS = [
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '"><script>alert(1)</script>',
  "';alert(1);//",
  '<a href="JaVaScRiPt:alert(1)">',
  "{{constructor.constructor('alert(1)')()}}",
  '\u202Eevil',
  '</textarea>',
];
/** Room names refuse bidi controls (src/server/routes/rooms.ts), so this payload is refused there. */
const BIDI = '\u202Eevil';
const ROOM_PAYLOADS = PAYLOADS.filter((p) => p !== BIDI);

/** Elements that must never appear where user-written text is shown. */
const INJECTED = 'img, svg, script, iframe, object, embed, style, textarea, math, base, meta, link';

/** A server on another loopback origin that counts TCP connections, HTTP requests and WebSocket connections. */
interface Probe {
  origin: string;
  port: number;
  connections: number;
  requests: Array<{ url: string; headers: IncomingHttpHeaders }>;
  webSockets: number;
  close(): Promise<void>;
}

async function startProbe(host: string): Promise<Probe> {
  const server = createServer((request, response) => {
    probe.requests.push({ url: request.url ?? '', headers: request.headers });
    // No CSP here: this page plays another site (or the attacker's).
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>another origin</title><p>another origin</p>');
  });
  server.on('connection', () => (probe.connections += 1));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => {
    probe.webSockets += 1;
    socket.close(1000);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const probe: Probe = {
    origin: `http://${host}:${port}`,
    port,
    connections: 0,
    requests: [],
    webSockets: 0,
    close: () => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return probe;
}

/** Polls until `check` holds (for reports that arrive asynchronously), failing after `timeoutMs`. */
async function waitUntil(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Opens a WebSocket from the page and lists what happened to it: 'open',
 * 'error', 'close:<code>' or 'threw:<name>', then 'state:<readyState>'.
 */
function tryWebSocket(page: Page, url: string): Promise<string[]> {
  return page.evaluate((target) => new Promise<string[]>((resolve) => {
    const events: string[] = [];
    let socket: WebSocket;
    try {
      socket = new WebSocket(target);
    } catch (e) {
      resolve([`threw:${(e as Error).name}`]);
      return;
    }
    // (No named helpers in here: the bundler's __name wrapper does not exist in the page.)
    socket.addEventListener('open', () => {
      events.push('open');
      socket.close(1000);
    });
    socket.addEventListener('error', () => {
      events.push('error');
      // Chromium fires no close event after a CSP block (only error, with
      // readyState CLOSED); otherwise close follows the error at once.
      setTimeout(() => resolve([...events, `state:${socket.readyState}`]), 1000);
    });
    socket.addEventListener('close', (event) => {
      events.push(`close:${event.code}`);
      resolve([...events, `state:${socket.readyState}`]);
    });
  }), url);
}

/** The chat as a page shows it: text, author and element structure of every message. */
function chatView(page: Page) {
  return page.evaluate((injected) => ({
    messages: [...document.querySelectorAll<HTMLElement>('[data-messages] .message')].map((li) => ({
      author: li.querySelector('.author')?.textContent,
      text: li.querySelector('.text')?.textContent,
      tags: [...li.querySelectorAll('*')].map((node) => node.tagName.toLowerCase()).join(' '),
    })),
    injected: document.querySelectorAll(`[data-messages] :is(${injected}, a)`).length,
  }), INJECTED);
}

describe('XSS, links, CSP and cross-site WebSockets in a real browser', () => {
  let app: AppProcess;
  let browser: Browser;
  let aliceContext: BrowserContext;
  let bobContext: BrowserContext;
  let alicePage: Page;
  let bobPage: Page;
  const alice = `alice${process.pid}`;
  const bob = `bob${process.pid}`;
  const problems: PageProblems[] = [];
  const violations: CspViolation[][] = [];
  const dialogs: string[] = [];
  /** Requests the browsers sent anywhere but the app (links must not be fetched until clicked). */
  const foreignRequests: string[] = [];
  /** Hostile room name → room id. */
  const rooms = new Map<string, string>();
  let chatRoomId = '';
  let linkProbe: Probe;

  before(async () => {
    // Every /register counts against the per-address limit, refused ones too.
    app = await startApp({ REGISTER_RATE_LIMIT: '100' });
    browser = await launchBrowser();
    aliceContext = await newUserContext(browser, app.origin);
    bobContext = await newUserContext(browser, app.origin);
    for (const context of [aliceContext, bobContext]) {
      context.on('dialog', (dialog) => {
        dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss();
      });
      context.on('request', (request) => {
        if (!request.url().startsWith(`${app.origin}/`)) foreignRequests.push(request.url());
      });
    }
    alicePage = await aliceContext.newPage();
    bobPage = await bobContext.newPage();
    for (const page of [alicePage, bobPage]) {
      problems.push(watchPage(page));
      violations.push(await watchCspViolations(page));
    }
    linkProbe = await startProbe('127.0.0.1');
    await registerThroughUi(alicePage, alice);
    await registerThroughUi(bobPage, bob);
  });
  after(async () => {
    await browser?.close();
    await linkProbe?.close();
    await app?.stop();
  });

  test('C7: hostile usernames are refused with 400 invalid-username, and the form shows the message as text', async () => {
    for (const username of PAYLOADS) {
      const response = await fetch(`${app.origin}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: app.origin },
        body: JSON.stringify({ username, password: 'a perfectly fine passphrase' }),
      });
      assert.equal(response.status, 400, username);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid-username', username);
    }
    // Full-width look-alikes are NFKC-normalised to the same characters first, and refused too.
    const fullWidth = await fetch(`${app.origin}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: '＜img src=x onerror=alert(1)＞', password: 'a perfectly fine passphrase' }),
    });
    assert.equal(fullWidth.status, 400);

    const context = await newUserContext(browser, app.origin);
    try {
      const page = await context.newPage();
      const pageProblems = watchPage(page);
      const pageViolations = await watchCspViolations(page);
      page.on('dialog', (dialog) => {
        dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss();
      });
      await page.goto('/');
      await page.getByRole('button', { name: 'No account yet' }).click();
      const form = page.locator('#register-form');
      await form.getByLabel('Username').fill(PAYLOADS[0]!);
      await form.getByLabel(/^Password/).fill('a perfectly fine passphrase');
      await form.getByRole('button', { name: 'Create account' }).click();
      await form.locator('[data-error]', { hasText: 'Usernames have 3–32 letters' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/');
      assert.equal(await form.getByLabel('Username').inputValue(), PAYLOADS[0]);
      assert.equal(await page.locator(`#register-form :is(${INJECTED})`).count(), 0);
      assert.deepEqual([...pageProblems.csp, ...pageProblems.errors], []);
      assert.deepEqual(pageViolations, []);
    } finally {
      await context.close();
    }
  });

  test('C7: hostile room names show literally in the room list, in live and stored invitations, in the ringing call, and on the room page', async () => {
    for (const name of [...PAYLOADS, 'plain']) {
      await alicePage.getByLabel('Room name').fill(name);
      await alicePage.getByRole('button', { name: 'Create' }).click();
      if (name === BIDI) {
        await alicePage.locator('[data-error=create]', { hasText: 'Please check what you entered.' }).waitFor();
        continue;
      }
      await alicePage.waitForFunction((n) => [...document.querySelectorAll('#rooms h3')].some((h) => h.textContent === n), name);
    }
    // The refusal is the server's (a stable code), not only the form's.
    const refused = await alicePage.evaluate(async (name) => {
      const response = await fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
      return { status: response.status, error: ((await response.json()) as { error: string }).error };
    }, BIDI);
    assert.deepEqual(refused, { status: 400, error: 'invalid-input' });

    const cards = () => alicePage.evaluate(() => [...document.querySelectorAll<HTMLElement>('#rooms li')].map((li) => ({
      id: li.dataset.room!,
      name: li.querySelector('h3')!.textContent!,
      tags: [...li.querySelectorAll('*')].map((node) => node.tagName.toLowerCase()).join(' '),
      links: [...li.querySelectorAll('a')].map((a) => a.getAttribute('href')),
    })));
    const atAlice = await cards();
    assert.deepEqual(atAlice.map((c) => c.name).sort(), [...ROOM_PAYLOADS, 'plain'].sort());
    const plain = atAlice.find((c) => c.name === 'plain')!;
    for (const card of atAlice) {
      // Same elements as the plain room's card: the name added none.
      assert.equal(card.tags, plain.tags, card.name);
      assert.deepEqual(card.links, [`/room/${card.id}`], card.name);
      if (card.name !== 'plain') rooms.set(card.name, card.id);
    }

    // Bob has his dashboard open: each invitation arrives live, over server-sent events, and rings.
    for (const [name, id] of rooms) {
      const card = alicePage.locator(`#rooms li[data-room="${id}"]`);
      await card.getByPlaceholder('Username to invite').fill(bob);
      await card.getByRole('button', { name: 'Send' }).click();
      await bobPage.waitForFunction((n) => [...document.querySelectorAll('#invitations li p')].some((p) => p.textContent?.includes(n)), name);
      await bobPage.waitForFunction((text) => document.querySelector('[data-ring-text]')?.textContent === text, `${alice} is calling you to “${name}”`);
      assert.equal(await bobPage.locator('[data-ring] *').evaluateAll((nodes) => nodes.map((n) => n.tagName.toLowerCase()).join(' ')), 'h2 p div button button', name);
    }
    await bobPage.locator('[data-toast]', { hasText: `New invitation from ${alice}` }).waitFor();
    const invitations = () => bobPage.evaluate(() => [...document.querySelectorAll<HTMLElement>('#invitations li')].map((li) => ({
      text: li.querySelector('p')!.textContent!,
      tags: [...li.querySelectorAll('*')].map((node) => node.tagName.toLowerCase()).join(' '),
    })));
    const expected = [...rooms].map(([name]) => ({ text: `${alice} invited you to “${name}”`, tags: 'div p time div button button button' }));
    const byText = (a: { text: string }, b: { text: string }) => a.text.localeCompare(b.text);
    assert.deepEqual((await invitations()).sort(byText), [...expected].sort(byText));

    // After a reload the same comes from the stored invitations; accepted, the rooms are Bob's too.
    await bobPage.reload();
    await bobPage.waitForFunction((n) => document.querySelectorAll('#invitations li').length === n, rooms.size);
    assert.deepEqual((await invitations()).sort(byText), [...expected].sort(byText));
    await bobPage.evaluate(async () => {
      for (const { id } of (await (await fetch('/api/invitations')).json()) as Array<{ id: string }>) await fetch(`/api/invitations/${id}/accept`, { method: 'POST' });
    });
    await bobPage.reload();
    await bobPage.waitForFunction((n) => document.querySelectorAll('#rooms li').length === n, rooms.size);
    const bobRooms = await bobPage.evaluate(() => [...document.querySelectorAll('#rooms h3')].map((h) => h.textContent));
    assert.deepEqual(bobRooms.sort(), [...rooms.keys()].sort());
    assert.equal(await bobPage.locator(`:is(#rooms, #invitations) :is(${INJECTED})`).count(), 0);

    // The room page: the title and the heading are rendered by the server (escaped),
    // so the page has the same elements as the plain room's.
    const roomPage = async (id: string) => {
      await alicePage.goto(`/room/${id}`);
      return alicePage.evaluate(() => ({
        title: document.title,
        heading: document.querySelector('h1.room-name')!.textContent,
        headingElements: document.querySelector('h1.room-name')!.children.length,
        scripts: document.scripts.length,
        head: [...document.head.children].map((node) => node.tagName.toLowerCase()).join(' '),
      }));
    };
    const plainPage = await roomPage(plain.id);
    assert.equal(plainPage.scripts, 1);
    for (const [name, id] of rooms) {
      assert.deepEqual(await roomPage(id), { ...plainPage, title: `${name} · Callroom`, heading: name }, name);
    }
    await alicePage.goto('/dashboard');
  });

  test('C7: hostile chat text shows literally on both sides of a real call, live and after a reload', async () => {
    chatRoomId = rooms.get('"><script>alert(1)</script>')!;
    await enterRoom(alicePage, chatRoomId);
    await enterRoom(bobPage, chatRoomId);
    await Promise.all([waitForRemoteVideo(alicePage, 1), waitForRemoteVideo(bobPage, 1)]);
    assert.equal(await alicePage.locator('.tile:not([data-self=true]) .name').textContent(), bob);
    assert.equal(await bobPage.locator('.tile:not([data-self=true]) .name').textContent(), alice);

    for (const text of PAYLOADS) {
      await alicePage.getByLabel('Message').fill(text);
      await alicePage.getByLabel('Message').press('Enter');
    }
    const fromBob = '</textarea><img src=x onerror=alert(2)>';
    await bobPage.waitForFunction((n) => document.querySelectorAll('[data-messages] .message').length === n, PAYLOADS.length);
    await bobPage.getByLabel('Message').fill(fromBob);
    await bobPage.getByRole('button', { name: 'Send' }).click();

    const expected = {
      messages: [
        ...PAYLOADS.map((text) => ({ author: alice, text, tags: 'div span time p' })),
        { author: bob, text: fromBob, tags: 'div span time p' },
      ],
      injected: 0,
    };
    for (const page of [alicePage, bobPage]) {
      // Every message stored (none still pending), in order.
      await page.waitForFunction((n) => document.querySelectorAll('[data-messages] .message[data-seq]').length === n, PAYLOADS.length + 1);
      assert.deepEqual(await chatView(page), expected);
    }
    await bobPage.reload();
    await bobPage.waitForFunction((n) => document.querySelectorAll('[data-messages] .message[data-seq]').length === n, PAYLOADS.length + 1);
    assert.deepEqual(await chatView(bobPage), expected);
    await waitForRemoteVideo(bobPage, 1);
  });

  test('C8: http(s) URLs in chat become safe links that load nothing until clicked; other schemes stay text', async () => {
    const probeUrl = `${linkProbe.origin}/c8-link?from=chat`;
    const text = [
      `links: ${probeUrl} and HTTPS://example.org/docs.`,
      'not links: javascript:alert(1) JaVaScRiPt:alert(1) &#106;avascript:alert(1) java&#x73;cript:alert(1)',
      'data:text/html,<script>alert(1)</script> DATA:text/html;base64,PHNjcmlwdD4= vbscript:msgbox(1) VbScRiPt:msgbox(1)',
    ].join(' ');
    const requestsBefore = foreignRequests.length;
    await alicePage.getByLabel('Message').fill(text);
    await alicePage.getByLabel('Message').press('Enter');

    const links = (page: Page) => page.evaluate((t) => {
      const item = [...document.querySelectorAll('[data-messages] .message[data-seq]')].find((li) => li.querySelector('.text')?.textContent === t);
      return item && [...item.querySelectorAll('a')].map((a) => ({ text: a.textContent, href: a.href, rel: a.rel, target: a.target, children: a.children.length }));
    }, text);
    const expected = [
      { text: probeUrl, href: probeUrl, rel: 'noopener noreferrer', target: '_blank', children: 0 },
      { text: 'HTTPS://example.org/docs', href: 'https://example.org/docs', rel: 'noopener noreferrer', target: '_blank', children: 0 },
    ];
    for (const page of [alicePage, bobPage]) {
      await page.waitForFunction((t) => [...document.querySelectorAll('[data-messages] .message[data-seq] .text')].some((p) => p.textContent === t), text);
      assert.deepEqual(await links(page), expected);
      const schemes = await page.evaluate(() => [...document.querySelectorAll<HTMLAnchorElement>('[data-messages] a')].map((a) => a.protocol));
      assert.ok(schemes.every((s) => s === 'http:' || s === 'https:'), schemes.join());
      assert.equal(await page.locator('[data-messages] :is(img, svg, script, iframe, object, embed)').count(), 0);
    }
    // Nothing to await for "no request": a prefetch or preconnect would start
    // as the link is rendered, so half a second after both pages show it is ample.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(linkProbe.connections, 0, 'no connection to a linked site before a click');
    assert.equal(linkProbe.requests.length, 0, 'no request to a linked site before a click');
    assert.deepEqual(foreignRequests.slice(requestsBefore), [], 'the browsers requested nothing outside the app');

    const [popup] = await Promise.all([
      bobContext.waitForEvent('page'),
      bobPage.locator('[data-messages] a', { hasText: '/c8-link' }).click(),
    ]);
    await popup.waitForLoadState();
    // The browser may also ask the new tab's site for its favicon.
    assert.deepEqual(linkProbe.requests.map((r) => r.url).filter((url) => url !== '/favicon.ico'), ['/c8-link?from=chat'], 'the click loads the link');
    // The room URL is a secret: never a Referer (the favicon's Referer is the linked page itself).
    assert.equal(linkProbe.requests[0]!.headers.referer, undefined);
    assert.ok(linkProbe.requests.every((r) => !r.headers.referer?.includes('/room/')), 'the room URL is not sent as Referer');
    assert.equal(await popup.evaluate(() => window.opener), null, 'the new tab cannot reach the room page');
    assert.equal(new URL(bobPage.url()).pathname, `/room/${chatRoomId}`, 'the room stays open');
    await popup.close();
  });

  test('H4: the whole join, call, chat and leave produced no CSP or Trusted Types violation, no dialog and no page error', async () => {
    await bobPage.getByRole('button', { name: 'Leave' }).click();
    await bobPage.getByText('You left the room.').waitFor();
    await alicePage.getByText('1 in the room').waitFor();
    assert.deepEqual(dialogs, []);
    assert.deepEqual(problems.flatMap((p) => p.csp), []);
    assert.deepEqual(problems.flatMap((p) => p.errors), []);
    assert.deepEqual(violations.flat(), []);
  });

  test('H4: Trusted Types make innerHTML and friends throw, and report the attempt', async () => {
    const page = await aliceContext.newPage();
    const seen = await watchCspViolations(page);
    await page.goto('/dashboard');
    const result = await page.evaluate(() => {
      const outcomes: Record<string, string> = {};
      const sinks: Array<[string, (target: HTMLElement) => void]> = [
        ['innerHTML', (target) => (target.innerHTML = '<img src=x onerror=alert(1)>')],
        ['outerHTML', (target) => (target.outerHTML = '<img src=x onerror=alert(1)>')],
        ['insertAdjacentHTML', (target) => target.insertAdjacentHTML('beforeend', '<svg onload=alert(1)>')],
      ];
      for (const [sink, write] of sinks) {
        const target = document.createElement('div');
        document.body.append(target);
        try {
          write(target);
          outcomes[sink] = 'written';
        } catch (e) {
          outcomes[sink] = `${(e as Error).name}: ${(e as Error).message}`;
        }
        target.remove();
      }
      return { outcomes, images: document.querySelectorAll('img, svg[onload]').length };
    });
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML'] as const) {
      assert.match(result.outcomes[sink] ?? 'not tried', /^TypeError: .*TrustedHTML/, sink);
    }
    assert.equal(result.images, 0);
    await waitUntil(() => seen.length >= 3, 'three Trusted Types violation reports');
    assert.deepEqual(seen.map((v) => v.directive), ['require-trusted-types-for', 'require-trusted-types-for', 'require-trusted-types-for']);
    assert.deepEqual(dialogs, []);
    await page.close();
  });

  test('H4: connect-src blocks a WebSocket to another port, which sees no connection', async () => {
    const other = await startProbe('127.0.0.1');
    try {
      const page = await aliceContext.newPage();
      const seen = await watchCspViolations(page);
      await page.goto('/dashboard');
      const target = `ws://127.0.0.1:${other.port}/`;
      assert.deepEqual(await tryWebSocket(page, target), ['error', 'state:3']);
      await waitUntil(() => seen.length > 0, 'a connect-src violation report');
      assert.deepEqual(seen.map((v) => ({ directive: v.directive, blocked: v.blocked })), [{ directive: 'connect-src', blocked: target }]);
      assert.equal(other.connections, 0, 'the blocked WebSocket never reached the other port');
      // The control: from a page without our CSP the same WebSocket does connect.
      await page.goto(other.origin);
      assert.deepEqual(await tryWebSocket(page, target), ['open', 'close:1000', 'state:3']);
      assert.equal(other.webSockets, 1);
      await page.close();
    } finally {
      await other.close();
    }
  });

  test('B3: a page on another origin cannot open a WebSocket to a room with the user’s session cookie', async () => {
    const target = `${app.origin.replace('http:', 'ws:')}/ws/${chatRoomId}`;
    // The control: from the app's own page the same socket opens (the cookie and room are good).
    const own = await bobContext.newPage();
    await own.goto('/dashboard');
    assert.deepEqual(await tryWebSocket(own, target), ['open', 'close:1000', 'state:3']);
    await own.close();

    // Same site, other port (the cookie is sent: cookies ignore ports), and another site.
    for (const host of ['127.0.0.1', '127.0.0.2']) {
      const attacker = await startProbe(host);
      try {
        const page = await bobContext.newPage();
        await page.goto(`${attacker.origin}/attack`);
        if (host === '127.0.0.1') {
          assert.match(attacker.requests[0]?.headers.cookie ?? '', /(^|; )sid=/, 'the browser holds the session cookie for this host');
        }
        assert.deepEqual(await tryWebSocket(page, target), ['error', 'close:1006', 'state:3'], host);
        // The refusal is the Origin check's (403 before the session is looked at), logged with the origin.
        await waitUntil(
          () => app.output.join('').split('\n').some((line) => line.includes('websocket from a foreign origin refused') && line.includes(`"origin":"${attacker.origin}"`)),
          `the server's log of the refused origin ${attacker.origin}`,
        );
        await page.close();
      } finally {
        await attacker.close();
      }
    }
  });
});
