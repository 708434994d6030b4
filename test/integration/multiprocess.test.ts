/**
 * Two server instances sharing one database and one Redis act as one
 * service: rooms, signals, chat, invitations and room capacity cross between
 * them. With Redis down, each instance keeps its own rooms working, signals
 * to the other instance fail visibly, and chat catches up when Redis returns.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.ts';
import type { AppContext } from '../../src/server/context.ts';
import { freshDatabase, listen, testEnv } from '../helpers/server.ts';
import { EventStream, HttpClient, registeredClient, WsClient } from '../helpers/client.ts';
import { dropPrefix, PrivateRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const candidate = (text: string) => ({ kind: 'candidate', candidate: { candidate: text } }) as const;

interface Node {
  app: FastifyInstance;
  ctx: AppContext;
  origin: string;
}

async function startPair(redisUrl: string, env: Record<string, string> = {}) {
  const database = await freshDatabase();
  const prefix = uniquePrefix();
  const nodes: Node[] = [];
  for (let i = 0; i < 2; i += 1) {
    const { app, ctx } = await buildApp(testEnv(database.url, { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, ...env }), { logger: false });
    nodes.push({ app, ctx, origin: await listen(app) });
  }
  return {
    nodes: nodes as [Node, Node],
    async close() {
      for (const node of nodes) await node.app.close();
      await dropPrefix(redisUrl, prefix).catch(() => undefined);
      await database.drop();
    },
  };
}

/** A client signed in on one node, using the cookie on the other too (sessions are in the shared database). */
function on(node: Node, cookie: string): HttpClient {
  const client = new HttpClient(node.origin);
  client.cookie = cookie;
  return client;
}

/**
 * These suites need Redis (and redis-server for the outage): they run when
 * TEST_REDIS_URL is set, as .ci/run does; a plain `npm test` on a machine
 * without Redis skips them and says so.
 */
const needsRedis = process.env.TEST_REDIS_URL ? {} : { skip: 'set TEST_REDIS_URL=redis://host:6379 to run the multi-instance tests' };

