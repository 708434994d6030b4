/**
 * Gives memory the server no longer uses back to the operating system.
 *
 * Start-up parses and compiles every module once: V8 grows its young
 * generation for it, and the compiler's scratch memory is malloc'd and freed
 * in the middle of glibc's heaps, where glibc never returns it. Left alone,
 * V8's memory reducer shrinks its heap some 10-30 s later (or not at all if
 * the server is never quite idle), and the malloc'd part stays for the life of
 * the process: 10-15 MB of an idle server's RSS (docs/performance.md). So once
 * the server listens we ask for both. After that, malloc's heaps are trimmed
 * again after every quiet minute, so memory freed when a busy hour ends goes
 * back too; never while the server is busy, when the trim would only hand
 * back pages malloc is about to take again, and hold malloc's locks meanwhile.
 *
 * The calls come from a small native addon (native/memory-release), an
 * optional dependency: where it did not build, the server runs as before.
 */
import { createRequire } from 'node:module';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface MemoryReleaseAddon {
  /** A memory-reducing full GC (V8's LowMemoryNotification). */
  lowMemoryNotification(): void;
  /** glibc's malloc_trim(0); false where nothing was released or the C library is not glibc. */
  mallocTrim(): boolean;
}

export interface MemoryReleaseOptions {
  /** After listen, how long to let start-up settle before the first release. */
  afterStartMs?: number;
  /** How often afterwards to look whether the server was quiet, and trim if so. */
  trimEveryMs?: number;
  /** The event loop's busy share over the last interval below which it counts as quiet. */
  quietBelow?: number;
  /** The event loop's busy share since the last call; Node's own by default. */
  loopBusyShare?: () => number;
  /** Told what the first release did, or why there is none. */
  log?: { info(details: object, message: string): void };
  /** The addon; loaded from node_modules by default, `null` for none. */
  addon?: MemoryReleaseAddon | null;
}

const DEFAULT_AFTER_START_MS = 2000;
const DEFAULT_TRIM_EVERY_MS = 60_000;
/** An idle server's loop is under 1 % busy; 8,000 signalling connections keep it ~25 % busy. */
const DEFAULT_QUIET_BELOW = 0.05;

/** The addon, or why it could not be loaded (not built here, or built for another Node). */
export function loadMemoryReleaseAddon(): MemoryReleaseAddon | Error {
  try {
    return createRequire(import.meta.url)('callroom-memory-release') as MemoryReleaseAddon;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The event loop's busy share (0-1) since the previous call. */
function eventLoopBusyShare(): () => number {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const share = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return share;
  };
}

const rssMB = () => Math.round((process.memoryUsage.rss() / 2 ** 20) * 10) / 10;

/** Schedules the releases; `stop()` cancels them. The timers never keep the process alive. */
export function startMemoryRelease(options: MemoryReleaseOptions = {}): { stop(): void } {
  const addon = options.addon === undefined ? loadMemoryReleaseAddon() : options.addon ?? new Error('none given');
  if (addon instanceof Error) {
    options.log?.info({ reason: addon.message }, 'memory release addon not loaded: idle memory is left to V8 and malloc');
    return { stop() {} };
  }
  let trimTimer: NodeJS.Timeout | undefined;
  const firstTimer = setTimeout(() => {
    const before = rssMB();
    addon.lowMemoryNotification();
    addon.mallocTrim();
    options.log?.info({ rssMBBefore: before, rssMBAfter: rssMB() }, 'released start-up memory');
    const busyShare = options.loopBusyShare ?? eventLoopBusyShare();
    const quietBelow = options.quietBelow ?? DEFAULT_QUIET_BELOW;
    trimTimer = setInterval(() => {
      if (busyShare() < quietBelow) addon.mallocTrim();
    }, options.trimEveryMs ?? DEFAULT_TRIM_EVERY_MS);
    trimTimer.unref();
  }, options.afterStartMs ?? DEFAULT_AFTER_START_MS);
  firstTimer.unref();
  return {
    stop() {
      clearTimeout(firstTimer);
      clearInterval(trimTimer);
    },
  };
}
