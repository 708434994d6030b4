/**
 * The whole product in two real browsers: sign up, create a room, invite,
 * the invitee's dashboard rings, they answer and both are in the call, see
 * each other's video, chat, mute, reload, leave.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinCall, launchBrowser, newUserContext, registerThroughUi, startApp, waitForRemoteVideo, watchPage, type AppProcess, type Browser, type Page, type PageProblems } from './harness.ts';

describe('a call between two users', () => {
  let app: AppProcess;
  let browser: Browser;
  let alicePage: Page;
  let bobPage: Page;
  const problems: PageProblems[] = [];
  const alice = `alice${process.pid}`;
  const bob = `bob${process.pid}`;

  before(async () => {
    app = await startApp();
    browser = await launchBrowser();
    alicePage = await (await newUserContext(browser, app.origin)).newPage();
    bobPage = await (await newUserContext(browser, app.origin)).newPage();
    problems.push(watchPage(alicePage), watchPage(bobPage));
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  test('both register, alice creates a room and sends its link to bob, whose dashboard rings at once', async () => {
    await registerThroughUi(alicePage, alice);
    await registerThroughUi(bobPage, bob);
    await alicePage.getByLabel('Room name').fill('Weekly sync');
    await alicePage.getByRole('button', { name: 'Create' }).click();
    const card = alicePage.locator('#rooms li', { hasText: 'Weekly sync' });
    await card.waitFor();
    await card.getByPlaceholder('Username to invite').fill(bob);
    const sentAt = Date.now();
    await card.getByRole('button', { name: 'Send' }).click();
    const ringing = bobPage.getByRole('dialog', { name: 'Incoming call' });
    await ringing.waitFor({ timeout: 1000 });
    assert.ok(Date.now() - sentAt < 1000, 'the call rang within a second without a reload');
    assert.equal(await ringing.getByText(`${alice} is calling you to “Weekly sync”`).count(), 1);
    // The invitation waits under the ringing dialog too, to answer later.
    assert.equal(await bobPage.locator('#invitations li', { hasText: `${alice} invited you to “Weekly sync”` }).count(), 1);
    await alicePage.getByText(`Invitation sent to ${bob}`).waitFor();
  });

  test('bob answers: both join and decode each other’s video', async () => {
    await alicePage.locator('#rooms li', { hasText: 'Weekly sync' }).getByRole('link', { name: 'Join' }).click();
    await alicePage.waitForURL('**/room/*');
    await joinCall(alicePage);
    await bobPage.getByRole('dialog', { name: 'Incoming call' }).getByRole('button', { name: 'Join the call' }).click();
    await bobPage.waitForURL(alicePage.url());
    await joinCall(bobPage);
    const [atAlice, atBob] = await Promise.all([waitForRemoteVideo(alicePage, 1), waitForRemoteVideo(bobPage, 1)]);
    assert.ok(Object.values(atAlice)[0]! > 0 && Object.values(atBob)[0]! > 0);
    await alicePage.locator('.tile', { hasText: bob }).waitFor();
    await bobPage.locator('.tile', { hasText: alice }).waitFor();
    assert.equal(await alicePage.getByText('2 in the room').count(), 1);
  });

  test('chat goes both ways, shows names, and survives a reload', async () => {
    await alicePage.getByLabel('Message').fill('Hello from <b>alice</b>');
    await alicePage.getByLabel('Message').press('Enter');
    const atBob = bobPage.locator('.message', { hasText: 'Hello from <b>alice</b>' });
    await atBob.waitFor();
    assert.equal(await atBob.locator('.author').textContent(), alice);
    assert.equal(await bobPage.locator('.message b').count(), 0, 'chat is text, never HTML');
    await bobPage.getByLabel('Message').fill('Hi alice');
    await bobPage.getByRole('button', { name: 'Send' }).click();
    await alicePage.locator('.message', { hasText: 'Hi alice' }).waitFor();

    await bobPage.reload();
    await bobPage.locator('.message', { hasText: 'Hello from <b>alice</b>' }).waitFor();
    await bobPage.locator('.message', { hasText: 'Hi alice' }).waitFor();
    assert.equal(await bobPage.locator('.message').count(), 2, 'no duplicates after the reload');
    await waitForRemoteVideo(bobPage, 1);
    await waitForRemoteVideo(alicePage, 1);
    await alicePage.screenshot({ path: 'test-results/room-desktop.png' });
  });

  test('alice mutes and turns her camera off; bob sees it', async () => {
    await alicePage.getByRole('button', { name: 'Mute microphone' }).click();
    const aliceTileAtBob = bobPage.locator('.tile', { hasText: alice });
    await bobPage.waitForFunction((name) => {
      const tile = [...document.querySelectorAll<HTMLElement>('.tile')].find((t) => t.textContent?.includes(name));
      return tile?.dataset.audio === 'false';
    }, alice);
    assert.equal(await aliceTileAtBob.locator('.mic-off').isVisible(), true);
    await alicePage.getByRole('button', { name: 'Turn camera off' }).click();
    await bobPage.waitForFunction((name) => {
      const tile = [...document.querySelectorAll<HTMLElement>('.tile')].find((t) => t.textContent?.includes(name));
      return tile?.classList.contains('no-video');
    }, alice);
    await alicePage.getByRole('button', { name: 'Unmute microphone' }).click();
    await bobPage.waitForFunction((name) => {
      const tile = [...document.querySelectorAll<HTMLElement>('.tile')].find((t) => t.textContent?.includes(name));
      return tile?.dataset.audio === 'true';
    }, alice);
  });

  test('bob leaves and alice sees him gone, even with a statistics reading under way as he left', async () => {
    // Alice's page reads the link statistics every 2 s. On a busy machine a reading can
    // still be under way when Bob leaves: hold her readings until he has gone, then let
    // them end, as they would late.
    await alicePage.evaluate(() => {
      const w = window as unknown as { heldStats: (() => void)[]; releaseStats(): Promise<void> };
      const getStats = RTCPeerConnection.prototype.getStats;
      w.heldStats = [];
      RTCPeerConnection.prototype.getStats = function (this: RTCPeerConnection, ...args: []) {
        const report = getStats.apply(this, args);
        return new Promise((resolve) => w.heldStats.push(() => resolve(report)));
      };
      w.releaseStats = () => {
        RTCPeerConnection.prototype.getStats = getStats;
        for (const release of w.heldStats.splice(0)) release();
        // The page's handlers run in the microtasks before this timer.
        return new Promise((resolve) => setTimeout(resolve));
      };
    });
    await alicePage.waitForFunction(() => (window as unknown as { heldStats: unknown[] }).heldStats.length > 0);
    await bobPage.getByRole('button', { name: 'Leave' }).click();
    await bobPage.getByText('You left the room.').waitFor();
    await alicePage.locator('.tile', { hasText: bob }).waitFor({ state: 'detached' });
    await alicePage.getByText('1 in the room').waitFor();
    await alicePage.evaluate(() => (window as unknown as { releaseStats(): Promise<void> }).releaseStats());
    assert.equal(await alicePage.locator('.tile', { hasText: bob }).count(), 0, 'a late statistics reading does not bring his tile back');
  });

  test('no page hit a CSP or Trusted Types violation or an uncaught error', () => {
    assert.deepEqual(problems.flatMap((p) => p.csp), []);
    assert.deepEqual(problems.flatMap((p) => p.errors), []);
  });
});
