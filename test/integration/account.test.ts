import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { manualClock, startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient, PASSWORD, WsClient, registeredClient } from '../helpers/client.ts';
import { CloseCode } from '../../src/shared/protocol.ts';

const NEW_PASSWORD = 'a brand new passphrase';

/** Signs the same account in from another "browser". */
async function signIn(origin: string, username: string, password = PASSWORD, userAgent = 'second-browser') {
  const client = new HttpClient(origin);
  const result = await client.post('/login', { username, password }, { 'user-agent': userAgent });
  assert.equal(result.status, 200, JSON.stringify(result.body));
  return client;
}

async function createRoom(client: HttpClient, name = 'room') {
  const result = await client.post('/api/rooms', { name });
  assert.equal(result.status, 201);
  return result.body as { id: string };
}

describe('my sessions', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ REGISTER_RATE_LIMIT: '1000' });
  });
  after(() => server.close());

  test('lists my sessions with the current one marked, and no token or hash in the list', async () => {
    const first = await registeredClient(server.origin);
    await signIn(server.origin, first.username);
    const list = await first.get('/api/account/sessions');
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 2);
    assert.equal(list.body.filter((s: { current: boolean }) => s.current).length, 1);
    assert.ok(list.body.some((s: { userAgent: string }) => s.userAgent === 'second-browser'));
    const rows = await server.ctx.db.selectFrom('sessions').select('token_hash').where('user_id', '=', first.userId).execute();
    const text = JSON.stringify(list.body);
    for (const row of rows) assert.equal(text.includes(row.token_hash), false, 'the token hash is not exposed');
    assert.equal(text.includes(first.cookie.split('=')[1]!), false);
  });

  test('signing out one session closes its call and leaves mine working; another user cannot touch it', async () => {
    const me = await registeredClient(server.origin);
    const other = await signIn(server.origin, me.username);
    const room = await createRoom(me);
    const { client: call } = await WsClient.join(server.origin, room.id, other.cookie);
    const list = await me.get('/api/account/sessions');
    const target = list.body.find((s: { current: boolean }) => !s.current);

    const stranger = await registeredClient(server.origin);
    const refused = await stranger.request('DELETE', `/api/account/sessions/${target.id}`);
    assert.equal(refused.status, 404, 'a session of someone else is not found');

    const ended = await me.request('DELETE', `/api/account/sessions/${target.id}`);
    assert.equal(ended.status, 204);
    assert.equal((await call.closed).code, CloseCode.sessionEnded);
    assert.equal((await other.get('/api/me')).status, 401);
    assert.equal((await me.get('/api/me')).status, 200);
  });

  test('"sign out everywhere" ends every session, this one included', async () => {
    const me = await registeredClient(server.origin);
    const other = await signIn(server.origin, me.username);
    const result = await me.request('DELETE', '/api/account/sessions');
    assert.equal(result.status, 204);
    assert.equal((await me.get('/api/me')).status, 401);
    assert.equal((await other.get('/api/me')).status, 401);
  });
});

describe('password change', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ REGISTER_RATE_LIMIT: '1000', LOGIN_RATE_LIMIT: '3' });
  });
  after(() => server.close());

  test('needs the current password, ends the other sessions and their calls, rotates mine', async () => {
    const me = await registeredClient(server.origin);
    const other = await signIn(server.origin, me.username);
    const room = await createRoom(me);
    const { client: call } = await WsClient.join(server.origin, room.id, other.cookie);
    const before = me.cookie;

    const wrong = await me.post('/api/account/password', { currentPassword: 'not my password', newPassword: NEW_PASSWORD });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.error, 'wrong-password');
    assert.equal((await other.get('/api/me')).status, 200, 'a failed change ends nothing');

    const weak = await me.post('/api/account/password', { currentPassword: PASSWORD, newPassword: 'password123' });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.error, 'weak-password');

    const changed = await me.post('/api/account/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    assert.equal(changed.status, 204);
    assert.notEqual(me.cookie, before, 'a new session token');
    assert.equal((await me.get('/api/me')).status, 200);
    assert.equal((await other.get('/api/me')).status, 401);
    assert.equal((await call.closed).code, CloseCode.sessionEnded);
    const stale = new HttpClient(server.origin);
    stale.cookie = before;
    assert.equal((await stale.get('/api/me')).status, 401, 'the old token of this browser is dead');

    assert.equal((await new HttpClient(server.origin).post('/login', { username: me.username, password: PASSWORD })).status, 401);
    await signIn(server.origin, me.username, NEW_PASSWORD);
  });

  test('guessing the current password is rate-limited like sign-in', async () => {
    const me = await registeredClient(server.origin);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await me.post('/api/account/password', { currentPassword: `guess number ${i}`, newPassword: NEW_PASSWORD })).status);
    }
    assert.deepEqual(statuses, [403, 403, 403, 429]);
    const right = await me.post('/api/account/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    assert.equal(right.status, 429, 'even the right password waits out the limit');
    assert.ok(Number(right.headers.get('retry-after')) > 0);
  });

  test('a client cannot name the account to change', async () => {
    const me = await registeredClient(server.origin);
    const victim = await registeredClient(server.origin);
    const result = await me.post('/api/account/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, userId: victim.userId });
    assert.equal(result.status, 400);
    await signIn(server.origin, victim.username, PASSWORD);
  });
});

