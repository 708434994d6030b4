import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/server/app.ts';
import { listen, startServer, testEnv, type TestServer } from '../helpers/server.ts';
import { registeredClient, WsClient } from '../helpers/client.ts';
import { CloseCode, PROTOCOL_VERSION } from '../../src/shared/protocol.ts';

const media = { audio: true, video: true };

async function resumeJoin(origin: string, roomId: string, cookie: string, resume: { peerId: string; token: string }) {
  const client = await WsClient.open(origin, roomId, { cookie });
  client.send({ type: 'join', version: PROTOCOL_VERSION, media, resume });
  return { client, joined: await client.next('joined') };
}

describe('resuming a seat after a dropped connection', () => {
  let server: TestServer;
  let alice: Awaited<ReturnType<typeof registeredClient>>;
  let bob: Awaited<ReturnType<typeof registeredClient>>;

  before(async () => {
    server = await startServer({ RESUME_GRACE_SECONDS: '30' });
    alice = await registeredClient(server.origin);
    bob = await registeredClient(server.origin);
  });
  after(() => server.close());

  test('a dropped participant comes back under the same peer id; the others never see them leave', async () => {
    const roomId = (await alice.post('/api/rooms', { name: 'Resume' })).body.id;
    const a = await WsClient.join(server.origin, roomId, alice.cookie);
    const b = await WsClient.join(server.origin, roomId, bob.cookie);
    await a.client.next('peer-joined');
    b.client.socket.terminate();
    const back = await resumeJoin(server.origin, roomId, bob.cookie, { peerId: b.joined.selfId, token: b.joined.resumeToken });
    assert.equal(back.joined.resumed, true);
    assert.equal(back.joined.selfId, b.joined.selfId);
    assert.deepEqual(back.joined.peers.map((p) => p.peerId), [a.joined.selfId]);
    const update = await a.client.next('peer-media');
    assert.equal(update.peerId, b.joined.selfId);
    await a.client.roundTrip();
    assert.equal(a.client.received.some((m) => m.type === 'peer-left' || m.type === 'peer-joined'), false);
    assert.equal(server.ctx.hub.get(roomId)?.size, 2, 'no duplicate participant');
    // Signals flow again both ways under the old ids.
    a.client.send({ type: 'signal', to: b.joined.selfId, payload: { kind: 'candidate', candidate: { candidate: 'candidate:x' } } });
    assert.equal((await back.client.next('signal')).from, a.joined.selfId);
    a.client.close();
    back.client.close();
  });

  test('while a peer is away, signals to it fail visibly with peer-unavailable', async () => {
    const roomId = (await alice.post('/api/rooms', { name: 'Away' })).body.id;
    const a = await WsClient.join(server.origin, roomId, alice.cookie);
    const b = await WsClient.join(server.origin, roomId, bob.cookie);
    b.client.socket.terminate();
    await b.client.closed;
    // The server learns of the drop asynchronously; retry until it has.
    let code = '';
    while (code !== 'peer-unavailable') {
      a.client.send({ type: 'signal', to: b.joined.selfId, payload: { kind: 'candidate', candidate: { candidate: 'candidate:x' } } });
      const reply = await Promise.race([a.client.next('error'), a.client.roundTrip().then(() => undefined)]);
      code = reply?.code ?? '';
    }
    assert.equal(code, 'peer-unavailable');
    a.client.close();
  });

  test('a resume while the old socket is still open replaces it: close 4011, one participant', async () => {
    const roomId = (await alice.post('/api/rooms', { name: 'Replace' })).body.id;
    const a = await WsClient.join(server.origin, roomId, alice.cookie);
    const again = await resumeJoin(server.origin, roomId, alice.cookie, { peerId: a.joined.selfId, token: a.joined.resumeToken });
    assert.equal(again.joined.resumed, true);
    assert.equal((await a.client.closed).code, CloseCode.replaced);
    await again.client.roundTrip();
    assert.equal(server.ctx.hub.get(roomId)?.size, 1);
    again.client.close();
  });

  test('a forged token, or another user’s token, gets a new peer id', async () => {
    const roomId = (await alice.post('/api/rooms', { name: 'Forged' })).body.id;
    const a = await WsClient.join(server.origin, roomId, alice.cookie);
    const forged = await resumeJoin(server.origin, roomId, alice.cookie, { peerId: a.joined.selfId, token: 'x'.repeat(43) });
    assert.equal(forged.joined.resumed, false);
    assert.notEqual(forged.joined.selfId, a.joined.selfId);
    const stolen = await resumeJoin(server.origin, roomId, bob.cookie, { peerId: a.joined.selfId, token: a.joined.resumeToken });
    assert.equal(stolen.joined.resumed, false);
    assert.notEqual(stolen.joined.selfId, a.joined.selfId);
    for (const c of [a, forged, stolen]) c.client.close();
  });
});

describe('seats after the grace period and across a server restart', () => {
  test('a participant who does not come back is removed when the grace period ends', async () => {
    const server = await startServer({ RESUME_GRACE_SECONDS: '1' });
    try {
      const alice = await registeredClient(server.origin);
      const bob = await registeredClient(server.origin);
      const roomId = (await alice.post('/api/rooms', { name: 'Ghost' })).body.id;
      const a = await WsClient.join(server.origin, roomId, alice.cookie);
      const b = await WsClient.join(server.origin, roomId, bob.cookie);
      b.client.socket.terminate();
      assert.equal((await a.client.next('peer-left')).peerId, b.joined.selfId);
      assert.equal(server.ctx.hub.get(roomId)?.size, 1, 'no ghost in the roster');
      a.client.close();
    } finally {
      await server.close();
    }
  });

  test('after a restart both participants rejoin under their old peer ids', async () => {
    const first = await startServer();
    const alice = await registeredClient(first.origin);
    const bob = await registeredClient(first.origin);
    const roomId = (await alice.post('/api/rooms', { name: 'Restart' })).body.id;
    const a = await WsClient.join(first.origin, roomId, alice.cookie);
    const b = await WsClient.join(first.origin, roomId, bob.cookie);
    const closedA = a.client.closed;
    await first.app.close();
    assert.equal((await closedA).code, CloseCode.serviceRestart, 'clients are told to come back');

    const { app } = await buildApp(testEnv(first.databaseUrl), { logger: false });
    const origin = await listen(app);
    try {
      const a2 = await resumeJoin(origin, roomId, alice.cookie, { peerId: a.joined.selfId, token: a.joined.resumeToken });
      assert.deepEqual([a2.joined.resumed, a2.joined.selfId], [true, a.joined.selfId]);
      const b2 = await resumeJoin(origin, roomId, bob.cookie, { peerId: b.joined.selfId, token: b.joined.resumeToken });
      assert.deepEqual([b2.joined.resumed, b2.joined.selfId], [true, b.joined.selfId]);
      assert.deepEqual(b2.joined.peers.map((p) => p.peerId), [a.joined.selfId]);
      assert.equal((await a2.client.next('peer-joined')).peer.peerId, b.joined.selfId);
      a2.client.close();
      b2.client.close();
    } finally {
      await app.close();
      await first.close();
    }
  });
});
