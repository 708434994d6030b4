import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRateLimiter } from '../../src/server/limits/rate-limiter.ts';
import { TokenBucket } from '../../src/server/limits/token-bucket.ts';

test('the rate limiter allows `limit` events per window, then reports when to retry', async () => {
  let now = 1_000_000;
  const limiter = createRateLimiter({ limit: 3, windowMs: 60_000 }, () => now);
  const first = [];
  for (let i = 0; i < 3; i += 1) first.push((await limiter.hit('k')).allowed);
  assert.deepEqual(first, [true, true, true]);
  now += 1000;
  const blocked = await limiter.hit('k');
  assert.equal(blocked.allowed, false);
  assert.equal(blocked.retryAfterSeconds, 59);
  assert.equal((await limiter.peek('k')).allowed, false);
  assert.equal((await limiter.hit('other')).allowed, true, 'keys are independent');
  now += 59_000;
  assert.equal((await limiter.hit('k')).allowed, true, 'a new window starts');
});

test('peek does not count', async () => {
  const limiter = createRateLimiter({ limit: 1, windowMs: 1000 }, () => 0);
  for (let i = 0; i < 5; i += 1) assert.equal((await limiter.peek('k')).allowed, true);
  assert.equal((await limiter.hit('k')).allowed, true);
  assert.equal((await limiter.peek('k')).allowed, false);
});

test('the token bucket allows a burst and then the sustained rate', () => {
  const bucket = new TokenBucket(5, 2, 0);
  assert.deepEqual(Array.from({ length: 6 }, () => bucket.take(0)), [true, true, true, true, true, false]);
  assert.equal(bucket.take(499), false);
  assert.equal(bucket.take(500), true);
  assert.equal(bucket.take(10_000), true);
});
