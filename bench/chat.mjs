/**
 * Chat fan-out: rooms of 6 real WebSocket clients (distinct users), stored
 * chat messages sent at increasing total rates, on SQLite and on PostgreSQL.
 * Latency = send → the `chat` frame arriving at a room member (every member,
 * the author's own echo included); "all members" = send → the last of the six.
 * The server is pinned to CPU 0, the generator to CPU 1.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { QUICK, createRoom, createUsers, log, measuredRun, repin, round, startLoadgen, startServer } from './lib/common.mjs';

const ROOM_SIZE = 6;
const P99_LIMIT_MS = 50;
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const PLAN = QUICK
  ? { rooms: 10, rates: [100, 500], warmMs: 1000, measureMs: 3000, drainMs: 2000 }
  : { rooms: 50, rates: [100, 250, 500, 1000, 1500, 2000, 3000, 4000], warmMs: 2000, measureMs: 8000, drainMs: 3000 };
// For investigation: BENCH_CHAT_DATABASES=sqlite BENCH_CHAT_RATES=1000,1000,1000
const DATABASES = process.env.BENCH_CHAT_DATABASES?.split(',') ?? ['sqlite', 'postgresql'];
if (process.env.BENCH_CHAT_RATES) PLAN.rates = process.env.BENCH_CHAT_RATES.split(',').map(Number);

/** A private PostgreSQL database on the machine's server, dropped afterwards. */
export async function privatePostgres(prefix = 'callroom_bench') {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

async function runOne(database, nodeArgs) {
  let postgres;
  let server;
  let loadgen;
  try {
    let databaseUrl;
    if (database === 'postgresql') {
      postgres = await privatePostgres();
      databaseUrl = postgres.url;
    }
    server = await startServer({ cpu: 0, databaseUrl, nodeArgs, label: `chat-${database}` });
    repin(server.pid, '0,1');
    const users = await createUsers(server.origin, PLAN.rooms * ROOM_SIZE, { prefix: 'chat', concurrency: 4 });
    repin(server.pid, '0');
    const rooms = [];
    for (let r = 0; r < PLAN.rooms; r += 1) {
      const members = users.slice(r * ROOM_SIZE, (r + 1) * ROOM_SIZE);
      rooms.push({ roomId: await createRoom(server.origin, members[0], `chat ${r}`), members: members.map((u) => ({ cookie: u.cookie, origin: server.origin })) });
    }
    loadgen = startLoadgen({ cpu: 1 });
    const connected = await loadgen.call('connect', { rooms });
    if (connected.failed > 0) log(`  ${connected.failed} connections failed`);
    const steps = [];
    let p99Over50At = null;
    for (const rate of PLAN.rates) {
      const { result, figures: [serverFigures] } = await measuredRun([server], PLAN, () =>
        loadgen.call('chat', { rate, warmMs: PLAN.warmMs, measureMs: PLAN.measureMs, drainMs: PLAN.drainMs }));
      const step = {
        rate,
        connections: result.connections,
        sentPerSecond: round(result.sentPerSecond, 0),
        deliveries: result.received,
        latencyMs: result.latencyMs,
        allMembersLatencyMs: result.allDeliveredLatencyMs,
        lost: result.lost,
        errors: result.errors,
        server: serverFigures,
        generator: result.generator,
      };
      steps.push(step);
      log(`  ${database} ${rate} msg/s: delivery p50 ${step.latencyMs.p50} p99 ${step.latencyMs.p99} ms, all-members p50 ${step.allMembersLatencyMs.p50} p99 ${step.allMembersLatencyMs.p99} ms, lost ${step.lost}, errors ${JSON.stringify(step.errors)}, server CPU ${serverFigures.cpuPercent}%, generator CPU ${result.generator.cpuPercent}%`);
      if (step.latencyMs.p99 === null || step.latencyMs.p99 > P99_LIMIT_MS || step.lost > 0) {
        p99Over50At = rate;
        break;
      }
    }
    return { database, rooms: PLAN.rooms, roomSize: ROOM_SIZE, steps, p99Over50At };
  } finally {
    await loadgen?.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    await postgres?.drop().catch((error) => log(`could not drop the bench database: ${error.message}`));
  }
}

export async function runChat({ nodeArgs = [] } = {}) {
  const databases = [];
  for (const database of DATABASES) databases.push(await runOne(database, nodeArgs));
  return {
    definition: `${PLAN.rooms} rooms of ${ROOM_SIZE} WebSocket clients; stored chat messages at increasing total rates spread evenly over every client. Delivery latency = send → the chat frame at each member (author included); all-members = send → the last member. Stops at the first rate whose delivery p99 exceeds ${P99_LIMIT_MS} ms or loses a message.`,
    plan: { warmSeconds: PLAN.warmMs / 1000, measureSeconds: PLAN.measureMs / 1000, drainSeconds: PLAN.drainMs / 1000 },
    databases,
  };
}
