/**
 * What this server process shares with the other processes of the same
 * service: the bus (seats, signals, chat, notifications) and the rate-limit
 * counts. In memory when the process is alone; in Redis when REDIS_URL joins
 * several, so that a client cannot multiply its allowance by spreading its
 * requests over processes.
 */
import { createRateLimiter, createRedisRateLimiter, type RateLimiter, type RateLimitOptions } from '../limits/rate-limiter.ts';
import type { Bus } from './bus.ts';
import { MemoryBus } from './memory-bus.ts';
import { RedisBus } from './redis-bus.ts';

export interface SharedState {
  bus: Bus;
  /** A limiter whose counts are shared by every process; `name` keeps its keys apart from other limiters'. */
  rateLimiter(name: string, options: RateLimitOptions): RateLimiter;
}

/** Connects to Redis when `redisUrl` is set (failing if it cannot be reached at start-up). */
export async function openSharedState(options: { redisUrl: string | undefined; redisPrefix: string }): Promise<SharedState> {
  if (!options.redisUrl) {
    return { bus: new MemoryBus(), rateLimiter: (_name, limits) => createRateLimiter(limits) };
  }
  const bus = await RedisBus.create(options.redisUrl, options.redisPrefix);
  await bus.start();
  return {
    bus,
    rateLimiter: (name, limits) => createRedisRateLimiter(bus.client, `${options.redisPrefix}rate:${name}:`, limits),
  };
}
