/**
 * Signalling capacity on one core.
 *
 * The server runs pinned to CPU 0, the load generator (bench/loadgen.mjs) to
 * CPU 1. The generator holds R rooms × P peers of real WebSockets, each a
 * distinct user who registered (and so signed in) through the real API and
 * joined through the real protocol. Every peer sends 2 `signal` messages a
 * second to its room peers in turn, one offer-sized (~3 KB) for every four
 * candidate-sized (~200 B). R steps up; at each step we record connections
 * held, relayed messages per second, relay latency (send → receipt by the
 * target peer), loss, server CPU, RSS, RSS per connection and event-loop
 * delay. Capacity = the largest step with p99 < 50 ms and no loss.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUICK, createRoom, createUsers, log, measuredRun, procStats, repin, round, sleep, startLoadgen, startServer } from './lib/common.mjs';

/** Each peer's signal rate, messages per second. */
const RATE_PER_PEER = 2;
const P99_LIMIT_MS = 50;
/** When each load server's idle RSS is read, in milliseconds after it answered /health. */
const IDLE_READ_MS = 3000;

const PLAN = QUICK
  ? { peers: [4, 2], rooms: { 4: [25, 100], 2: [50, 200] }, warmMs: 1000, measureMs: 3000, drainMs: 1500 }
  : {
      peers: [4, 2],
      rooms: { 4: [250, 500, 750, 1000, 1500, 2000, 2500, 3000], 2: [500, 1000, 1500, 2000, 3000, 4000, 5000, 6000] },
      warmMs: 3000,
      measureMs: 10_000,
      drainMs: 2000,
    };

/**
 * Measured windows per step. The tail at the edge is set by whether a major
 * GC lands in the window, so one window is a coin toss; a step passes only
 * if every window does.
 */
const WINDOWS = Number(process.env.BENCH_SIGNALLING_WINDOWS ?? (QUICK ? 1 : 3));

// For investigation: BENCH_SIGNALLING_STEPS="4:500,1500" runs only those steps.
if (process.env.BENCH_SIGNALLING_STEPS) {
  const [peers, rooms] = process.env.BENCH_SIGNALLING_STEPS.split(':');
  PLAN.peers = [Number(peers)];
  PLAN.rooms = { [peers]: rooms.split(',').map(Number) };
}

/**
 * What RSS grows by per connection: the least-squares slope of RSS over
 * connections, every window of every step. Unlike (RSS − idle) / connections
 * it leaves out what any load grows back after an idle start (the young
 * generation, malloc arenas), and unlike step-to-step differences it is not
 * thrown about by where the old generation's GC cycle stood in a window.
 */
function rssSlopeKB(steps) {
  if (new Set(steps.map((s) => s.connections)).size < 2) return null;
  const n = steps.length;
  const meanX = steps.reduce((sum, s) => sum + s.connections, 0) / n;
  const meanY = steps.reduce((sum, s) => sum + s.server.rssMB, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const s of steps) {
    covariance += (s.connections - meanX) * (s.server.rssMB - meanY);
    variance += (s.connections - meanX) ** 2;
  }
  return round(((covariance / variance) * 1024), 1);
}

