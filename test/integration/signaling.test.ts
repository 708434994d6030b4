import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { listen, startServer, testEnv, type TestServer } from '../helpers/server.ts';
import { HttpClient, registeredClient, upgradeStatus, WsClient } from '../helpers/client.ts';
import { CloseCode, PROTOCOL_VERSION } from '../../src/shared/protocol.ts';
import { WS_MAX_FRAME_BYTES } from '../../src/shared/limits.ts';

const OFFER_SDP = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=fingerprint:sha-256 AB:CD\r\n';

describe('signalling over /ws/{roomId}', () => {
  let server: TestServer;
  let alice: Awaited<ReturnType<typeof registeredClient>>;
  let bob: Awaited<ReturnType<typeof registeredClient>>;
  let roomId: string;

  before(async () => {
    server = await startServer({ ROOM_CAPACITY: '3' });
    alice = await registeredClient(server.origin);
    bob = await registeredClient(server.origin);
    roomId = (await alice.post('/api/rooms', { name: 'Call' })).body.id;
  });
  after(() => server.close());

  test('the upgrade is refused without a session, from a foreign origin, and for unknown rooms', async () => {
    assert.equal(await upgradeStatus(server.origin, roomId, { origin: server.origin }), 401);
    for (const origin of ['https://evil.example', 'null', `${server.origin}.evil.example`]) {
      assert.equal(await upgradeStatus(server.origin, roomId, { origin, cookie: alice.cookie }), 403, origin);
    }
    assert.equal(await upgradeStatus(server.origin, roomId, { cookie: alice.cookie }), 403, 'no Origin');
    assert.equal(await upgradeStatus(server.origin, 'Q'.repeat(22), { origin: server.origin, cookie: alice.cookie }), 404);
    assert.equal(await upgradeStatus(server.origin, roomId, { origin: server.origin, cookie: alice.cookie }), 101);
  });

  test('joining announces peers both ways and relays signals unchanged with the sender stamped', async () => {
    const a = await WsClient.join(server.origin, roomId, alice.cookie);
    assert.deepEqual(a.joined.peers, []);
    assert.equal(a.joined.version, PROTOCOL_VERSION);
    const b = await WsClient.join(server.origin, roomId, bob.cookie);
    assert.deepEqual(b.joined.peers.map((p) => p.username), [alice.username]);
    const announced = await a.client.next('peer-joined');
    assert.equal(announced.peer.username, bob.username);
    assert.equal(announced.peer.peerId, b.joined.selfId);

    const payload = { kind: 'description', description: { type: 'offer', sdp: OFFER_SDP } } as const;
    b.client.send({ type: 'signal', to: a.joined.selfId, payload });
    const relayed = await a.client.next('signal');
    assert.equal(relayed.from, b.joined.selfId);
    const digest = (s: string) => createHash('sha256').update(s).digest('hex');
    assert.equal(relayed.payload.kind === 'description' && digest(relayed.payload.description.sdp), digest(OFFER_SDP));

    // A client cannot claim to be someone else: an extra `from` field is refused, not relayed.
    b.client.send({ type: 'signal', to: a.joined.selfId, from: 'someone-else', payload });
    const spoof = await b.client.next('error');
    assert.equal(spoof.code, 'bad-message');
    assert.equal(spoof.ref, 'signal');

    b.client.send({ type: 'media', media: { audio: false, video: true } });
    const media = await a.client.next('peer-media');
    assert.deepEqual([media.peerId, media.media], [b.joined.selfId, { audio: false, video: true }]);

    b.client.close();
    const left = await a.client.next('peer-left');
    assert.equal(left.peerId, b.joined.selfId);
    await a.client.roundTrip();
    assert.equal(a.client.received.filter((m) => m.type === 'signal').length, 0, 'the spoofed signal was never relayed');
    a.client.close();
  });

  test('a raised hand and a shared screen travel with the media state; reactions reach the others, paced', async () => {
    const a = await WsClient.join(server.origin, roomId, alice.cookie);
    const b = await WsClient.join(server.origin, roomId, bob.cookie);
    await a.client.next('peer-joined');
    const state = { audio: true, video: false, screen: '{0f1e2d3c-aaaa-bbbb-cccc-123456789abc}', hand: true };
    b.client.send({ type: 'media', media: state });
    assert.deepEqual((await a.client.next('peer-media')).media, state);
    // A late joiner sees it in the roster.
    const carol = await registeredClient(server.origin);
    const c = await WsClient.join(server.origin, roomId, carol.cookie);
    assert.deepEqual(c.joined.peers.find((p) => p.peerId === b.joined.selfId)?.media, state);

    b.client.send({ type: 'reaction', reaction: 'clap' });
    const reaction = await a.client.next('reaction');
    assert.deepEqual([reaction.peerId, reaction.reaction], [b.joined.selfId, 'clap']);
    await b.client.roundTrip();
    assert.equal(b.client.received.some((m) => m.type === 'reaction'), false, 'not echoed to the sender');

    b.client.send({ type: 'reaction', reaction: 'poop' });
    assert.equal((await b.client.next('error')).code, 'bad-message', 'only the listed reactions');
    for (let i = 0; i < 10; i += 1) b.client.send({ type: 'reaction', reaction: 'heart' });
    const paced = await b.client.next('error', (e) => e.ref === 'reaction');
    assert.equal(paced.code, 'rate-limited');
    await a.client.roundTrip();
    await b.client.roundTrip();
    const hearts = a.client.received.filter((m) => m.type === 'reaction' && m.reaction === 'heart').length;
    assert.ok(hearts >= 3 && hearts <= 5, `a burst of 10 is cut to the allowance (${hearts})`);
    b.client.send({ type: 'media', media: { ...state, screen: 'x'.repeat(65) } });
    assert.equal((await b.client.next('error', (e) => e.ref === 'media')).code, 'bad-message', 'a stream id is short');
    for (const client of [a.client, b.client, c.client]) client.close();
  });

  test('signals to unknown peers or peers of another room are refused', async () => {
    const otherRoom = (await bob.post('/api/rooms', { name: 'Other' })).body.id;
    const a = await WsClient.join(server.origin, roomId, alice.cookie);
    const b = await WsClient.join(server.origin, otherRoom, bob.cookie);
    a.client.send({ type: 'signal', to: b.joined.selfId, payload: { kind: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } } });
    const error = await a.client.next('error');
    assert.equal(error.code, 'unknown-peer');
    await b.client.roundTrip();
    assert.equal(b.client.received.some((m) => m.type === 'signal'), false);
    a.client.close();
    b.client.close();
  });

  test('bad frames get error frames with stable codes and change nothing', async () => {
    const a = await WsClient.join(server.origin, roomId, alice.cookie);
    const b = await WsClient.join(server.origin, roomId, bob.cookie);
    await a.client.next('peer-joined');
    const cases: Array<[string, string]> = [
      ['{', 'bad-json'],
      ['null', 'bad-message'],
      ['[]', 'bad-message'],
      ['"text"', 'bad-message'],
      ['{"type":"nope"}', 'bad-message'],
      ['{"type":"chat","clientId":"abcdefgh","text":""}', 'bad-message'],
      ['{"type":"chat","clientId":"abcdefgh","text":"a\\u0000b"}', 'bad-message'],
      ['{"type":"chat","clientId":"no spaces!","text":"hi"}', 'bad-message'],
      ['{"type":"media","media":{"audio":"yes","video":true}}', 'bad-message'],
      ['{"__proto__":{"polluted":1},"type":"ping"}', 'bad-message'],
      ['{"type":"join","version":1,"media":{"audio":true,"video":true}}', 'already-joined'],
    ];
    for (const [frame, code] of cases) {
      a.client.sendRaw(frame);
      const error = await a.client.next('error');
      assert.equal(error.code, code, frame);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    await b.client.roundTrip();
    assert.equal(b.client.received.some((m) => m.type === 'chat' || m.type === 'peer-media' || m.type === 'error'), false);
    const history = await server.ctx.chat.latest(roomId, 100);
    assert.equal(history.length, 0, 'nothing invalid was stored');
    a.client.close();
    b.client.close();
  });

  test('two joins sent at once seat the participant once', async () => {
    const room = (await alice.post('/api/rooms', { name: 'Double join' })).body.id;
    const client = await WsClient.open(server.origin, room, { cookie: alice.cookie });
    const join = { type: 'join', version: PROTOCOL_VERSION, media: { audio: true, video: true } } as const;
    client.send(join);
    client.send(join);
    await client.next('joined');
    assert.equal((await client.next('error')).code, 'already-joined');
    assert.equal(server.ctx.hub.get(room)?.size, 1);
    client.close();
  });

  test('messages before join are refused; an oversize frame closes with 1009; binary with 1003', async () => {
    const early = await WsClient.open(server.origin, roomId, { cookie: alice.cookie });
    early.send({ type: 'chat', clientId: 'abcdefgh', text: 'hi' });
    assert.equal((await early.next('error')).code, 'not-joined');
    early.sendRaw('x'.repeat(WS_MAX_FRAME_BYTES + 1));
    assert.equal((await early.closed).code, 1009);

    const binary = await WsClient.open(server.origin, roomId, { cookie: alice.cookie });
    binary.sendRaw(Buffer.from([1, 2, 3]));
    assert.equal((await binary.closed).code, 1003);
  });

  test('an unsupported protocol version is refused clearly', async () => {
    const client = await WsClient.open(server.origin, roomId, { cookie: alice.cookie });
    client.send({ type: 'join', version: 999, media: { audio: true, video: true } });
    assert.equal((await client.next('error')).code, 'unsupported-version');
    assert.equal((await client.closed).code, CloseCode.policy);
  });

  test('a full room refuses the next participant with room-full', async () => {
    const carol = await registeredClient(server.origin);
    const dave = await registeredClient(server.origin);
    const joined = [];
    for (const user of [alice, bob, carol]) joined.push(await WsClient.join(server.origin, roomId, user.cookie));
    const extra = await WsClient.open(server.origin, roomId, { cookie: dave.cookie });
    extra.send({ type: 'join', version: PROTOCOL_VERSION, media: { audio: true, video: true } });
    const error = await extra.next('error');
    assert.equal(error.code, 'room-full');
    assert.equal(error.capacity, 3, 'the cap travels as a field');
    assert.equal((await extra.closed).code, CloseCode.roomFull);
    // Once someone leaves there is a seat again.
    joined[0]!.client.close();
    await joined[1]!.client.next('peer-left');
    const retry = await WsClient.join(server.origin, roomId, dave.cookie);
    assert.equal(retry.joined.peers.length, 2);
    for (const j of [...joined.slice(1), retry]) j.client.close();
  });

  test("in a full room, my own seat held after a dropped connection does not keep me out", async () => {
    const carol = await registeredClient(server.origin);
    const room = (await alice.post('/api/rooms', { name: 'Full' })).body.id as string;
    const [a, b, c] = [await WsClient.join(server.origin, room, alice.cookie), await WsClient.join(server.origin, room, bob.cookie), await WsClient.join(server.origin, room, carol.cookie)];
    await b.client.next('peer-joined'); // Carol
    // Alice's network drops: her seat is held for a resume, and the room stays full.
    a.client.socket.terminate();
    // She comes back from another device, without the old page's resume token.
    const again = await WsClient.join(server.origin, room, alice.cookie);
    assert.deepEqual(again.joined.peers.map((p) => p.userId).sort(), [bob.userId, carol.userId].sort());
    assert.equal((await b.client.next('peer-left')).peerId, a.joined.selfId, 'her old seat goes');
    assert.equal((await b.client.next('peer-joined')).peer.peerId, again.joined.selfId);
    assert.equal(server.ctx.hub.get(room)?.size, 3, 'full again');
    for (const j of [b, c, again]) j.client.close();
  });

  test('the same message appended twice at once is stored once, and both get its seq', async () => {
    const room = (await alice.post('/api/rooms', { name: 'Twice' })).body.id as string;
    const message = { roomId: room, userId: alice.userId, username: alice.username, clientId: 'same-message-twice', text: 'once' };
    for (let round = 0; round < 5; round += 1) {
      const both = await Promise.all([server.ctx.chat.append({ ...message, clientId: `${message.clientId}-${round}` }), server.ctx.chat.append({ ...message, clientId: `${message.clientId}-${round}` })]);
      assert.deepEqual(both.map((r) => r.duplicate).sort(), [false, true]);
      assert.equal(both[0]!.message.seq, both[1]!.message.seq);
    }
    assert.equal((await server.ctx.chat.latest(room, 100)).length, 5);
  });

  test('chat is stored, acknowledged, broadcast once, and replayed to late joiners', async () => {
    const room = (await alice.post('/api/rooms', { name: 'Chatty' })).body.id;
    const a = await WsClient.join(server.origin, room, alice.cookie);
    const b = await WsClient.join(server.origin, room, bob.cookie);
    a.client.send({ type: 'chat', clientId: 'client-msg-1', text: '<img src=x onerror=alert(1)> hello' });
    const ack = await a.client.next('chat-ack');
    assert.deepEqual(ack, { type: 'chat-ack', clientId: 'client-msg-1', seq: 1 });
    const atBob = await b.client.next('chat');
    assert.equal(atBob.message.username, alice.username);
    assert.equal(atBob.message.text, '<img src=x onerror=alert(1)> hello');
    assert.equal(atBob.message.seq, 1);

    // A resend (same client id) is acknowledged with the same seq and not shown again.
    a.client.send({ type: 'chat', clientId: 'client-msg-1', text: '<img src=x onerror=alert(1)> hello' });
    assert.equal((await a.client.next('chat-ack')).seq, 1);
    b.client.send({ type: 'chat', clientId: 'client-msg-2', text: 'second' });
    assert.equal((await b.client.next('chat-ack')).seq, 2);
    await a.client.next('chat', (m) => m.message.seq === 2);
    await b.client.roundTrip();
    assert.equal(b.client.received.filter((m) => m.type === 'chat').length, 1, 'bob saw his own message once, alice’s once');

    const late = await WsClient.join(server.origin, room, (await registeredClient(server.origin)).cookie);
    assert.deepEqual(late.joined.history.map((m) => m.seq), [1, 2]);
    late.client.close();
    await a.client.next('peer-left');
    const resumed = await WsClient.join(server.origin, room, alice.cookie, 1);
    assert.deepEqual(resumed.joined.history.map((m) => m.text), ['second']);
    for (const c of [a, b, resumed]) c.client.close();
  });

  test("one sender's burst of chat messages is stored in the order it was sent", async () => {
    const room = (await alice.post('/api/rooms', { name: 'Order' })).body.id;
    const { client } = await WsClient.join(server.origin, room, alice.cookie);
    const ids = Array.from({ length: 40 }, (_, i) => `order${String(i).padStart(4, '0')}`);
    for (const clientId of ids) client.send({ type: 'chat', clientId, text: clientId });
    const acks = [];
    for (let i = 0; i < ids.length; i++) acks.push(await client.next('chat-ack'));
    const bySeq = [...acks].sort((a, b) => a.seq - b.seq).map((a) => a.clientId);
    assert.deepEqual(bySeq, ids, 'sequence numbers follow the sending order');
    client.close();
  });

  test('history: newcomers get the latest 100; those coming back page through what they missed', async () => {
    const room = (await alice.post('/api/rooms', { name: 'Long history' })).body.id;
    for (let i = 1; i <= 1205; i += 1) await server.ctx.chat.append({ roomId: room, userId: alice.userId, username: alice.username, clientId: `bulk-${i}-msg`, text: `m${i}` });
    const fresh = await WsClient.join(server.origin, room, bob.cookie);
    assert.deepEqual([fresh.joined.history[0]?.seq, fresh.joined.history.length, fresh.joined.historyComplete], [1106, 100, true]);
    const back = await WsClient.join(server.origin, room, alice.cookie, 100);
    assert.deepEqual([back.joined.history[0]?.seq, back.joined.history.at(-1)?.seq, back.joined.historyComplete], [101, 600, false]);
    back.client.send({ type: 'history', afterSeq: 600 });
    const page = await back.client.next('history');
    assert.deepEqual([page.messages[0]?.seq, page.messages.at(-1)?.seq, page.complete], [601, 1100, false]);
    back.client.send({ type: 'history', afterSeq: 1100 });
    const last = await back.client.next('history');
    assert.deepEqual([last.messages.length, last.messages.at(-1)?.seq, last.complete], [105, 1205, true]);
    fresh.client.close();
    back.client.close();
  });

  test('signing out closes that session’s WebSockets with 4001', async () => {
    const erin = await registeredClient(server.origin);
    const room = (await erin.post('/api/rooms', { name: 'Bye' })).body.id;
    const { client } = await WsClient.join(server.origin, room, erin.cookie);
    const cookie = erin.cookie;
    await erin.post('/logout');
    assert.equal((await client.closed).code, CloseCode.sessionEnded);
    assert.equal(await upgradeStatus(server.origin, room, { origin: server.origin, cookie }), 401);
  });

  test('a flooding connection is told, then closed with 1008 and kept out for a while, while others are unaffected', async () => {
    const room = (await alice.post('/api/rooms', { name: 'Flood' })).body.id;
    const flooder = await WsClient.join(server.origin, room, alice.cookie);
    const victim = await WsClient.join(server.origin, room, bob.cookie);
    for (let i = 0; i < 1000; i += 1) flooder.client.send({ type: 'ping' });
    assert.equal((await flooder.client.next('error', (e) => e.code === 'rate-limited')).code, 'rate-limited');
    assert.equal((await flooder.client.closed).code, CloseCode.policy);
    await victim.client.next('peer-left');
    await victim.client.roundTrip();
    assert.equal(await upgradeStatus(server.origin, room, { origin: server.origin, cookie: alice.cookie }), 429, 'no reconnecting straight back into the flood');
    victim.client.close();
  });
});

