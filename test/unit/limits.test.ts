import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRateLimiter } from '../../src/server/auth/rate-limiter.js';
import { TokenBucket } from '../../src/server/realtime/token-bucket.js';

test('the rate limiter allows `limit` events per window, then reports when to retry', () => {
  const limiter = createRateLimiter({ limit: 3, windowMs: 60_000 });
  const t0 = 1_000_000;
  assert.deepEqual([1, 2, 3].map(() => limiter.hit('k', t0).allowed), [true, true, true]);
  const blocked = limiter.hit('k', t0 + 1000);
  assert.equal(blocked.allowed, false);
  assert.equal(blocked.retryAfterSeconds, 59);
  assert.equal(limiter.peek('k', t0 + 1000).allowed, false);
  assert.equal(limiter.hit('other', t0).allowed, true, 'keys are independent');
  assert.equal(limiter.hit('k', t0 + 60_000).allowed, true, 'a new window starts');
});

test('peek does not count', () => {
  const limiter = createRateLimiter({ limit: 1, windowMs: 1000 });
  for (let i = 0; i < 5; i += 1) assert.equal(limiter.peek('k', 0).allowed, true);
  assert.equal(limiter.hit('k', 0).allowed, true);
  assert.equal(limiter.peek('k', 0).allowed, false);
});

test('the token bucket allows a burst and then the sustained rate', () => {
  const bucket = new TokenBucket(5, 2, 0);
  assert.deepEqual(Array.from({ length: 6 }, () => bucket.take(0)), [true, true, true, true, true, false]);
  assert.equal(bucket.take(499), false);
  assert.equal(bucket.take(500), true);
  assert.equal(bucket.take(10_000), true);
});
