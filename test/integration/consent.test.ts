/**
 * Around the call: invitations that ask, ringing and presence, blocking,
 * rooms their owner manages (rename, delete, lock, remove, ask to mute),
 * members who leave, one seat per account, guest links, chat retention and
 * quota, and the abuse rules (invisible messages, look-alike names, what
 * registration counts). On SQLite and, in the second run, PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { manualClock, startServer, type TestServer } from '../helpers/server.ts';
import { EventStream, HttpClient, PASSWORD, registeredClient, uniqueName, WsClient } from '../helpers/client.ts';
import { CloseCode, PROTOCOL_VERSION } from '../../src/shared/protocol.ts';
import { runHousekeeping } from '../../src/server/repos/housekeeping.ts';

type Client = Awaited<ReturnType<typeof registeredClient>>;
const createRoom = async (owner: Client, name = 'room') => (await owner.post('/api/rooms', { name })).body as { id: string; name: string };
const invite = (from: Client, roomId: string, to: Client) => from.post('/send_link', { room_id: roomId, username: to.username });
const roomIds = async (client: Client) => ((await client.get('/api/rooms')).body as Array<{ id: string }>).map((r) => r.id);

describe('invitations ask, ring, and can be blocked', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ REGISTER_RATE_LIMIT: '1000', RING_SECONDS: '1' });
  });
  after(() => server.close());

  test('accepted, the room becomes mine and my pages update live; declined, nothing changes; either way it leaves the list', async () => {
    const alice = await registeredClient(server.origin);
    const bob = await registeredClient(server.origin);
    const [accepted, declined] = [await createRoom(alice, 'Yes'), await createRoom(alice, 'No')];
    await invite(alice, accepted.id, bob);
    await invite(alice, declined.id, bob);
    const pending = (await bob.get('/api/invitations')).body as Array<{ id: string; roomId: string }>;
    assert.equal(pending.length, 2);
    assert.deepEqual(await roomIds(bob), [], 'an invitation alone makes nobody a member');

    const stream = await EventStream.open(server.origin, bob.cookie);
    const yes = pending.find((i) => i.roomId === accepted.id)!;
    const no = pending.find((i) => i.roomId === declined.id)!;
    assert.equal((await alice.post(`/api/invitations/${yes.id}/accept`)).status, 404, 'only the invitee answers');
    assert.equal((await bob.post(`/api/invitations/${yes.id}/accept`)).status, 204);
    await stream.next('rooms-changed');
    assert.equal((await bob.post(`/api/invitations/${no.id}/decline`)).status, 204);
    assert.deepEqual(await roomIds(bob), [accepted.id]);
    assert.deepEqual((await bob.get('/api/invitations')).body, []);
    assert.equal((await bob.post(`/api/invitations/${yes.id}/accept`)).status, 404, 'answered once');
    stream.close();
  });

  test('the same room sent twice is one invitation, renewed', async () => {
    const alice = await registeredClient(server.origin);
    const carol = await registeredClient(server.origin);
    const bob = await registeredClient(server.origin);
    const room = await createRoom(alice);
    await alice.post('/send_link', { room_id: room.id, username: carol.username });
    await carol.post(`/api/invitations/${(await carol.get('/api/invitations')).body[0]?.id}/accept`).catch(() => undefined);
    const first = await invite(alice, room.id, bob);
    const second = await invite(carol, room.id, bob);
    assert.equal(first.status, 201);
    assert.equal(second.body.id, first.body.id, 'the same invitation');
    const list = (await bob.get('/api/invitations')).body as Array<{ fromUsername: string; createdAt: number }>;
    assert.equal(list.length, 1);
    assert.equal(list[0]!.fromUsername, carol.username, 'renewed by the latest sender');
    assert.ok(list[0]!.createdAt >= first.body.createdAt);
  });

  test('someone I blocked cannot invite or ring me, without being told; unblocked, they can again', async () => {
    const mallory = await registeredClient(server.origin);
    const bob = await registeredClient(server.origin);
    const room = await createRoom(mallory);
    await invite(mallory, room.id, bob);
    assert.equal((await bob.post('/api/blocks', { username: mallory.username })).status, 204);
    assert.deepEqual((await bob.get('/api/invitations')).body, [], 'what they had sent goes');
    assert.deepEqual(((await bob.get('/api/blocks')).body as Array<{ username: string }>).map((b) => b.username), [mallory.username]);

    const stream = await EventStream.open(server.origin, bob.cookie);
    const sent = await invite(mallory, room.id, bob);
    assert.equal(sent.status, 201, 'the sender learns nothing');
    await bob.get('/api/me');
    assert.deepEqual((await bob.get('/api/invitations')).body, []);
    assert.equal(stream.received.some((e) => e.type === 'invitation' || e.type === 'ring'), false);

    const blocked = (await bob.get('/api/blocks')).body[0] as { userId: string };
    assert.equal((await bob.request('DELETE', `/api/blocks/${blocked.userId}`)).status, 204);
    await invite(mallory, room.id, bob);
    await stream.next('invitation');
    assert.equal((await bob.get('/api/invitations')).body.length, 1);
    assert.equal((await bob.post('/api/blocks', { username: bob.username })).status, 400, 'not myself');
    stream.close();
  });

  test('inviting someone online rings them: answered, they are in; declined or unanswered, the caller hears so', async () => {
    const alice = await registeredClient(server.origin);
    const bob = await registeredClient(server.origin);
    const room = await createRoom(alice, 'Ringing');
    const atAlice = await EventStream.open(server.origin, alice.cookie);

    // Offline: an invitation, no ring.
    await invite(alice, room.id, bob);
    assert.deepEqual(((await bob.get('/api/calls')).body as unknown[]).length, 0);

    const atBob = await EventStream.open(server.origin, bob.cookie);
    await invite(alice, room.id, bob);
    const { ring } = await atBob.next('ring');
    assert.deepEqual([ring.state, ring.outgoing, ring.fromUsername, ring.roomName], ['ringing', false, alice.username, 'Ringing']);
    assert.equal((await alice.post(`/api/calls/${ring.id}/accept`)).status, 404, 'the caller cannot answer for them');
    assert.equal((await bob.post(`/api/calls/${ring.id}/decline`)).status, 204);
    assert.equal((await atAlice.next('ring-ended')).ring.state, 'declined');
    assert.deepEqual(await roomIds(bob), []);
    assert.deepEqual((await bob.get('/api/invitations')).body, [], 'declining the call declines the invitation');

    await invite(alice, room.id, bob);
    const unanswered = (await atBob.next('ring')).ring;
    const missed = await atAlice.next('ring-ended', (e) => e.ring.id === unanswered.id);
    assert.equal(missed.ring.state, 'missed');
    assert.equal(missed.ring.outgoing, true);
    const calls = (await alice.get('/api/calls')).body as Array<{ id: string; state: string }>;
    assert.equal(calls.find((c) => c.id === unanswered.id)?.state, 'missed', 'the caller sees the missed call');

    // Answering the invitation's card while it rings answers the call too.
    await invite(alice, room.id, bob);
    const ringingCard = (await atBob.next('ring')).ring;
    const card = ((await bob.get('/api/invitations')).body as Array<{ id: string }>)[0]!;
    assert.equal((await bob.post(`/api/invitations/${card.id}/decline`)).status, 204);
    assert.equal((await atAlice.next('ring-ended', (e) => e.ring.id === ringingCard.id)).ring.state, 'declined');

    const third = (await (async () => {
      await invite(alice, room.id, bob);
      return (await atBob.next('ring')).ring;
    })());
    assert.equal((await bob.post(`/api/calls/${third.id}/accept`)).status, 204);
    assert.equal((await atAlice.next('ring-ended', (e) => e.ring.id === third.id)).ring.state, 'accepted');
    assert.deepEqual(await roomIds(bob), [room.id]);
    atAlice.close();
    atBob.close();
  });

  test('people who share a room see each other online, in a call, or away', async () => {
    const alice = await registeredClient(server.origin);
    const bob = await registeredClient(server.origin);
    const stranger = await registeredClient(server.origin);
    const room = await createRoom(alice, 'Together');
    const atAlice = await EventStream.open(server.origin, alice.cookie);
    const { client: visit } = await WsClient.join(server.origin, room.id, bob.cookie);
    await atAlice.next('presence', (e) => e.presence === 'in-call');
    visit.close();
    await atAlice.next('presence', (e) => e.presence === 'offline');
    const presenceOf = async (viewer: Client, user: Client) => ((await viewer.get('/api/contacts')).body as Array<{ username: string; presence: string }>).find((c) => c.username === user.username)?.presence;
    assert.equal(await presenceOf(alice, bob), 'offline');
    assert.equal(await presenceOf(alice, stranger), undefined, 'only people I share a room with');

    const bobPage = await EventStream.open(server.origin, bob.cookie);
    assert.equal((await atAlice.next('presence', (e) => e.presence === 'online')).presence, 'online');
    assert.equal(await presenceOf(alice, bob), 'online');
    const { client: call } = await WsClient.join(server.origin, room.id, bob.cookie);
    await atAlice.next('presence', (e) => e.presence === 'in-call');
    assert.equal(await presenceOf(alice, bob), 'in-call');
    assert.deepEqual(((await alice.get('/api/rooms')).body as Array<{ inCall: unknown }>)[0]!.inCall, [{ username: bob.username, guest: false }], 'who is in the call, on the dashboard');
    call.close();
    await atAlice.next('presence', (e) => e.presence === 'online');
    bobPage.close();
    await atAlice.next('presence', (e) => e.presence === 'offline');
    atAlice.close();
  });
});

describe('rooms their owner manages', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ REGISTER_RATE_LIMIT: '1000' });
  });
  after(() => server.close());

  test('the owner renames; a member cannot; a member leaves; the owner deletes, and its call ends', async () => {
    const owner = await registeredClient(server.origin);
    const member = await registeredClient(server.origin);
    const room = await createRoom(owner, 'Before');
    const { client: memberCall } = await WsClient.join(server.origin, room.id, member.cookie);
    assert.equal((await member.request('PATCH', `/api/rooms/${room.id}`, { name: 'Hijacked' })).body.error, 'not-owner');
    const renamed = await owner.request('PATCH', `/api/rooms/${room.id}`, { name: '  After  ' });
    assert.deepEqual([renamed.status, renamed.body.name, renamed.body.owner], [200, 'After', true]);
    assert.equal((await owner.request('PATCH', `/api/rooms/${room.id}`, { name: '' })).status, 400);

    assert.equal((await member.post(`/api/rooms/${room.id}/leave`)).status, 204);
    assert.deepEqual(await roomIds(member), []);
    memberCall.close();
    const { client: again } = await WsClient.join(server.origin, room.id, member.cookie);
    assert.equal((await member.request('DELETE', `/api/rooms/${room.id}`)).body.error, 'not-owner');
    assert.equal((await owner.request('DELETE', `/api/rooms/${room.id}`)).status, 204);
    assert.equal((await again.closed).code, CloseCode.roomNotFound, 'those in the call are let go');
    assert.equal((await owner.get(`/api/rooms/${room.id}`)).status, 404);
  });

  test('an owner who leaves hands the room to the longest-standing member', async () => {
    const owner = await registeredClient(server.origin);
    const member = await registeredClient(server.origin);
    const room = await createRoom(owner);
    await WsClient.join(server.origin, room.id, member.cookie).then(({ client }) => client.close());
    await owner.post(`/api/rooms/${room.id}/leave`);
    const view = (await member.get(`/api/rooms/${room.id}`)).body;
    assert.equal(view.owner, true);
  });

  test('locked, a room takes members only; removed, a participant leaves the call and the room; asked, one mutes', async () => {
    const owner = await registeredClient(server.origin);
    const member = await registeredClient(server.origin);
    const outsider = await registeredClient(server.origin);
    const room = await createRoom(owner, 'Locked');
    const o = await WsClient.join(server.origin, room.id, owner.cookie);
    const m = await WsClient.join(server.origin, room.id, member.cookie);
    assert.equal((await owner.request('PATCH', `/api/rooms/${room.id}`, { locked: true })).body.locked, true);
    const refused = await WsClient.open(server.origin, room.id, { cookie: outsider.cookie });
    refused.send({ type: 'join', version: PROTOCOL_VERSION, media: { audio: true, video: true } });
    assert.equal((await refused.closed).code, CloseCode.locked);
    assert.deepEqual(await roomIds(outsider), [], 'the link did not make them a member');

    m.client.send({ type: 'moderate', action: 'mute', peerId: o.joined.selfId });
    assert.equal((await m.client.next('error')).code, 'not-owner');
    o.client.send({ type: 'moderate', action: 'mute', peerId: m.joined.selfId });
    assert.equal((await m.client.next('mute-request')).by, owner.username);
    o.client.send({ type: 'moderate', action: 'remove', peerId: m.joined.selfId });
    assert.equal((await m.client.closed).code, CloseCode.removed);
    assert.equal((await o.client.next('peer-left')).peerId, m.joined.selfId);
    assert.deepEqual(await roomIds(member), [], 'no longer a member');
    const back = await WsClient.open(server.origin, room.id, { cookie: member.cookie });
    back.send({ type: 'join', version: PROTOCOL_VERSION, media: { audio: true, video: true } });
    assert.equal((await back.closed).code, CloseCode.locked, 'and, the room being locked, not let back in');
    o.client.close();
  });

  test('one seat per account: joining again elsewhere takes the seat over', async () => {
    const owner = await registeredClient(server.origin);
    const room = await createRoom(owner);
    const first = await WsClient.join(server.origin, room.id, owner.cookie);
    const second = await WsClient.join(server.origin, room.id, owner.cookie);
    assert.equal((await first.client.closed).code, CloseCode.replaced);
    await second.client.roundTrip();
    assert.equal(server.ctx.hub.get(room.id)?.size, 1, 'one account cannot fill a room');
    second.client.close();
  });
});

describe('guest links', () => {
  const clock = manualClock();
  let server: TestServer;
  before(async () => {
    server = await startServer({ REGISTER_RATE_LIMIT: '1000', GUEST_LINK_HOURS: '2' }, { clock: clock.now });
  });
  after(() => server.close());

  const token = (link: string) => new URL(link).pathname.split('/').pop()!;

  test('a guest joins with a name through the link, cannot do anything else, and is out when it expires', async () => {
    const owner = await registeredClient(server.origin);
    const member = await registeredClient(server.origin);
    const room = await createRoom(owner, 'Open house');
    const other = await createRoom(owner, 'Private');
    await WsClient.join(server.origin, room.id, member.cookie).then(({ client }) => client.close());
    assert.equal((await member.post(`/api/rooms/${room.id}/guest-link`)).body.error, 'not-owner');
    const made = await owner.post(`/api/rooms/${room.id}/guest-link`);
    assert.equal(made.status, 201);
    assert.match(made.body.link, /\/guest\/[A-Za-z0-9_-]{43}$/);

    const guest = new HttpClient(server.origin);
    const page = await guest.get(new URL(made.body.link).pathname, { accept: 'text/html' });
    assert.equal(page.status, 200);
    assert.ok(page.body.includes('Open house'));
    const entered = await guest.post(`/guest/${token(made.body.link)}`, { name: '  Visitor  ' });
    assert.deepEqual([entered.status, entered.body.roomId], [201, room.id]);
    assert.equal((await guest.get('/api/me')).body.username, 'Visitor');

    const host = await WsClient.join(server.origin, room.id, owner.cookie);
    const ownersDashboard = await EventStream.open(server.origin, owner.cookie);
    const guestId = (await guest.get('/api/me')).body.id as string;
    const { client, joined } = await WsClient.join(server.origin, room.id, guest.cookie);
    // The owner's dashboard hears of the guest in the call, to show them among who is in it.
    await ownersDashboard.next('presence', (e) => e.userId === guestId && e.presence === 'in-call');
    ownersDashboard.close();
    assert.equal(joined.selfId.length > 0, true);
    // Marked as a guest wherever the name shows, so it cannot pass for a member's.
    assert.deepEqual((await host.client.next('peer-joined')).peer.guest, true);
    assert.equal(joined.peers.find((p) => p.userId !== undefined)?.guest, undefined, 'members are not marked');
    const listed = ((await owner.get('/api/rooms')).body as Array<{ id: string; inCall: { username: string; guest: boolean }[] }>).find((r) => r.id === room.id)!.inCall;
    assert.deepEqual(listed.sort((a, b) => Number(a.guest) - Number(b.guest)), [{ username: owner.username, guest: false }, { username: 'Visitor', guest: true }], 'and on the dashboard');
    // A second guest may choose the same name: two people, listed twice.
    const twin = new HttpClient(server.origin);
    assert.equal((await twin.post(`/guest/${token(made.body.link)}`, { name: 'Visitor' })).status, 201);
    const twinCall = await WsClient.join(server.origin, room.id, twin.cookie);
    const withTwin = ((await owner.get('/api/rooms')).body as Array<{ id: string; inCall: { username: string; guest: boolean }[] }>).find((r) => r.id === room.id)!.inCall;
    assert.equal(withTwin.filter((p) => p.username === 'Visitor' && p.guest).length, 2, 'two guests of one name are two people');
    twinCall.client.close();
    client.send({ type: 'chat', clientId: 'guest-message-1', text: 'hello from a guest' });
    assert.equal((await host.client.next('chat')).message.guest, true);
    const later = await WsClient.join(server.origin, room.id, member.cookie);
    assert.deepEqual(later.joined.history.map((m) => [m.text, m.guest]), [['hello from a guest', true]], 'and in the stored history');
    later.client.close();
    host.client.close();
    assert.equal((await guest.post('/api/rooms', { name: 'mine' })).body.error, 'guest-not-allowed');
    assert.equal((await guest.post('/send_link', { room_id: room.id, username: member.username })).body.error, 'guest-not-allowed');
    const elsewhere = await guest.get(`/room/${other.id}`);
    assert.equal(elsewhere.status, 404);
    assert.equal((await guest.get('/dashboard')).headers.get('location'), `/room/${room.id}`);
    const otherSocket = await new Promise<number>((resolve) => {
      WsClient.open(server.origin, other.id, { cookie: guest.cookie }).then(() => resolve(101), (error: Error) => resolve(Number(/\d{3}/.exec(error.message)?.[0])));
    });
    assert.equal(otherSocket, 403);
    assert.equal((await new HttpClient(server.origin).post('/login', { username: 'Visitor', password: '!' })).status, 401, 'nobody signs in as a guest');
    client.close();

    clock.advance(2 * 3_600_000 + 1000);
    assert.equal((await guest.get('/api/me')).status, 401, 'the guest session ends with the link');
    const late = await new HttpClient(server.origin).post(`/guest/${token(made.body.link)}`, { name: 'Latecomer' });
    assert.deepEqual([late.status, late.body.error], [410, 'guest-link-invalid']);
    await runHousekeeping(server.ctx, clock.now());
    assert.equal(await server.ctx.db.selectFrom('users').select('id').where('guest_room_id', '=', room.id).executeTakeFirst(), undefined, 'expired guests are deleted');
  });

  test('withdrawn, the link stops working and its guests are signed out and leave the call', async () => {
    const owner = await registeredClient(server.origin);
    const room = await createRoom(owner);
    const made = await owner.post(`/api/rooms/${room.id}/guest-link`);
    const guest = new HttpClient(server.origin);
    await guest.post(`/guest/${token(made.body.link)}`, { name: 'Short stay' });
    const { client } = await WsClient.join(server.origin, room.id, guest.cookie);
    assert.equal((await owner.request('DELETE', `/api/rooms/${room.id}/guest-link`)).status, 204);
    assert.equal((await client.closed).code, CloseCode.sessionEnded);
    assert.equal((await guest.get('/api/me')).status, 401);
    assert.equal((await new HttpClient(server.origin).post(`/guest/${token(made.body.link)}`, { name: 'Another' })).status, 410);
    for (const name of ['', '   ', 'rtl\u202eevil']) {
      const again = await owner.post(`/api/rooms/${room.id}/guest-link`);
      assert.equal((await new HttpClient(server.origin).post(`/guest/${token(again.body.link)}`, { name })).status, 400, JSON.stringify(name));
    }
  });
});

describe('chat: retention, quota, paced history, blank messages', () => {
  const clock = manualClock();
  let server: TestServer;
  before(async () => {
    server = await startServer({ REGISTER_RATE_LIMIT: '1000', CHAT_MESSAGES_PER_DAY: '4' }, { clock: clock.now });
  });
  after(() => server.close());

  test('the owner sets how long chat is kept; older messages go, and clients learn where the chat now starts', async () => {
    const owner = await registeredClient(server.origin);
    const room = await createRoom(owner);
    const { client } = await WsClient.join(server.origin, room.id, owner.cookie);
    for (const [i, at] of [[1, Date.now() - 3 * 86_400_000], [2, Date.now() - 2 * 86_400_000]] as const) {
      await server.ctx.chat.append({ roomId: room.id, userId: owner.userId, username: owner.username, clientId: `old-${i}`, text: `old ${i}` }, at);
    }
    client.send({ type: 'chat', clientId: 'fresh-001', text: 'fresh' });
    await client.next('chat-ack');
    assert.equal((await owner.request('PATCH', `/api/rooms/${room.id}`, { chatRetentionDays: 1 })).body.chatRetentionDays, 1);
    assert.equal((await owner.request('PATCH', `/api/rooms/${room.id}`, { chatRetentionDays: 0 })).status, 400);
    const { messagesDeleted } = await runHousekeeping(server.ctx, Date.now());
    assert.equal(messagesDeleted, 2);
    client.close();
    const { client: back, joined } = await WsClient.join(server.origin, room.id, owner.cookie, 0);
    assert.deepEqual(joined.history.map((m) => m.text), ['fresh']);
    assert.equal(joined.firstSeq, 3, 'the chat now starts at 3');
    back.send({ type: 'history', afterSeq: 0 });
    const page = await back.next('history');
    assert.deepEqual([page.firstSeq, page.messages.map((m) => m.seq)], [3, [3]]);
    back.close();
  });

  test('a user has a daily allowance of messages; the one over it is refused with when to retry, and not stored', async () => {
    const talker = await registeredClient(server.origin);
    const room = await createRoom(talker);
    const { client } = await WsClient.join(server.origin, room.id, talker.cookie);
    for (let i = 1; i <= 4; i += 1) {
      client.send({ type: 'chat', clientId: `quota-00${i}`, text: `message ${i}` });
      await client.next('chat-ack');
    }
    client.send({ type: 'chat', clientId: 'quota-005', text: 'one too many' });
    const refused = await client.next('error', (e) => e.ref === 'chat');
    assert.deepEqual([refused.code, refused.clientId], ['chat-quota', 'quota-005']);
    assert.ok((refused.retryAfterSeconds ?? 0) > 3600, `retry in ${refused.retryAfterSeconds} s`);
    assert.equal((await server.ctx.chat.latest(room.id, 10)).length, 4);
    client.close();
  });

  test('history pages are paced, and a message of invisible characters only is blank', async () => {
    const reader = await registeredClient(server.origin);
    const room = await createRoom(reader);
    const { client } = await WsClient.join(server.origin, room.id, reader.cookie);
    for (let i = 0; i < 8; i += 1) client.send({ type: 'history', afterSeq: 0 });
    const paced = await client.next('error', (e) => e.ref === 'history');
    assert.equal(paced.code, 'rate-limited');
    for (const text of ['\u200b\u200b', '\u3164', '\u2800\u2800', ' \u200d\u2060 ', '\u0301']) {
      client.send({ type: 'chat', clientId: `blank-${text.codePointAt(0)}`, text });
      assert.equal((await client.next('error', (e) => e.ref === 'chat')).code, 'bad-message', JSON.stringify(text));
    }
    client.close();
  });
});

describe('names and registration', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ REGISTER_RATE_LIMIT: '2' });
  });
  after(() => server.close());

  test('a name that looks like another user’s is refused; registration counts accounts created, not attempts', async () => {
    const base = uniqueName('alice').replace(/\d/g, '').slice(0, 5) + 'x';
    const client = new HttpClient(server.origin);
    // Mistakes do not count against the address...
    for (let i = 0; i < 5; i += 1) assert.equal((await client.post('/register', { username: 'ok', password: PASSWORD })).status, 400);
    for (let i = 0; i < 3; i += 1) assert.equal((await client.post('/register', { username: 'valid-name', password: 'password' })).status, 400);
    assert.equal((await new HttpClient(server.origin).post('/register', { username: base, password: PASSWORD })).status, 201);
    // ...look-alikes are taken names...
    for (const lookAlike of [base.toUpperCase(), `${base.replace('a', 'ɑ')}`, `${base.replace('l', 'I')}`, `${base.replace('l', '1')}`]) {
      const result = await new HttpClient(server.origin).post('/register', { username: lookAlike, password: PASSWORD });
      assert.deepEqual([result.status, result.body.error], [409, 'username-taken'], lookAlike);
    }
    // ...and the limit is on accounts created: the second succeeds, the third is refused.
    assert.equal((await new HttpClient(server.origin).post('/register', { username: `${base}two`, password: PASSWORD })).status, 201);
    const third = await new HttpClient(server.origin).post('/register', { username: `${base}three`, password: PASSWORD });
    assert.equal(third.status, 429);
    assert.ok(Number(third.headers.get('retry-after')) > 0);
    const cyrillic = await new HttpClient(server.origin).post('/register', { username: 'асе', password: PASSWORD });
    assert.equal(cyrillic.status, 429, 'still limited (checked before the name)');
  });
});
