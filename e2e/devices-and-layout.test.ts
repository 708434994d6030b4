/**
 * What a user without a working camera sees, the phone layout, and an
 * accessibility scan of every page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { createRoom, joinCall, launchBrowser, newUserContext, registerThroughUi, startApp, waitForRemoteVideo, watchPage, type AppProcess, type Browser, type Page, type PageProblems, enterRoom } from './harness.ts';


/** Makes getUserMedia fail the way a browser does when the user blocked the camera. */
async function blockCamera(page: Page): Promise<void> {
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
}

describe('devices, phones and accessibility', () => {
  let app: AppProcess;
  let browser: Browser;
  const problems: PageProblems[] = [];

  /** Two users registered through the UI, each on a watched page; the host has created a room. */
  async function hostAndGuest(prefix: string, roomName: string, guestViewport?: { width: number; height: number }) {
    const host = await (await newUserContext(browser, app.origin)).newPage();
    const guest = await (await newUserContext(browser, app.origin, guestViewport ? { viewport: guestViewport } : {})).newPage();
    problems.push(watchPage(host), watchPage(guest));
    await registerThroughUi(host, `${prefix}host${process.pid}`);
    await registerThroughUi(guest, `${prefix}guest${process.pid}`);
    return { host, guest, roomId: await createRoom(host, roomName) };
  }

  before(async () => {
    app = await startApp();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  test('with the camera blocked, a user is told how to fix it and still watches and chats', async () => {
    const { host, guest: viewer, roomId } = await hostAndGuest('watch', 'Watch party');
    await blockCamera(viewer);
    await enterRoom(host, roomId);
    await enterRoom(viewer, roomId);
    await viewer.getByText(/Camera and microphone are blocked.*allow them in the browser/).waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'Mute microphone' }).isDisabled(), true);
    await waitForRemoteVideo(viewer, 1);
    await viewer.getByLabel('Message').fill('I can only watch');
    await viewer.getByLabel('Message').press('Enter');
    await host.locator('.message', { hasText: 'I can only watch' }).waitFor();
    await host.close();
    await viewer.close();
  });

  test('the pre-join screen previews my camera; nobody sees me until I join, with the devices I chose', async () => {
    const { host, guest, roomId } = await hostAndGuest('lobby', 'Lobby');
    await enterRoom(host, roomId);
    await host.getByText('1 in the room').waitFor();

    // The socket connects while the guest looks at the preview, before Join.
    const socketOpened = guest.waitForEvent('websocket');
    await guest.goto(`/room/${roomId}`);
    await socketOpened;
    await guest.getByRole('heading', { name: 'Ready to join?' }).waitFor();
    await guest.waitForFunction(() => {
      const video = document.querySelector<HTMLVideoElement>('.tile[data-self="true"] video');
      return video !== null && video.readyState >= 2 && video.videoWidth > 0;
    });
    assert.equal(await guest.getByRole('button', { name: 'Leave' }).isVisible(), false, 'nothing to leave yet');
    assert.equal(await guest.locator('[data-panel]').isVisible(), false, 'the chat is for those in the call');
    await guest.getByRole('button', { name: 'Turn camera off' }).click();
    assert.deepEqual(await guest.evaluate(() => fetch('/api/rooms').then((r) => r.json())), [], 'not a member before joining');
    assert.equal(await host.locator('.tile').count(), 1, 'the host sees nobody new');

    await joinCall(guest);
    const guestTile = host.locator('.tile[data-self="false"]');
    await guestTile.waitFor();
    await host.getByText('2 in the room').waitFor();
    assert.equal(await guestTile.getAttribute('data-video'), 'false', 'joined with the camera off, as chosen');
    assert.equal((await guest.evaluate(() => fetch('/api/rooms').then((r) => r.json())) as unknown[]).length, 1, 'a member once joined');

    // A reload in the call goes straight back in, without the pre-join screen.
    await guest.reload();
    await guest.getByText('2 in the room').waitFor();
    assert.equal(await guest.locator('[data-lobby]').isVisible(), false);
    await waitForRemoteVideo(host, 1);

    // Left by the back arrow, not Leave: coming back is the pre-join screen again, not straight onto camera.
    await guest.locator('a.back').click();
    await guest.waitForURL('**/dashboard');
    await guest.goto(`/room/${roomId}`);
    await guest.getByRole('heading', { name: 'Ready to join?' }).waitFor();
    await host.getByText('1 in the room').waitFor();

    // Signed out in another tab while waiting: Join leads to the sign-in page, not to endless reconnecting.
    const otherTab = await guest.context().newPage();
    await otherTab.goto('/dashboard');
    await otherTab.getByRole('button', { name: 'Sign out' }).click();
    await otherTab.waitForURL((url) => url.pathname === '/');
    await joinCall(guest);
    await guest.waitForURL((url) => url.pathname === '/' && url.search.includes('next='));
    await host.close();
    await guest.close();
    await otherTab.close();
  });

  test('the room page fits a 360×740 phone: no horizontal scroll, controls visible, chat folded', async () => {
    const { host: desk, guest: phone, roomId } = await hostAndGuest('phone', 'A room with a rather long name that must not push the layout sideways', { width: 360, height: 740 });
    const overflowOf = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await enterRoom(desk, roomId);
    await phone.goto(`/room/${roomId}`);
    const join = await phone.getByRole('button', { name: 'Join now', exact: true }).boundingBox();
    assert.ok(join && join.y >= 0 && join.y + join.height <= 740 && join.x >= 0 && join.x + join.width <= 360, 'Join is on screen');
    assert.ok((await overflowOf(phone)) <= 0, 'no horizontal scroll on the pre-join screen');
    await joinCall(phone);
    await waitForRemoteVideo(phone, 1);
    await phone.screenshot({ path: 'test-results/room-360.png' });
    assert.ok((await overflowOf(phone)) <= 0, 'no horizontal scroll in the room');
    assert.equal(await phone.locator('[data-panel]').isVisible(), false, 'the chat starts folded on a phone');
    for (const name of ['Mute microphone', 'Turn camera off', 'Chat', 'Leave']) {
      const box = await phone.getByRole('button', { name, exact: true }).boundingBox();
      assert.ok(box && box.y >= 0 && box.y + box.height <= 740 && box.x >= 0 && box.x + box.width <= 360, `${name} is on screen`);
    }
    await phone.getByRole('button', { name: 'Chat', exact: true }).click();
    await phone.getByLabel('Message').fill('from my phone');
    await phone.getByLabel('Message').press('Enter');
    await desk.locator('.message', { hasText: 'from my phone' }).waitFor();
    assert.ok((await overflowOf(phone)) <= 0, 'still no horizontal scroll with the chat open');
    await phone.goto('/dashboard');
    await phone.locator('#rooms li').waitFor();
    assert.ok((await overflowOf(phone)) <= 0, 'no horizontal scroll on the dashboard');
    await phone.screenshot({ path: 'test-results/dashboard-360.png' });
  });

  for (const colorScheme of ['light', 'dark'] as const) test(`every screen, in the ${colorScheme} theme, has no serious or critical accessibility violations`, async () => {
    const page = await (await newUserContext(browser, app.origin, { colorScheme })).newPage();
    problems.push(watchPage(page));
    const scan = async (label: string) => {
      const results = await new AxeBuilder({ page }).analyze();
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(serious.map((v) => `${label}: ${v.id} (${v.nodes.length})`), []);
    };
    await page.goto('/');
    await scan('sign-in');
    await registerThroughUi(page, `axe${colorScheme}${process.pid}`);
    await createRoom(page, 'Accessible');
    await page.reload();
    await page.locator('#rooms li').waitFor();
    await scan('dashboard');
    await page.getByText('More for Accessible').click();
    await page.getByRole('button', { name: 'Make a guest link' }).click();
    await page.locator('[data-guest-link]').waitFor();
    // The toast saying so fades in: scanned half-faded, its contrast would be half too.
    await page.waitForFunction(() => getComputedStyle(document.querySelector('[data-toast]')!).opacity === '1');
    await scan('dashboard, the owner’s menu of a room');
    await page.locator('#rooms li').getByRole('link', { name: 'Join' }).click();
    await page.locator('[data-preview] .tile').waitFor();
    await scan('pre-join screen');
    await page.getByRole('button', { name: 'Join now', exact: true }).click();
    await page.getByText('1 in the room').waitFor();
    await page.screenshot({ path: `test-results/room-alone-${colorScheme}.png` });
    await scan('room, alone, with the chat');
    await page.getByRole('tab', { name: 'People' }).click();
    await scan('room, people');
    await page.getByRole('button', { name: 'More' }).click();
    await scan('room, menu');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Reactions' }).click();
    await scan('room, reactions');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
    await scan('room, shortcuts');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'More' }).click();
    await page.getByRole('button', { name: 'Show a QR code of the link' }).click();
    await page.getByRole('img', { name: 'Scan to join “Accessible”' }).waitFor();
    await scan('room, QR code');
    await page.keyboard.press('Escape');
    await page.goto('/account');
    await scan('account');
    await page.goto('/no/such/page');
    await scan('not found');
  });

  test('the API documentation renders without a CSP violation and loads nothing from elsewhere', async () => {
    const page = await (await newUserContext(browser, app.origin)).newPage();
    problems.push(watchPage(page));
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(app.origin)) elsewhere.push(request.url());
    });
    await page.goto('/docs');
    await page.getByText('Callroom API').first().waitFor();
    await page.getByText('/api/rooms').first().waitFor();
    assert.deepEqual(elsewhere, []);
  });

  test('the Russian interface is complete', async () => {
    const context = await browser.newContext({ baseURL: app.origin, locale: 'ru-RU', permissions: ['camera', 'microphone'] });
    const page = await context.newPage();
    problems.push(watchPage(page));
    await page.goto('/');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
    await page.getByRole('button', { name: 'Войти' }).waitFor();
    await page.getByLabel('Язык').selectOption('en');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  test('no CSP or Trusted Types violation and no uncaught error on any page', () => {
    assert.deepEqual(problems.flatMap((p) => p.csp), []);
    assert.deepEqual(problems.flatMap((p) => p.errors), []);
  });
});
