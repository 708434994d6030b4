/**
 * A call survives its signalling server: killed (-9) or stopped (SIGTERM)
 * mid-call, media keeps flowing peer to peer, the pages say they are
 * reconnecting, and when the server is back they resume the same peer
 * connections with the right roster, and the chat works again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRoom, decodedFrames, launchBrowser, newUserContext, registerThroughUi, startApp, waitForRemoteVideo, type AppProcess, type Browser, type Page, enterRoom } from './harness.ts';

/** Marks the current RTCPeerConnection objects so a later check can tell if they were replaced. */
function markPeerConnections(page: Page): Promise<number> {
  return page.evaluate(() => {
    const pcs = (window as any).__call.connections() as RTCPeerConnection[];
    (window as any).__markedPcs = pcs;
    return pcs.length;
  });
}

function samePeerConnections(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const now = (window as any).__call.connections() as RTCPeerConnection[];
    const before = (window as any).__markedPcs as unknown[];
    return now.length === before.length && now.every((pc, i) => pc === before[i] && (pc as RTCPeerConnection).connectionState === 'connected');
  });
}

/** Waits until the remote video has decoded `more` frames beyond what it had. */
async function framesKeepComing(page: Page, more = 15): Promise<void> {
  const start = Object.values(await decodedFrames(page))[0] ?? 0;
  await page.waitForFunction(
    async ({ start, more }) => {
      const frames = Object.values(await (window as any).__call.decodedFrames()) as number[];
      return (frames[0] ?? 0) >= start + more;
    },
    { start, more },
    { polling: 200, timeout: 10_000 },
  );
}

describe('a server gone for good', () => {
  test('ends the call cleanly with "call lost" and a rejoin button', async () => {
    const app = await startApp({ CALL_LOST_SECONDS: '3' });
    const browser = await launchBrowser();
    try {
      const page = await (await newUserContext(browser, app.origin)).newPage();
      await registerThroughUi(page, `lost${process.pid}`);
      await enterRoom(page, await createRoom(page, 'Gone'));
      await page.getByText('1 in the room').waitFor();
      await app.kill('SIGKILL');
      await page.getByText('Connection lost. Reconnecting…').waitFor();
      await page.getByText('Call lost: the server could not be reached').waitFor({ timeout: 10_000 });
      await page.getByRole('button', { name: 'Rejoin' }).waitFor();
      const cameraStopped = await page.evaluate(() => {
        const video = document.querySelector<HTMLVideoElement>('.tile[data-self="true"] video');
        return (video?.srcObject as MediaStream | null)?.getTracks().every((t) => t.readyState === 'ended') ?? false;
      });
      assert.equal(cameraStopped, true, 'the camera is released');
    } finally {
      await browser.close();
      await app.stop();
    }
  });
});

describe('a call survives a server restart', () => {
  let app: AppProcess;
  let browser: Browser;
  let a: Page;
  let b: Page;

  before(async () => {
    app = await startApp();
    browser = await launchBrowser();
    a = await (await newUserContext(browser, app.origin)).newPage();
    b = await (await newUserContext(browser, app.origin)).newPage();
    await registerThroughUi(a, `keepA${process.pid}`);
    await registerThroughUi(b, `keepB${process.pid}`);
    const roomId = await createRoom(a, 'Resilient');
    await enterRoom(a, roomId);
    await enterRoom(b, roomId);
    await Promise.all([waitForRemoteVideo(a, 1), waitForRemoteVideo(b, 1)]);
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    test(`${signal}: media flows while the server is down; the same peer connections resume`, async () => {
      assert.equal(await markPeerConnections(a), 1);
      assert.equal(await markPeerConnections(b), 1);
      await app.kill(signal);
      await a.getByText('Connection lost. Reconnecting…').waitFor({ timeout: 3000 });
      await b.getByText('Connection lost. Reconnecting…').waitFor({ timeout: 3000 });
      await Promise.all([framesKeepComing(a), framesKeepComing(b)]);

      await app.restart();
      for (const page of [a, b]) {
        await page.getByText('Connection lost. Reconnecting…').waitFor({ state: 'hidden', timeout: 15_000 });
        await page.getByText('2 in the room').waitFor();
      }
      assert.equal(await samePeerConnections(a), true, 'A kept its peer connection');
      assert.equal(await samePeerConnections(b), true, 'B kept its peer connection');
      assert.equal(await a.locator('.tile').count(), 2, 'no duplicate participant at A');
      assert.equal(await b.locator('.tile').count(), 2, 'no duplicate participant at B');
      await Promise.all([framesKeepComing(a), framesKeepComing(b)]);

      const text = `after ${signal}`;
      await a.getByLabel('Message').fill(text);
      await a.getByLabel('Message').press('Enter');
      await b.locator('.message', { hasText: text }).waitFor();
    });
  }
});
