/**
 * Multi-process relay: two server processes behind the machine's Redis
 * (a unique REDIS_PREFIX, deleted afterwards) and one private PostgreSQL
 * database, with every 2-peer room split across them so each signal crosses
 * Redis; against the same load on one process (no Redis). Servers on CPU 0,
 * generator on CPU 1, at a moderate load so that the hop, not saturation, is
 * what differs.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { privatePostgres } from './chat.mjs';
import { QUICK, createRoom, createUsers, log, measuredRun, repin, round, startLoadgen, startServer } from './lib/common.mjs';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PLAN = QUICK
  ? { rooms: 50, warmMs: 1000, measureMs: 3000, drainMs: 1500, trials: 1 }
  : { rooms: 250, warmMs: 2000, measureMs: 8000, drainMs: 2000, trials: 3 };
const RATE_PER_PEER = 2;

async function dropPrefix(prefix) {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    for (let i = 0; i < 100_000; i += 1) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Connects the rooms (members placed by `placement`), runs the signal load, and closes them. */
async function measure(name, servers, users, placement) {
  const loadgen = startLoadgen({ cpu: 1 });
  try {
    const rooms = [];
    for (let r = 0; r < PLAN.rooms; r += 1) {
      const members = users.slice(r * 2, r * 2 + 2);
      const roomId = await createRoom(servers[0].origin, members[0], `mp ${name} ${r}`);
      rooms.push({ roomId, members: members.map((u, i) => ({ cookie: u.cookie, origin: placement(r, i).origin })) });
    }
    const connected = await loadgen.call('connect', { rooms });
    if (connected.failed > 0 || connected.incomplete > 0) log(`  ${name}: ${connected.failed} failed, ${connected.incomplete} incomplete`);
    const trials = [];
    for (let t = 0; t < PLAN.trials; t += 1) {
      const { result, figures } = await measuredRun(servers, PLAN, () =>
        loadgen.call('signal', { ratePerConn: RATE_PER_PEER, warmMs: PLAN.warmMs, measureMs: PLAN.measureMs, drainMs: PLAN.drainMs }));
      trials.push({ ...result, servers: figures });
    }
    const median = (pick) => round([...trials.map(pick)].sort((a, b) => a - b)[trials.length >> 1], 2);
    const summary = {
      name,
      connections: trials[0].connections,
      messagesPerSecond: round(trials[0].received / (PLAN.measureMs / 1000), 0),
      latencyMs: { p50: median((t) => t.latencyMs.p50), p99: median((t) => t.latencyMs.p99), p999: median((t) => t.latencyMs.p999), max: Math.max(...trials.map((t) => t.latencyMs.max)) },
      trialsP50Ms: trials.map((t) => t.latencyMs.p50),
      lost: trials.reduce((n, t) => n + t.lost, 0),
      errors: trials.reduce((all, t) => ({ ...all, ...t.errors }), {}),
      serverCpuPercent: trials.at(-1).servers.map((s) => s.cpuPercent),
      generatorCpuPercent: trials.at(-1).generator.cpuPercent,
    };
    log(`  ${name}: p50 ${summary.latencyMs.p50} p99 ${summary.latencyMs.p99} p99.9 ${summary.latencyMs.p999} ms, ${summary.messagesPerSecond} msg/s, lost ${summary.lost}, server CPU ${summary.serverCpuPercent.join(' / ')}%`);
    await loadgen.call('close');
    return summary;
  } finally {
    await loadgen.stop();
  }
}

export async function runMultiprocess({ nodeArgs = [] } = {}) {
  const prefix = `callroom-bench-${randomBytes(4).toString('hex')}:`;
  const postgres = await privatePostgres('callroom_bench_mp');
  const servers = [];
  const cases = [];
  try {
    // One process, no Redis: the baseline.
    const single = await startServer({ cpu: 0, databaseUrl: postgres.url, nodeArgs, label: 'mp-single' });
    servers.push(single);
    repin(single.pid, '0,1');
    const users = await createUsers(single.origin, PLAN.rooms * 2, { prefix: 'mp', concurrency: 4 });
    repin(single.pid, '0');
    cases.push(await measure('one process', [single], users, () => single));
    await single.stop();
    servers.length = 0;

    // Two processes on one Redis: every room split across them.
    const env = { REDIS_URL, REDIS_PREFIX: prefix };
    for (const label of ['mp-a', 'mp-b']) servers.push(await startServer({ cpu: 0, databaseUrl: postgres.url, env, nodeArgs, label }));
    cases.push(await measure('two processes, rooms split (Redis hop)', servers, users, (_r, i) => servers[i]));
    cases.push(await measure('two processes, rooms local (Redis up, no hop)', servers, users, (r) => servers[r % 2]));
  } finally {
    for (const server of servers) await server.stop().catch(() => undefined);
    const deleted = await dropPrefix(prefix).catch((error) => `failed: ${error.message}`);
    log(`  deleted ${deleted} Redis keys under ${prefix}`);
    await postgres.drop().catch((error) => log(`could not drop the bench database: ${error.message}`));
  }
  const [one, split] = cases;
  return {
    definition: `${PLAN.rooms} rooms × 2 peers, ${RATE_PER_PEER} signal msg/s per peer (1 offer : 4 candidates), median of ${PLAN.trials} trials of ${PLAN.measureMs / 1000} s. "rooms split": each room's two peers on different processes, so every signal goes process → Redis pub/sub → process. Servers pinned to CPU 0, generator to CPU 1, PostgreSQL shared.`,
    cases,
    addedMedianMs: round(split.latencyMs.p50 - one.latencyMs.p50, 2),
    addedP99Ms: round(split.latencyMs.p99 - one.latencyMs.p99, 2),
  };
}
