/**
 * Fixed-window counters keyed by what the server knows (client address,
 * username, user id), never by anything the client can reset. In memory for
 * one process; in Redis when several processes must share the counts.
 */
import type { Redis } from 'ioredis';

export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window resets; meaningful when not allowed. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one event for `key` and says whether it is within the limit. */
  hit(key: string): Promise<RateLimitResult>;
  /** Whether `key` is already over the limit, without counting an event. */
  peek(key: string): Promise<RateLimitResult>;
}

export interface RateLimitOptions {
  limit: number;
  windowMs: number;
}

/** Most keys kept before the oldest windows are dropped, bounding memory under a spray of addresses. */
const MAX_TRACKED_KEYS = 100_000;

const verdict = (count: number, limit: number, msLeft: number): RateLimitResult => ({
  allowed: count <= limit,
  retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)),
});

export function createRateLimiter(options: RateLimitOptions, clock: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();

  const current = (key: string, now: number) => {
    const window = windows.get(key);
    if (window && window.resetAt > now) return window;
    windows.delete(key);
    return undefined;
  };

  return {
    async hit(key) {
      const now = clock();
      let window = current(key, now);
      if (!window) {
        if (windows.size >= MAX_TRACKED_KEYS) {
          const oldest = windows.keys().next().value;
          if (oldest !== undefined) windows.delete(oldest);
        }
        window = { count: 0, resetAt: now + options.windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      return verdict(window.count, options.limit, window.resetAt - now);
    },
    async peek(key) {
      const now = clock();
      const window = current(key, now);
      return window ? verdict(window.count + 1, options.limit, window.resetAt - now) : { allowed: true, retryAfterSeconds: 0 };
    },
  };
}

/** Counts one event; the first event of a window starts its expiry. Returns the count and the window's time left. */
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }`;

/**
 * The same limiter with its counts in Redis, shared by every process. While
 * Redis is unreachable it falls back to counting in this process, so limits
 * loosen (per process) but never switch off.
 */
export function createRedisRateLimiter(redis: Redis, keyPrefix: string, options: RateLimitOptions): RateLimiter {
  const fallback = createRateLimiter(options);
  return {
    async hit(key) {
      try {
        const [count, msLeft] = (await redis.eval(HIT, 1, `${keyPrefix}${key}`, options.windowMs)) as [number, number];
        return verdict(count, options.limit, msLeft);
      } catch {
        return fallback.hit(key);
      }
    },
    async peek(key) {
      try {
        const [count, msLeft] = await Promise.all([redis.get(`${keyPrefix}${key}`), redis.pttl(`${keyPrefix}${key}`)]);
        return count === null ? { allowed: true, retryAfterSeconds: 0 } : verdict(Number(count) + 1, options.limit, msLeft);
      } catch {
        return fallback.peek(key);
      }
    },
  };
}
