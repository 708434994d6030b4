/**
 * Fixed-window counters keyed by what the server knows (client address,
 * username), never by anything the client can reset.
 */
export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window resets; meaningful when not allowed. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one event for `key` and says whether it is within the limit. */
  hit(key: string, now?: number): RateLimitResult;
  /** Whether `key` is already over the limit, without counting an event. */
  peek(key: string, now?: number): RateLimitResult;
  reset(key: string): void;
}

/** Most keys kept before the oldest windows are dropped, bounding memory under a spray of addresses. */
const MAX_TRACKED_KEYS = 100_000;

export function createRateLimiter(options: { limit: number; windowMs: number }): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();

  const current = (key: string, now: number) => {
    const window = windows.get(key);
    if (window && window.resetAt > now) return window;
    windows.delete(key);
    return undefined;
  };
  const result = (count: number, resetAt: number, now: number): RateLimitResult => ({
    allowed: count <= options.limit,
    retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)),
  });

  return {
    hit(key, now = Date.now()) {
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
      return result(window.count, window.resetAt, now);
    },
    peek(key, now = Date.now()) {
      const window = current(key, now);
      return window ? result(window.count + 1, window.resetAt, now) : { allowed: true, retryAfterSeconds: 0 };
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
