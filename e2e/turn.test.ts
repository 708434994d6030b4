/**
 * NAT traversal through a real coturn: with ICE_TRANSPORT_POLICY=relay the
 * browsers may only connect through TURN, using the short-lived credentials
 * the app mints, and the call still works. Expired and forged credentials
 * are refused by coturn.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { turnCredential } from '../src/server/turn-credentials.ts';
import { createRoom, launchBrowser, newUserContext, registerThroughUi, startApp, startCoturn, turnAllocates, waitForRemoteVideo, type AppProcess, type Browser, type Coturn, type Page, enterRoom } from './harness.ts';

describe('calls through TURN', () => {
  let turn: Coturn;
  let app: AppProcess;
  let browser: Browser;

  before(async () => {
    turn = await startCoturn(randomBytes(32).toString('base64url'));
    app = await startApp({ TURN_URLS: turn.url, TURN_SECRET: turn.secret, TURN_TTL_SECONDS: '600', ICE_TRANSPORT_POLICY: 'relay' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
    await turn?.stop();
  });

  test('two browsers forced to relay connect through coturn and decode video', async () => {
    const pages: Page[] = [];
    for (const name of ['relayA', 'relayB']) {
      const page = await (await newUserContext(browser, app.origin)).newPage();
      await registerThroughUi(page, `${name}${process.pid}`);
      pages.push(page);
    }
    const [a, b] = pages as [Page, Page];
    const roomId = await createRoom(a, 'Relayed');
    await enterRoom(a, roomId);
    await enterRoom(b, roomId);
    await Promise.all([waitForRemoteVideo(a, 1), waitForRemoteVideo(b, 1)]);
    // Each tile says how the call is routed, from the selected candidate pair.
    for (const page of [a, b]) {
      await page.locator('.tile[data-self=false][data-path=relay]').waitFor();
      assert.equal(await page.locator('.tile[data-self=false][data-path=direct]').count(), 0);
    }
  });

  test('the app hands TURN credentials only to signed-in users, valid for the configured time', async () => {
    const anonymous = await fetch(`${app.origin}/api/ice-servers`);
    assert.equal(anonymous.status, 401);
    const page = await (await newUserContext(browser, app.origin)).newPage();
    await registerThroughUi(page, `creds${process.pid}`);
    const config = await page.evaluate(async () => (await fetch('/api/ice-servers')).json());
    const server = config.iceServers.find((s: { urls: string[] }) => s.urls.includes(turn.url));
    const [expiry] = server.username.split(':');
    const secondsLeft = Number(expiry) - Date.now() / 1000;
    assert.ok(secondsLeft > 590 && secondsLeft <= 600, `expires in ${secondsLeft}s`);
    assert.equal(await turnAllocates(turn.port, server.username, server.credential), true, 'coturn accepts the minted credential');
  });

  test('coturn refuses expired and forged credentials', async () => {
    const expired = turnCredential(turn.secret, 'someone', -60);
    assert.equal(await turnAllocates(turn.port, expired.username, expired.credential), false);
    const valid = turnCredential(turn.secret, 'someone', 600);
    assert.equal(await turnAllocates(turn.port, valid.username, Buffer.from('forged').toString('base64')), false);
    const otherSecret = turnCredential('another secret of at least 32 chars!', 'someone', 600);
    assert.equal(await turnAllocates(turn.port, otherSecret.username, otherSecret.credential), false);
  });
});