export async function runSignalling({ nodeArgs = [] } = {}) {
  const dbDir = mkdtempSync(join(tmpdir(), 'callroom-bench-sig-'));
  const databaseUrl = `sqlite:${join(dbDir, 'bench.db')}`;
  const users = [];
  const series = [];
  let server;
  let loadgen;
  const ensureUsers = async (count) => {
    if (users.length >= count) return;
    const started = Date.now();
    // Password hashing is not what is measured: let the server use both CPUs meanwhile.
    repin(server.pid, '0,1');
    const made = await createUsers(server.origin, count - users.length, { prefix: 'sig', offset: users.length, concurrency: 4 });
    repin(server.pid, '0');
    users.push(...made);
    log(`  registered ${made.length} users in ${((Date.now() - started) / 1000).toFixed(1)} s (${users.length} total)`);
  };
  try {
    for (const peers of PLAN.peers) {
      // A fresh process for each room size, on the same database (its users already exist).
      server = await startServer({ cpu: 0, databaseUrl, nodeArgs, label: `signalling-p${peers}` });
      await sleep(IDLE_READ_MS);
      const idle = procStats(server.pid);
      loadgen = startLoadgen({ cpu: 1 });
      const steps = [];
      let roomIds = [];
      let baseRss;
      for (const roomCount of PLAN.rooms[peers]) {
        await ensureUsers(roomCount * peers);
        baseRss ??= procStats(server.pid).rssBytes;
        const newRooms = [];
        for (let r = roomIds.length; r < roomCount; r += 1) {
          const members = users.slice(r * peers, (r + 1) * peers);
          newRooms.push({ roomId: await createRoom(server.origin, members[0], `bench ${peers}x${r}`), members: members.map((u) => ({ cookie: u.cookie, origin: server.origin })) });
        }
        roomIds = roomIds.concat(newRooms.map((r) => r.roomId));
        const connected = await loadgen.call('connect', { rooms: newRooms });
        if (connected.failed > 0 || connected.incomplete > 0) log(`  connect: ${connected.failed} failed, ${connected.incomplete} without their whole room`);
        let passed = true;
        for (let window = 0; window < WINDOWS; window += 1) {
          const { result, figures: [serverFigures] } = await measuredRun([server], PLAN, () =>
            loadgen.call('signal', { ratePerConn: RATE_PER_PEER, warmMs: PLAN.warmMs, measureMs: PLAN.measureMs, drainMs: PLAN.drainMs }));
          const rssPerConnKB = round((serverFigures.rssMB * 2 ** 20 - baseRss) / result.connections / 1024, 1);
          const step = {
            rooms: roomCount,
            peersPerRoom: peers,
            connections: result.connections,
            connectSeconds: round(connected.seconds, 1),
            messagesPerSecond: round(result.received / (PLAN.measureMs / 1000), 0),
            offeredPerSecond: round(result.sentPerSecond, 0),
            latencyMs: result.latencyMs,
            lost: result.lost,
            errors: result.errors,
            unexpectedCloses: result.unexpectedCloses,
            server: { ...serverFigures, rssPerConnectionKB: rssPerConnKB },
            generator: result.generator,
            // The 100 ms slices of the measured window whose worst relay passed 50 ms: a few stalls, or a spread?
            slicesOver50Ms: result.slicesOver50Ms,
          };
          step.pass = step.lost === 0 && step.unexpectedCloses === 0 && step.latencyMs.p99 !== null && step.latencyMs.p99 < P99_LIMIT_MS;
          steps.push(step);
          log(`  P=${peers} R=${roomCount}: ${step.connections} conns, ${step.messagesPerSecond} msg/s, p50 ${step.latencyMs.p50} p99 ${step.latencyMs.p99} p99.9 ${step.latencyMs.p999} ms, lost ${step.lost}, server CPU ${serverFigures.cpuPercent}% (kernel ${serverFigures.systemCpuPercent}%) RSS ${serverFigures.rssMB} MB (${rssPerConnKB} KB/conn) ELD max ${serverFigures.eventLoopDelayMaxMs} ms, generator CPU ${result.generator.cpuPercent}% ${step.pass ? 'PASS' : 'FAIL'}`);
          if (!step.pass && result.slicesOver50Ms) log(`    slices over 50 ms: ${result.slicesOver50Ms.over} of ${result.slicesOver50Ms.of}; worst ${result.slicesOver50Ms.worst.map((w) => `${w.worstMs} ms at +${w.atMs} ms`).join(', ')}`);
          step.window = window;
          passed &&= step.pass;
        }
        // One failing step shows where it breaks; more would only take time.
        if (!passed) break;
      }
      await loadgen.stop();
      loadgen = undefined;
      const final = procStats(server.pid);
      await server.stop();
      server = undefined;
      // A room count passes when every measured window at it passed.
      const passing = steps.filter((s) => steps.every((o) => o.rooms !== s.rooms || o.pass));
      const best = passing[passing.length - 1];
      series.push({
        peersPerRoom: peers,
        idleRssMB: idle ? round(idle.rssBytes / 2 ** 20, 1) : null,
        idleReadAfterSeconds: IDLE_READ_MS / 1000,
        rssBeforeConnectionsMB: round(baseRss / 2 ** 20, 1),
        peakRssMB: final ? round(final.peakRssBytes / 2 ** 20, 1) : null,
        rssSlopeKBPerConnection: rssSlopeKB(steps),
        steps,
        capacity: best ? { connections: best.connections, messagesPerSecond: best.messagesPerSecond, p99Ms: best.latencyMs.p99, rssPerConnectionKB: best.server.rssPerConnectionKB } : null,
      });
    }
  } finally {
    await loadgen?.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    rmSync(dbDir, { recursive: true, force: true });
  }
  return {
    definition: `R rooms × P peers of real WebSocket clients (distinct users, real register/sign-in and join), each sending ${RATE_PER_PEER} signal msg/s to its room peers in turn (1 offer-sized ~3 KB : 4 candidate-sized ~200 B). Latency = send → receipt at the target, measured in the generator. Server pinned to CPU 0, generator to CPU 1. Capacity = largest step with p99 < ${P99_LIMIT_MS} ms and no loss.`,
    plan: { warmSeconds: PLAN.warmMs / 1000, measureSeconds: PLAN.measureMs / 1000, drainSeconds: PLAN.drainMs / 1000 },
    series,
  };
}
