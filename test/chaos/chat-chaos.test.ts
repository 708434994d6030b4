/**
 * The chat's main invariant under faults: 1,000 messages from 3 clients over
 * 2 server processes, with random socket drops, one process killed (-9) and
 * restarted, Redis stopped and started, and the database stalled. Afterwards
 * every client's list equals the database's: no gap, no duplicate, same
 * order, and every message sent is stored exactly once.
 *
 * The clients use the browser's own ChatLog (outbox, contiguity, gap
 * detection). The fault schedule comes from a seeded generator: a failure
 * prints the seed; rerun with CHAOS_SEED=<seed>.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { ChatLog } from '../../src/client/rtc/chat-log.ts';
import { PROTOCOL_VERSION, parseServerMessage, type ClientMessage } from '../../src/shared/protocol.ts';
import { startApp, type AppProcess } from '../../e2e/harness.ts';
import { freshDatabase } from '../helpers/server.ts';
import { PrivateRedis } from '../helpers/redis.ts';
import { registeredClient } from '../helpers/client.ts';

const SEED = Number(process.env.CHAOS_SEED ?? 20261127);
const MESSAGES_PER_CLIENT = [334, 333, 333];
/** The whole sending phase lasts about this long, in milliseconds. */
const SEND_PHASE_MS = 15_000;
/** After the last send, everything must settle within this, in milliseconds. */
const SETTLE_DEADLINE_MS = 60_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(SEED);
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A chat-only client: the browser's reconnect, outbox and gap-filling rules, over `ws`. */
class ChaosClient {
  readonly log: ChatLog;
  readonly sent = new Set<string>();
  socket: WebSocket | undefined;
  origin = '';
  joined = false;
  private stopped = false;
  acked = new Map<string, number>();
  /** What the faults did to this client, reported at the end. */
  readonly stats = { connections: 0, refusedChats: 0, historyRequests: 0, errors: {} as Record<string, number> };

  readonly name: string;
  private readonly cookie: string;
  private readonly roomId: string;
  private readonly origins: () => string[];
  constructor(name: string, cookie: string, roomId: string, origins: () => string[]) {
    this.name = name;
    this.cookie = cookie;
    this.roomId = roomId;
    this.origins = origins;
    this.log = new ChatLog(`chaos-${name}`);
  }

  connect(): void {
    if (this.stopped) return;
    const candidates = this.origins();
    const origin = candidates[Math.floor(random() * candidates.length)]!;
    this.origin = origin;
    const socket = new WebSocket(`${origin.replace('http', 'ws')}/ws/${this.roomId}`, { headers: { cookie: this.cookie, origin } });
    this.socket = socket;
    this.joined = false;
    this.stats.connections += 1;
    socket.on('open', () => this.send({ type: 'join', version: PROTOCOL_VERSION, media: { audio: false, video: false }, lastSeq: this.log.contiguousSeq }));
    socket.on('message', (data) => this.receive(data.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.joined = false;
      // Reconnect with a little backoff, as the browser does.
      setTimeout(() => this.connect(), 50 + random() * 300);
    });
  }

  /** Drops the connection abruptly, like a network failure. */
  drop(): void {
    this.socket?.terminate();
  }

  queue(text: string): void {
    const pending = this.log.queue(text);
    this.sent.add(pending.clientId);
    if (this.joined) this.sendChat(pending);
  }

  /** Resends what was not acknowledged, as the browser's Call does every few seconds. */
  readonly resender = setInterval(() => {
    this.flush(3000);
    this.fetchMissing();
  }, 3000);

  stop(): void {
    this.stopped = true;
    clearInterval(this.resender);
    this.socket?.close();
  }

  private sendChat(pending: { clientId: string; text: string }): void {
    this.send({ type: 'chat', clientId: pending.clientId, text: pending.text });
    this.log.markSent(pending.clientId);
  }

