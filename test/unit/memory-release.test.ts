import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapSpaceStatistics } from 'node:v8';
import { loadMemoryReleaseAddon, startMemoryRelease, type MemoryReleaseAddon } from '../../src/server/memory-release.js';

const MB = 2 ** 20;
const newSpaceMB = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.physical_space_size / MB;
const rssMB = () => process.memoryUsage.rss() / MB;

// The addon is an optional dependency, but where the server is meant to run
// (Linux with glibc, where .ci/run installs a C++ toolchain) it must have
// built: without it an idle server's RSS is 10-15 MB higher. Elsewhere
// (macOS, musl) malloc_trim does not exist and these tests have nothing to check.
const glibc = Boolean((process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);
const loaded = loadMemoryReleaseAddon();
const addon = loaded instanceof Error ? undefined : loaded;
const onGlibc = { skip: glibc ? false : 'malloc_trim is glibc’s: not on this platform' };

test('the memory-release addon is built and loads', onGlibc, () => {
  assert.ok(addon, `callroom-memory-release did not load (${loaded instanceof Error ? loaded.message : ''}): did npm ci build native/memory-release?`);
  assert.equal(typeof addon.lowMemoryNotification, 'function');
  assert.equal(typeof addon.mallocTrim, 'function');
});

test('lowMemoryNotification shrinks a young generation that start-up-like work grew', onGlibc, () => {
  // Objects that survive a few scavenges make V8 grow the young generation, as module loading does.
  let survivors: object[] = [];
  for (let i = 0; i < 400_000; i += 1) {
    survivors.push({ i, label: `x${i}` });
    if (survivors.length > 200_000) survivors = survivors.slice(100_000);
  }
  const grown = newSpaceMB();
  assert.ok(grown >= 8, `the young generation did not grow (${grown.toFixed(1)} MB); the test proves nothing`);
  survivors = [];
  addon!.lowMemoryNotification();
  assert.ok(newSpaceMB() <= 2, `young generation still ${newSpaceMB().toFixed(1)} MB after the notification (was ${grown.toFixed(1)})`);
});

test('mallocTrim returns memory freed in the middle of malloc’s heap', onGlibc, () => {
  // 1,500 buffers of 64 KB (below glibc's mmap threshold, so on its heap);
  // every 16th stays alive, so the freed ones are holes glibc keeps.
  let buffers = Array.from({ length: 1500 }, () => Buffer.allocUnsafeSlow(64 * 1024).fill(1));
  const kept = buffers.filter((_, i) => i % 16 === 0);
  buffers = [];
  addon!.lowMemoryNotification(); // frees the dropped buffers' memory
  const before = rssMB();
  assert.equal(addon!.mallocTrim(), true);
  const released = before - rssMB();
  assert.ok(released >= 30, `only ${released.toFixed(1)} MB released of ~88 MB freed`);
  assert.equal(kept.length, 94);
});

/** A stand-in addon that counts calls and resolves when the count reaches `n`. */
function countingAddon() {
  const calls: string[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const record = (name: string) => {
    calls.push(name);
    for (const waiter of waiters.filter((w) => calls.length >= w.n)) waiter.resolve();
  };
  const fake: MemoryReleaseAddon = {
    lowMemoryNotification: () => record('gc'),
    mallocTrim: () => {
      record('trim');
      return true;
    },
  };
  // The release's timers are unref'd (they never keep a server alive), so the test holds the loop open while it waits.
  const callsReach = async (n: number) => {
    const keepAlive = setInterval(() => {}, 1000);
    await new Promise<void>((resolve) => (calls.length >= n ? resolve() : waiters.push({ n, resolve })));
    clearInterval(keepAlive);
  };
  return { fake, calls, callsReach };
}

test('after start: one GC and trim, then a trim on every interval; stop() ends it', async () => {
  const { fake, calls, callsReach } = countingAddon();
  const logged: string[] = [];
  const release = startMemoryRelease({
    addon: fake,
    afterStartMs: 5,
    trimEveryMs: 5,
    loopBusyShare: () => 0.01,
    log: { info: (_details, message) => logged.push(message) },
  });
  await callsReach(4);
  release.stop();
  assert.deepEqual(calls.slice(0, 4), ['gc', 'trim', 'trim', 'trim']);
  assert.deepEqual(logged, ['released start-up memory']);
});

test('no trim after a busy interval: only once the loop has been quiet', async () => {
  const { fake, calls, callsReach } = countingAddon();
  // Busy, still busy, then quiet: only the third check trims.
  const shares = [0.3, 0.06, 0.04];
  const release = startMemoryRelease({
    addon: fake,
    afterStartMs: 5,
    trimEveryMs: 5,
    quietBelow: 0.05,
    loopBusyShare: () => {
      const share = shares.shift() ?? 0;
      calls.push(`check ${share}`);
      return share;
    },
  });
  await callsReach(6);
  release.stop();
  assert.deepEqual(calls.slice(0, 6), ['gc', 'trim', 'check 0.3', 'check 0.06', 'check 0.04', 'trim']);
});

test('stop() before the first release cancels it', async () => {
  const cancelled = countingAddon();
  startMemoryRelease({ addon: cancelled.fake, afterStartMs: 10, trimEveryMs: 5 }).stop();
  // Timers fire in order of their deadlines: once a later one has, the cancelled one would have too.
  const later = countingAddon();
  const witness = startMemoryRelease({ addon: later.fake, afterStartMs: 30, trimEveryMs: 60_000 });
  await later.callsReach(2);
  witness.stop();
  assert.deepEqual(cancelled.calls, []);
});

test('without the addon the server says so once, with the reason, and schedules nothing', () => {
  const logged: Array<{ details: object; message: string }> = [];
  const release = startMemoryRelease({ addon: null, log: { info: (details, message) => logged.push({ details, message }) } });
  release.stop();
  assert.equal(logged.length, 1);
  assert.match(logged[0]!.message, /not loaded/);
  assert.deepEqual(logged[0]!.details, { reason: 'none given' });
});
