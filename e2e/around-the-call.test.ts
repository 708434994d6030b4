/**
 * Around the call, in real browsers: a call that rings and is declined or
 * missed, a guest who joins through the owner's link (and leaves when it is
 * withdrawn), the owner muting and removing a participant, locking the room,
 * the room's QR code, a chat allowance, and the app's manifest.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRoom, joinCall, launchBrowser, newUserContext, openChat, signUp, startApp, waitForRemoteVideo, watchPage, type AppProcess, type Browser, type Page, type PageProblems } from './harness.ts';

/** A ring that nobody answers is missed after this long here (30 s by default). */
const RING_SECONDS = 3;
/** Messages a user may send per day, low so the test reaches it. */
const CHAT_MESSAGES_PER_DAY = 3;

describe('around the call', () => {
  let app: AppProcess;
  let browser: Browser;
  const problems: PageProblems[] = [];
  const tag = String(process.pid);
  const names = { alice: `alice${tag}`, bob: `bob${tag}`, carol: `carol${tag}`, dave: `dave${tag}` };

  /** A signed-up user's page, watched for CSP violations and errors. */
  async function userPage(name: string): Promise<Page> {
    const page = await (await newUserContext(browser, app.origin)).newPage();
    problems.push(watchPage(page));
    await signUp(page, name);
    return page;
  }

  const invite = (page: Page, roomId: string, username: string) =>
    page.evaluate(async ([room, name]) => (await fetch('/send_link', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ room_id: room, username: name }) })).status, [roomId, username] as const);

  before(async () => {
    app = await startApp({ RING_SECONDS: String(RING_SECONDS), CHAT_MESSAGES_PER_DAY: String(CHAT_MESSAGES_PER_DAY) });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  test('a call that is declined, then one nobody answers: both sides see how it ended', async () => {
    const alice = await userPage(`${names.alice}r`);
    const carol = await userPage(names.carol);
    await createRoom(alice, 'Standup');
    await alice.goto('/dashboard');
    await carol.goto('/dashboard');
    // Carol is online (her dashboard is open): sending her the link rings.
    const card = alice.locator('#rooms li', { hasText: 'Standup' });
    await card.getByPlaceholder('Username to invite').fill(names.carol);
    await card.getByRole('button', { name: 'Send' }).click();
    const ringing = carol.getByRole('dialog', { name: 'Incoming call' });
    await ringing.getByText(`${names.alice}r is calling you to “Standup”`).waitFor();
    await ringing.getByRole('button', { name: 'Decline' }).click();
    await ringing.waitFor({ state: 'hidden' });
    await alice.locator('#calls li[data-state=declined]', { hasText: `${names.carol} declined (“Standup”)` }).waitFor();
    await carol.locator('#calls li[data-state=declined]', { hasText: 'You declined' }).waitFor();
    assert.equal(await carol.locator('#invitations li').count(), 0, 'declining the call declined the invitation');

    await card.getByPlaceholder('Username to invite').fill(names.carol);
    await card.getByRole('button', { name: 'Send' }).click();
    await ringing.waitFor();
    const rangAt = Date.now();
    // Nobody answers: the dialog goes away by itself, and it is a missed call on both sides.
    await ringing.waitFor({ state: 'hidden', timeout: (RING_SECONDS + 5) * 1000 });
    assert.ok(Date.now() - rangAt > (RING_SECONDS - 1) * 1000, 'it rang for the whole ring time');
    await alice.locator('#calls li[data-state=missed]', { hasText: `${names.carol} did not answer (“Standup”)` }).waitFor();
    await carol.locator('#calls li[data-state=missed]', { hasText: `Missed call from ${names.alice}r` }).waitFor();
    assert.equal(await alice.locator('[data-toast]', { hasText: `${names.carol} did not answer` }).count(), 1, 'the caller is told at once');
    // A missed call leaves the invitation to answer later.
    await carol.locator('#invitations li', { hasText: 'Standup' }).getByRole('button', { name: 'Accept' }).click();
    await carol.locator('#rooms li', { hasText: 'Standup' }).waitFor();
    assert.equal(await carol.locator('#invitations li').count(), 0);
    await alice.context().close();
    await carol.context().close();
  });

  describe('in the owner’s call', () => {
    let alice: Page;
    let bob: Page;
    let roomId: string;

    before(async () => {
      alice = await userPage(names.alice);
      bob = await userPage(names.bob);
      roomId = await createRoom(alice, 'Owned');
      assert.equal(await invite(alice, roomId, names.bob), 201);
      await bob.evaluate(async () => {
        const [invitation] = (await (await fetch('/api/invitations')).json()) as Array<{ id: string }>;
        await fetch(`/api/invitations/${invitation!.id}/accept`, { method: 'POST' });
      });
      await alice.goto(`/room/${roomId}`);
      await joinCall(alice);
      await bob.goto(`/room/${roomId}`);
      await joinCall(bob);
      await Promise.all([waitForRemoteVideo(alice, 1), waitForRemoteVideo(bob, 1)]);
    });

    test('a guest joins through the owner’s link, marked as a guest, and is let go when it is withdrawn', async () => {
      const dashboard = await alice.context().newPage();
      problems.push(watchPage(dashboard));
      await dashboard.goto('/dashboard');
      await dashboard.getByText('More for Owned').click();
      await dashboard.getByRole('button', { name: 'Make a guest link' }).click();
      const link = await dashboard.locator(`[data-guest-link="${roomId}"]`).inputValue();
      assert.match(link, /\/guest\/[\w-]{20,}$/);
      await dashboard.getByText(/Guests can join until/).waitFor();

      // No account: a name, then the room's pre-join screen. The name is a member's: it shows as a guest's.
      const guest = await (await newUserContext(browser, app.origin)).newPage();
      problems.push(watchPage(guest));
      await guest.goto(link);
      await guest.getByText('You are invited to “Owned”').waitFor();
      await guest.getByLabel('Your name').fill(names.alice);
      await guest.getByRole('button', { name: 'Continue' }).click();
      await guest.waitForURL(`**/room/${roomId}`);
      await joinCall(guest);
      await waitForRemoteVideo(guest, 2);
      await alice.locator('.tile .name', { hasText: `${names.alice} (guest)` }).waitFor();
      assert.equal(await guest.locator('a.back').isVisible(), false, 'a guest has no dashboard to go back to');
      await guest.getByRole('button', { name: 'More' }).click();
      assert.equal(await guest.getByRole('button', { name: 'Show a QR code of the link' }).isVisible(), false);
      await guest.keyboard.press('Escape');
      await guest.goto('/dashboard');
      await guest.waitForURL(`**/room/${roomId}`);
      assert.equal((await guest.evaluate(async () => (await fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'mine' }) })).status)), 403, 'a guest cannot create rooms');
      await joinCall(guest);
      // Back in the call for sure (the tile alone could still be the seat from before the page changed).
      await waitForRemoteVideo(guest, 2);
      await alice.locator('.tile .name', { hasText: `${names.alice} (guest)` }).waitFor();
      // The owner's dashboard, open all along, marks the guest among who is in the call, as the call does.
      await dashboard.locator(`[data-room="${roomId}"] .in-call`, { hasText: `${names.alice} (guest)` }).waitFor();
      await dashboard.screenshot({ path: 'test-results/dashboard-guest-in-call.png' });
      await dashboard.setViewportSize({ width: 360, height: 740 });
      await dashboard.locator(`[data-room="${roomId}"]`).scrollIntoViewIfNeeded();
      await dashboard.screenshot({ path: 'test-results/dashboard-guest-in-call-phone.png' });
      await dashboard.setViewportSize({ width: 1280, height: 800 });

      await dashboard.getByRole('button', { name: 'Withdraw' }).click();
      await guest.getByText('This guest link has expired or was withdrawn. Ask for a new one.').waitFor();
      assert.equal(await guest.getByRole('button', { name: 'Rejoin' }).isVisible(), false);
      await alice.locator('.tile .name', { hasText: `${names.alice} (guest)` }).waitFor({ state: 'detached' });
      await guest.goto(link);
      await guest.getByRole('heading', { name: 'This guest link does not work' }).waitFor();
      await dashboard.close();
      await guest.context().close();
    });

    test('the owner mutes a participant, then removes them; their page says so', async () => {
      await alice.getByRole('button', { name: 'People' }).first().click();
      await alice.getByRole('button', { name: `What to do about ${names.bob}` }).click();
      await alice.getByRole('button', { name: `Mute ${names.bob}` }).click();
      await bob.getByText(`${names.alice} muted your microphone.`).waitFor();
      await bob.getByRole('button', { name: 'Unmute microphone' }).first().waitFor();
      await alice.waitForFunction(() => document.querySelector<HTMLElement>('.tile[data-self=false]')?.dataset.audio === 'false');
      assert.equal(await alice.getByRole('button', { name: `Mute ${names.bob}` }).isDisabled(), true, 'already muted');
      // Only the owner has these controls.
      await bob.getByRole('button', { name: 'People' }).first().click();
      assert.equal(await bob.getByRole('button', { name: `What to do about ${names.alice}` }).count(), 0);

      alice.once('dialog', (dialog) => void dialog.accept());
      await alice.getByRole('button', { name: `Remove ${names.bob}` }).click();
      await bob.getByText('The room’s owner removed you from the call.').waitFor();
      assert.equal(await bob.getByRole('button', { name: 'Rejoin' }).isVisible(), false);
      await alice.getByText('1 in the room').waitFor();
      await bob.goto('/dashboard');
      await bob.locator('[data-empty=rooms]').waitFor();
      assert.equal(await bob.locator('#rooms li').count(), 0, 'no longer a member');
    });

    test('the owner locks the room from the call: someone new is kept out until it opens again', async () => {
      await alice.getByRole('button', { name: 'More' }).click();
      await alice.getByRole('button', { name: 'Lock the room (members only)' }).click();
      await alice.getByText('The room is locked: only members can join.').first().waitFor();
      assert.equal(await alice.locator('[data-locked-mark]').isVisible(), true);
      const dave = await userPage(names.dave);
      await dave.goto(`/room/${roomId}`);
      await joinCall(dave);
      await dave.getByText('This room is locked: only its members can join.').waitFor();
      assert.equal(await dave.getByRole('button', { name: 'Rejoin' }).isVisible(), false);

      await alice.getByRole('button', { name: 'More' }).click();
      await alice.getByRole('button', { name: 'Unlock the room' }).click();
      await alice.getByText('The room is open to anyone with the link.').waitFor();
      await dave.goto(`/room/${roomId}`);
      await joinCall(dave);
      await alice.getByText('2 in the room').waitFor();
      await dave.context().close();
    });

    test('the room’s link as a QR code, for a phone', async () => {
      await alice.getByRole('button', { name: 'More' }).click();
      await alice.getByRole('button', { name: 'Show a QR code of the link' }).click();
      const dialog = alice.getByRole('dialog', { name: 'Scan to join “Owned”' });
      await dialog.getByRole('img', { name: 'Scan to join “Owned”' }).waitFor();
      assert.equal(await dialog.locator('[data-qr-link]').textContent(), `${app.origin}/room/${roomId}`);
      // A QR code of a short link is 25 to 41 modules wide, plus the quiet zone.
      const modules = await dialog.locator('svg').evaluate((svg) => Number(svg.getAttribute('viewBox')!.split(' ')[2]));
      assert.ok(modules >= 29 && modules <= 45, String(modules));
      await alice.screenshot({ path: 'test-results/room-qr.png' });
      await dialog.getByRole('button', { name: 'Close' }).click();
    });

    test('over the daily allowance, a message is kept on screen as not sent, and the page says when to try again', async () => {
      await openChat(alice);
      for (let i = 1; i <= CHAT_MESSAGES_PER_DAY + 1; i += 1) {
        await alice.getByLabel('Message').fill(`message ${i}`);
        await alice.getByLabel('Message').press('Enter');
      }
      await alice.waitForFunction((n) => document.querySelectorAll('[data-messages] .message[data-seq]').length === n, CHAT_MESSAGES_PER_DAY);
      const refused = alice.locator('.message.refused', { hasText: `message ${CHAT_MESSAGES_PER_DAY + 1}` });
      await refused.getByText('not sent').waitFor();
      await alice.getByText(/You reached today’s message allowance, so this one was not sent\. You can write again from \d/).waitFor();
      assert.deepEqual(await alice.evaluate((key) => sessionStorage.getItem(key), `outbox:${roomId}`), '[]', 'it is not sent again and again');
    });
  });

  test('the app installs on a phone: a manifest with icons, linked from every page', async () => {
    const page = await (await newUserContext(browser, app.origin)).newPage();
    await page.goto('/');
    const href = await page.locator('link[rel=manifest]').getAttribute('href');
    const manifest = await page.evaluate(async (url) => {
      const response = await fetch(url!);
      return { type: response.headers.get('content-type'), body: (await response.json()) as { start_url: string; display: string; icons: Array<{ src: string; sizes: string; type: string }> } };
    }, href);
    assert.match(manifest.type ?? '', /^application\/manifest\+json/);
    assert.equal(manifest.body.start_url, '/dashboard');
    assert.equal(manifest.body.display, 'standalone');
    for (const icon of manifest.body.icons) {
      const fetched = await page.evaluate(async (src) => {
        const response = await fetch(src);
        return { status: response.status, type: response.headers.get('content-type') };
      }, icon.src);
      assert.deepEqual(fetched, { status: 200, type: icon.type }, icon.src);
    }
    const touchIcon = await page.locator('link[rel=apple-touch-icon]').getAttribute('href');
    assert.equal(await page.evaluate(async (src) => (await fetch(src!)).status, touchIcon), 200);
  });

  test('no page hit a CSP or Trusted Types violation or an uncaught error', () => {
    assert.deepEqual(problems.flatMap((p) => p.csp), []);
    assert.deepEqual(problems.flatMap((p) => p.errors), []);
  });
});