describe('account deletion', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ REGISTER_RATE_LIMIT: '1000' });
  });
  after(() => server.close());

  test('removes the account and its data, keeps rooms others use, and leaves no hole in their chat', async () => {
    const leaver = await registeredClient(server.origin);
    const friend = await registeredClient(server.origin);
    const shared = await createRoom(leaver, 'shared');
    const solo = await createRoom(leaver, 'solo');
    const { client: friendCall } = await WsClient.join(server.origin, shared.id, friend.cookie);
    const { client: leaverCall } = await WsClient.join(server.origin, shared.id, leaver.cookie);
    leaverCall.send({ type: 'chat', clientId: 'a'.repeat(22), text: 'my secret words' });
    await leaverCall.next('chat-ack');
    friendCall.send({ type: 'chat', clientId: 'b'.repeat(22), text: 'hello' });
    await friendCall.next('chat-ack');
    assert.equal((await friend.post('/send_link', { room_id: shared.id, username: leaver.username })).status, 201);

    const wrong = await leaver.request('DELETE', '/api/account', { password: 'not my password' });
    assert.equal(wrong.status, 403);
    const deleted = await leaver.request('DELETE', '/api/account', { password: PASSWORD });
    assert.equal(deleted.status, 204);
    assert.equal((await leaverCall.closed).code, CloseCode.sessionEnded);
    await friendCall.next('peer-left');

    const db = server.ctx.db;
    assert.equal(await db.selectFrom('users').select('id').where('id', '=', leaver.userId).executeTakeFirst(), undefined);
    for (const table of ['sessions', 'room_members'] as const) {
      assert.equal((await db.selectFrom(table).select('user_id').where('user_id', '=', leaver.userId).execute()).length, 0, table);
    }
    assert.equal((await db.selectFrom('invitations').select('id').where('to_user_id', '=', leaver.userId).execute()).length, 0);
    assert.equal(await db.selectFrom('rooms').select('id').where('id', '=', solo.id).executeTakeFirst(), undefined, 'a room only they used is gone');
    const kept = await db.selectFrom('rooms').select('owner_id').where('id', '=', shared.id).executeTakeFirstOrThrow();
    assert.equal(kept.owner_id, friend.userId, 'a shared room passes to its other member');

    const messages = await db.selectFrom('chat_messages').select(['seq', 'text', 'user_id']).where('room_id', '=', shared.id).orderBy('seq').execute();
    assert.deepEqual(messages.map((m) => Number(m.seq)), [1, 2], 'sequence numbers stay gap-free');
    assert.equal(messages[0]!.text, '');
    assert.notEqual(messages[0]!.user_id, leaver.userId);
    const { joined } = await WsClient.join(server.origin, shared.id, friend.cookie);
    assert.deepEqual(joined.history.map((m) => [m.username, m.text]), [['[deleted]', ''], [friend.username, 'hello']]);

    assert.equal((await new HttpClient(server.origin).post('/login', { username: leaver.username, password: PASSWORD })).status, 401);
    const again = await new HttpClient(server.origin).post('/register', { username: leaver.username, password: PASSWORD });
    assert.equal(again.status, 201, 'the name is free again');
  });

  test('the placeholder account cannot be signed into or invited', async () => {
    const me = await registeredClient(server.origin);
    const room = await createRoom(me);
    for (const username of ['~deleted', '[deleted]']) {
      assert.equal((await new HttpClient(server.origin).post('/login', { username, password: '!' })).status, 401);
      const invite = await me.post('/send_link', { room_id: room.id, username });
      assert.equal(invite.status, 404);
      assert.equal(invite.body.error, 'unknown-user');
    }
  });
});

describe('session timeouts', () => {
  const MINUTE = 60_000;
  const clock = manualClock();
  let server: TestServer;
  before(async () => {
    server = await startServer({ REGISTER_RATE_LIMIT: '1000', SESSION_IDLE_MINUTES: '30', SESSION_ABSOLUTE_HOURS: '12' }, { clock: clock.now });
  });
  after(() => server.close());

  /** What the server does every few seconds: extend sessions with a call open, close the connections of ended ones. */
  const sweep = () => server.ctx.liveSessions.sweep(server.ctx.sessions);

  test('a session unused for the idle timeout ends; using it keeps it', async () => {
    const me = await registeredClient(server.origin);
    clock.advance(29 * MINUTE);
    assert.equal((await me.get('/api/me')).status, 200, 'used within 30 minutes');
    clock.advance(29 * MINUTE);
    assert.equal((await me.get('/api/me')).status, 200, '58 minutes after sign-in, but used 29 minutes ago');
    clock.advance(31 * MINUTE);
    assert.equal((await me.get('/api/me')).status, 401);
  });

  test('a call in progress counts as activity, and the call is closed at the absolute timeout', async () => {
    const me = await registeredClient(server.origin);
    const room = await createRoom(me);
    const { client: call } = await WsClient.join(server.origin, room.id, me.cookie);
    for (let elapsed = 0; elapsed < 3 * 60; elapsed += 20) {
      clock.advance(20 * MINUTE);
      await sweep();
    }
    await call.roundTrip();
    assert.equal((await me.get('/api/me')).status, 200, 'three hours in a call and no request: still signed in');
    clock.advance(9 * 60 * MINUTE + MINUTE);
    await sweep();
    assert.equal((await call.closed).code, CloseCode.sessionEnded, 'closed at the 12-hour limit');
    assert.equal((await me.get('/api/me')).status, 401);
  });
});