  private flush(olderThanMs: number): void {
    if (this.joined) for (const pending of this.log.dueForResend(olderThanMs, 20)) this.sendChat(pending);
  }

  private send(message: ClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private receive(raw: string): void {
    const message = parseServerMessage(raw);
    if (!message) return;
    switch (message.type) {
      case 'joined':
        this.joined = true;
        this.log.startAt(message.history);
        this.log.historyAnswered(!message.historyComplete);
        this.add(message.history);
        this.flush(0);
        return;
      case 'chat':
        return this.add([message.message]);
      case 'history':
        this.log.historyAnswered(!message.complete);
        return this.add(message.messages);
      case 'chat-ack':
        this.log.acknowledge(message.clientId);
        this.acked.set(message.clientId, message.seq);
        return;
      case 'error':
        this.stats.errors[`${message.code}/${message.ref ?? ''}`] = (this.stats.errors[`${message.code}/${message.ref ?? ''}`] ?? 0) + 1;
        // Not stored (database stalled): the outbox keeps it; resend shortly.
        if (message.code === 'chat-unavailable' && message.clientId) {
          this.stats.refusedChats += 1;
          const pending = this.log.pending().find((p) => p.clientId === message.clientId);
          if (pending) setTimeout(() => this.joined && this.sendChat(pending), 200);
        }
        // The history could not be read (database stalled): ask again shortly.
        if (message.ref === 'history') {
          const retryMs = message.retryAfterSeconds ? message.retryAfterSeconds * 1000 : 1000;
          this.log.historyRefused(retryMs);
          setTimeout(() => this.fetchMissing(), retryMs);
        }
        return;
      default:
        return;
    }
  }

  private add(messages: Parameters<ChatLog['add']>[0][]): void {
    for (const message of messages) this.log.add(message);
    this.fetchMissing();
  }

  private fetchMissing(): void {
    const afterSeq = this.log.historyToFetch();
    if (afterSeq === undefined || !this.joined || this.socket?.readyState !== WebSocket.OPEN) return;
    this.stats.historyRequests += 1;
    this.send({ type: 'history', afterSeq });
    this.log.historyAsked();
  }
}

/** Needs redis-server (a private one is stopped and started); CI has it (.ci/run installs it). */
const requirement =
  spawnSync('redis-server', ['--version']).status === 0 || process.env.CI === 'true' ? {} : { skip: 'needs redis-server' };

let redis: PrivateRedis;
let database: Awaited<ReturnType<typeof freshDatabase>>;
let nodes: AppProcess[];

before(async () => {
  if ('skip' in requirement) return;
  redis = await PrivateRedis.start();
  database = await freshDatabase();
  const env = { DATABASE_URL: database.url, REDIS_URL: redis.url, LOG_LEVEL: 'error' };
  nodes = [await startApp(env), await startApp(env)];
});
after(async () => {
  for (const node of nodes ?? []) await node.stop();
  await redis?.down();
  await database?.drop();
});

/** Holds the database's write lock for `ms`: SQLite BEGIN EXCLUSIVE, or a PostgreSQL table lock. */
async function stallDatabase(ms: number): Promise<void> {
  if (database.dbPath) {
    const sqlite = new SQLite(database.dbPath);
    sqlite.exec('BEGIN EXCLUSIVE');
    await delay(ms);
    sqlite.exec('ROLLBACK');
    sqlite.close();
    return;
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE chat_messages IN ACCESS EXCLUSIVE MODE');
  await delay(ms);
  await client.query('ROLLBACK');
  await client.end();
}

test(`chat under chaos keeps every message exactly once, in order (seed ${SEED})`, requirement, async (t) => {
  t.diagnostic(`seed ${SEED}`);
  const [a, b] = nodes as [AppProcess, AppProcess];
  let bDown = false;
  const origins = () => (bDown ? [a.origin] : [a.origin, b.origin]);
  const users = await Promise.all([0, 1, 2].map(() => registeredClient(a.origin)));
  const roomId = (await users[0]!.post('/api/rooms', { name: 'Chaos' })).body.id as string;
  const clients = users.map((u, i) => new ChaosClient(`c${i}`, u.cookie, roomId, origins));
  clients.forEach((c) => c.connect());
  // Stopped however the test ends: a client left reconnecting would keep the process alive.
  t.after(() => clients.forEach((c) => c.stop()));

  const faults = (async () => {
    const at = (fraction: number) => delay(SEND_PHASE_MS * fraction * (0.9 + random() * 0.2));
    await at(0.15);
    await b.kill('SIGKILL');
    bDown = true;
    await delay(1500);
    await b.restart();
    bDown = false;
    await at(0.2);
    await redis.down();
    await delay(2000);
    await redis.up();
    await at(0.15);
    await stallDatabase(2500);
  })();

  const drops = (async () => {
    // In turn, so every client is dropped several times (at least 4 each in 15 s).
    const end = Date.now() + SEND_PHASE_MS;
    for (let turn = 0; Date.now() < end; turn += 1) {
      await delay(300 + random() * 900);
      clients[turn % clients.length]!.drop();
    }
  })();

  const sending = clients.map(async (client, i) => {
    const count = MESSAGES_PER_CLIENT[i]!;
    for (let n = 1; n <= count; n += 1) {
      client.queue(`${client.name} #${n}`);
      await delay(random() * (2 * SEND_PHASE_MS) / count);
    }
  });
  await Promise.all([...sending, faults, drops]);

  const total = MESSAGES_PER_CLIENT.reduce((x, y) => x + y, 0);
  const deadline = Date.now() + SETTLE_DEADLINE_MS;
  const settled = () => clients.every((c) => c.log.pending().length === 0 && c.log.contiguousSeq === total && !c.log.hasGap);
  while (!settled()) {
    if (Date.now() > deadline) {
      const state = clients.map((c) => `${c.name}: pending ${c.log.pending().length}, contiguous ${c.log.contiguousSeq}, gap ${c.log.hasGap}, joined ${c.joined}, socket ${c.socket?.readyState}, on ${c.origin.slice(-5)}, ${JSON.stringify(c.stats)}`).join('; ');
      assert.fail(`not settled within ${SETTLE_DEADLINE_MS} ms (seed ${SEED}): ${state}`);
    }
    await delay(100);
  }
  clients.forEach((c) => c.stop());
  for (const c of clients) t.diagnostic(`${c.name}: ${JSON.stringify(c.stats)}`);
  // The faults must have bitten, or this test proves nothing.
  assert.ok(clients.every((c) => c.stats.connections >= 5), 'every client was disconnected several times');

  const { openDatabase } = await import('../../src/server/db/database.ts');
  const { db } = await openDatabase(database.url);
  const rows = await db.selectFrom('chat_messages').select(['seq', 'client_id', 'text']).where('room_id', '=', roomId).orderBy('seq').execute();
  await db.destroy();
  assert.equal(rows.length, total, `seed ${SEED}: every message stored once`);
  assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: total }, (_, i) => i + 1), `seed ${SEED}: seq has no gap`);
  const sentIds = new Set(clients.flatMap((c) => [...c.sent]));
  assert.deepEqual(new Set(rows.map((r) => r.client_id)), sentIds, `seed ${SEED}: what was stored is what was sent`);
  for (const client of clients) {
    const received = Array.from({ length: total }, (_, i) => client.log.get(i + 1));
    assert.deepEqual(received.map((m) => m?.seq), rows.map((r) => r.seq), `seed ${SEED}: ${client.name} has every seq`);
    assert.deepEqual(received.map((m) => m?.text), rows.map((r) => r.text), `seed ${SEED}: ${client.name} agrees on content`);
    for (const [clientId, seq] of client.acked) assert.equal(rows[seq - 1]?.client_id, clientId, `seed ${SEED}: acked seq matches`);
  }
});
