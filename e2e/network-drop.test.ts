/**
 * One side's network drops mid-call and comes back: ICE restarts (the page
 * does not wait for `failed`, which may never come) and the call recovers
 * within 5 s of the link returning, on the same peer connections.
 *
 * Topology, all inside the test's own network namespace: two more
 * namespaces, one per browser, each linked to the test's by a veth pair;
 * the server listens on both links and routes between them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createRoom, decodedFrames, registerThroughUi, startApp, waitForRemoteVideo, type AppProcess, enterRoom } from './harness.ts';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const suffix = String(process.pid);
const sides = [
  { ns: `callroom-a-${suffix}`, outer: `cra${suffix}`.slice(0, 15), inner: 'eth0', net: '10.99.1' },
  { ns: `callroom-b-${suffix}`, outer: `crb${suffix}`.slice(0, 15), inner: 'eth0', net: '10.99.2' },
];

describe('a network drop on one side', () => {
  let app: AppProcess;
  const browsers: Browser[] = [];
  let dir: string;
  /** Why the namespaces could not be made (e.g. not real root), if they could not. */
  let unavailable = '';

  before(async () => {
    try {
      ip('netns', 'add', sides[0]!.ns);
      ip('netns', 'delete', sides[0]!.ns);
    } catch (error) {
      unavailable = `cannot create network namespaces here (${String(error).split('\n')[0]})`;
      return;
    }
    execFileSync('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    for (const side of sides) {
      ip('netns', 'add', side.ns);
      ip('link', 'add', side.outer, 'type', 'veth', 'peer', 'name', side.inner, 'netns', side.ns);
      ip('addr', 'add', `${side.net}.1/24`, 'dev', side.outer);
      ip('link', 'set', side.outer, 'up');
      ip('-n', side.ns, 'addr', 'add', `${side.net}.2/24`, 'dev', side.inner);
      ip('-n', side.ns, 'link', 'set', 'lo', 'up');
      ip('-n', side.ns, 'link', 'set', side.inner, 'up');
      ip('-n', side.ns, 'route', 'add', 'default', 'via', `${side.net}.1`);
    }
    app = await startApp({ HOST: '0.0.0.0' });
    dir = mkdtempSync(join(tmpdir(), 'callroom-netns-'));
  });
  after(async () => {
    for (const browser of browsers) await browser.close();
    await app?.stop();
    for (const side of sides) {
      try {
        ip('netns', 'delete', side.ns);
      } catch {
        // already gone
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A browser inside one side's namespace, reaching the server over its veth link. */
  async function browserIn(side: (typeof sides)[number]): Promise<{ page: Page; origin: string }> {
    const port = new URL(app.origin).port;
    const origin = `http://${side.net}.1:${port}`;
    const wrapper = join(dir, `${side.ns}.sh`);
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${side.ns} ${process.env.CHROME_PATH ?? '/usr/bin/chromium'} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const browser = await chromium.launch({
      executablePath: wrapper,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
        // A plain-HTTP test origin that is not localhost: let it use the camera, and show real addresses in ICE.
        `--unsafely-treat-insecure-origin-as-secure=${origin}`, '--disable-features=WebRtcHideLocalIpsWithMdns',
      ],
    });
    browsers.push(browser);
    const context = await browser.newContext({ baseURL: origin, permissions: ['camera', 'microphone'] });
    return { page: await context.newPage(), origin };
  }

  test('ICE restarts and the call recovers within 5 s of the link returning', async (t) => {
    // `ip netns` needs real root; CI runs as root, so there the test must run.
    if (unavailable && process.env.CI !== 'true') return t.skip(unavailable);
    assert.equal(unavailable, '');
    const [a, b] = await Promise.all(sides.map(browserIn));
    await registerThroughUi(a!.page, `dropA${suffix}`);
    await registerThroughUi(b!.page, `dropB${suffix}`);
    const roomId = await createRoom(a!.page, 'Flaky network');
    await enterRoom(a!.page, roomId);
    await enterRoom(b!.page, roomId);
    await Promise.all([waitForRemoteVideo(a!.page, 1), waitForRemoteVideo(b!.page, 1)]);
    const connection = (page: Page) =>
      page.evaluate(() => (window as any).__call.connections()[0]?.iceConnectionState as string | undefined);

    ip('-n', sides[0]!.ns, 'link', 'set', sides[0]!.inner, 'down');
    // Chromium notices in about 6–7 s; the page restarts ICE 2.5 s after that.
    await b!.page.waitForFunction(() => (window as any).__call.connections()[0]?.iceConnectionState === 'disconnected', null, { timeout: 20_000 });
    ip('-n', sides[0]!.ns, 'link', 'set', sides[0]!.inner, 'up');
    ip('-n', sides[0]!.ns, 'route', 'replace', 'default', 'via', `${sides[0]!.net}.1`);
    const back = Date.now();
    for (const side of [a!, b!]) {
      await side.page.waitForFunction(
        () => ['connected', 'completed'].includes((window as any).__call.connections()[0]?.iceConnectionState),
        null,
        { timeout: 5_000 },
      );
    }
    assert.ok(Date.now() - back <= 5_000, `recovered in ${Date.now() - back} ms`);
    assert.deepEqual([await connection(a!.page), await connection(b!.page)].map((s) => ['connected', 'completed'].includes(s ?? '')), [true, true]);
    // And video flows again: more frames decoded on the side whose link dropped.
    const before = Object.values(await decodedFrames(a!.page))[0] ?? 0;
    await a!.page.waitForFunction(
      async (start) => ((Object.values(await (window as any).__call.decodedFrames()) as number[])[0] ?? 0) > start + 10,
      before,
      { timeout: 5_000, polling: 200 },
    );
  });
});