describe('two instances behind one Redis', needsRedis, () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  before(async () => {
    pair = await startPair(TEST_REDIS_URL, { ROOM_CAPACITY: '3' });
  });
  after(() => pair.close());

  test('participants on different instances meet, signal, see media changes, chat, and leave', async () => {
    const [one, two] = pair.nodes;
    const alice = await registeredClient(one.origin);
    const bob = await registeredClient(two.origin);
    const roomId = (await alice.post('/api/rooms', { name: 'Across' })).body.id;
    const a = await WsClient.join(one.origin, roomId, alice.cookie);
    const b = await WsClient.join(two.origin, roomId, bob.cookie);
    assert.deepEqual(b.joined.peers.map((p) => p.username), [alice.username]);
    assert.equal((await a.client.next('peer-joined')).peer.username, bob.username);

    b.client.send({ type: 'signal', to: a.joined.selfId, payload: candidate('from bob') });
    const relayed = await a.client.next('signal');
    assert.deepEqual([relayed.from, relayed.payload], [b.joined.selfId, candidate('from bob')]);
    a.client.send({ type: 'signal', to: b.joined.selfId, payload: candidate('from alice') });
    assert.equal((await b.client.next('signal')).from, a.joined.selfId);

    a.client.send({ type: 'media', media: { audio: false, video: true, hand: true } });
    assert.deepEqual((await b.client.next('peer-media')).media, { audio: false, video: true, hand: true });
    b.client.send({ type: 'reaction', reaction: 'party' });
    assert.deepEqual(await a.client.next('reaction'), { type: 'reaction', peerId: b.joined.selfId, reaction: 'party' });

    for (let i = 1; i <= 5; i += 1) {
      const sender = i % 2 ? a : b;
      sender.client.send({ type: 'chat', clientId: `across-${i}`, text: `message ${i}` });
      await sender.client.next('chat-ack');
    }
    for (const side of [a, b]) {
      const seqs = [];
      for (let i = 0; i < 5; i += 1) seqs.push((await side.client.next('chat')).message.seq);
      assert.deepEqual(seqs.sort((x, y) => x - y), [1, 2, 3, 4, 5]);
    }

    b.client.close();
    assert.equal((await a.client.next('peer-left')).peerId, b.joined.selfId);
    a.client.close();
  });

  test('an invitation sent through one instance reaches a dashboard on the other, and rings there; presence is shared', async () => {
    const [one, two] = pair.nodes;
    const alice = await registeredClient(one.origin);
    const bob = await registeredClient(one.origin);
    const roomId = (await alice.post('/api/rooms', { name: 'Invite across' })).body.id;
    const atAlice = await EventStream.open(one.origin, alice.cookie);
    const stream = await EventStream.open(two.origin, bob.cookie);
    const sent = await alice.post('/send_link', { room_id: roomId, username: bob.username });
    assert.equal(sent.status, 201);
    assert.equal((await stream.next('invitation')).invitation.roomId, roomId);
    const { ring } = await stream.next('ring');
    assert.equal((await bob.post(`/api/calls/${ring.id}/accept`)).status, 204);
    assert.equal((await atAlice.next('ring-ended')).ring.state, 'accepted');
    // Bob's page is open on instance two; alice asks instance one.
    const contacts = (await alice.get('/api/contacts')).body as Array<{ username: string; presence: string }>;
    assert.equal(contacts.find((c) => c.username === bob.username)?.presence, 'online');
    stream.close();
    await atAlice.next('presence', (e) => e.presence === 'offline');
    atAlice.close();
  });

  test('sign-in limits are shared: failures on one instance count on the other', async () => {
    const [one, two] = pair.nodes;
    const victim = await registeredClient(one.origin);
    const statuses = [];
    for (let i = 0; i < 6; i += 1) {
      const node = i % 2 ? two : one;
      statuses.push((await new HttpClient(node.origin).post('/login', { username: victim.username, password: `wrong-${i}-password` })).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  });

  test('room capacity counts participants on both instances', async () => {
    const [one, two] = pair.nodes;
    const users = await Promise.all([1, 2, 3, 4].map(() => registeredClient(one.origin)));
    const roomId = (await users[0]!.post('/api/rooms', { name: 'Full across' })).body.id;
    const joined = [];
    for (const [i, user] of users.slice(0, 3).entries()) joined.push(await WsClient.join((i % 2 ? two : one).origin, roomId, user.cookie));
    const extra = await WsClient.open(two.origin, roomId, { cookie: users[3]!.cookie });
    extra.send({ type: 'join', version: 1, media: { audio: true, video: true } });
    assert.equal((await extra.next('error')).code, 'room-full');
    for (const j of joined) j.client.close();
    await on(one, users[0]!.cookie).get('/api/me');
  });
});

describe('Redis outage', needsRedis, () => {
  let redis: PrivateRedis;
  let pair: Awaited<ReturnType<typeof startPair>>;
  before(async () => {
    redis = await PrivateRedis.start();
    pair = await startPair(redis.url);
  });
  after(async () => {
    await redis.up();
    await pair.close();
    await redis.down();
  });

  test('same-instance rooms keep working, cross-instance signals fail visibly, chat catches up', async () => {
    const [one, two] = pair.nodes;
    const alice = await registeredClient(one.origin);
    const carol = await registeredClient(one.origin);
    const bob = await registeredClient(two.origin);
    const roomId = (await alice.post('/api/rooms', { name: 'Outage' })).body.id;
    const a = await WsClient.join(one.origin, roomId, alice.cookie);
    const c = await WsClient.join(one.origin, roomId, carol.cookie);
    const b = await WsClient.join(two.origin, roomId, bob.cookie);
    await a.client.next('peer-joined', (m) => m.peer.username === bob.username);

    const status = (node: Node, wanted: boolean) =>
      new Promise<void>((resolve) => node.ctx.bus.onStatusChange((connected) => connected === wanted && resolve()));
    const lost = Promise.all([status(one, false), status(two, false)]);
    await redis.down();
    await lost;
    // Readiness reports it; liveness does not care.
    assert.equal((await new HttpClient(one.origin).get('/ready')).status, 503);
    assert.equal((await new HttpClient(one.origin).get('/health')).status, 200);

    // Same instance: signalling and chat work.
    a.client.send({ type: 'signal', to: c.joined.selfId, payload: candidate('local') });
    assert.equal((await c.client.next('signal')).from, a.joined.selfId);
    // Across instances: a visible error, not silence.
    a.client.send({ type: 'signal', to: b.joined.selfId, payload: candidate('across') });
    assert.equal((await a.client.next('error')).code, 'peer-unavailable');
    // Chat is stored and acknowledged during the outage.
    a.client.send({ type: 'chat', clientId: 'during-outage-1', text: 'sent while Redis is down' });
    const ack = await a.client.next('chat-ack');
    assert.equal((await c.client.next('chat')).message.seq, ack.seq);

    const back = Promise.all([status(one, true), status(two, true)]);
    await redis.up();
    await back;
    // Bob, on the other instance, gets the message once Redis is back.
    const caughtUp = await b.client.next('chat', (m) => m.message.clientId === 'during-outage-1');
    assert.equal(caughtUp.message.seq, ack.seq);
    assert.equal((await new HttpClient(one.origin).get('/ready')).status, 200);
    b.client.send({ type: 'signal', to: a.joined.selfId, payload: candidate('after') });
    await a.client.next('signal', (m) => m.from === b.joined.selfId);
    for (const x of [a, b, c]) x.client.close();
  });
});