describe('data survives a restart', () => {
  test('users, sessions, rooms, memberships, invitations and chat are still there', async () => {
    const first = await startServer();
    const alice = await registeredClient(first.origin);
    const bob = await registeredClient(first.origin);
    const room = (await alice.post('/api/rooms', { name: 'Durable' })).body.id;
    await alice.post('/send_link', { room_id: room, username: bob.username });
    const { client } = await WsClient.join(first.origin, room, alice.cookie);
    client.send({ type: 'chat', clientId: 'durable-1', text: 'still here?' });
    await client.next('chat-ack');
    client.close();
    await first.app.close();

    // Same database, new process state.
    const { buildApp } = await import('../../src/server/app.ts');
    const { app } = await buildApp(testEnv(first.databaseUrl), { logger: false });
    const origin = await listen(app);
    try {
      const aliceAgain = new HttpClient(origin);
      aliceAgain.cookie = alice.cookie;
      assert.equal((await aliceAgain.get('/api/me')).body.username, alice.username, 'the session survived');
      const bobAgain = new HttpClient(origin);
      bobAgain.cookie = bob.cookie;
      const [invitation] = (await bobAgain.get('/api/invitations')).body;
      assert.equal(invitation.roomId, room);
      assert.equal((await bobAgain.post(`/api/invitations/${invitation.id}/accept`)).status, 204);
      assert.deepEqual((await bobAgain.get('/api/rooms')).body.map((r: { id: string }) => r.id), [room]);
      const rejoined = await WsClient.join(origin, room, bob.cookie);
      assert.deepEqual(rejoined.joined.history.map((m) => m.text), ['still here?']);
      rejoined.client.close();
    } finally {
      await app.close();
      await first.close();
    }
  });
});
