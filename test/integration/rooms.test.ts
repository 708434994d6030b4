import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { EventStream, HttpClient, PASSWORD, registeredClient, uniqueName, WsClient } from '../helpers/client.ts';
import { CloseCode, PROTOCOL_VERSION } from '../../src/shared/protocol.ts';

describe('rooms, links and invitations', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('a created room has an unguessable id, a link, and is listed as mine', async () => {
    const alice = await registeredClient(server.origin);
    const created = await alice.post('/api/rooms', { name: '  Standup  ' });
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(created.body.name, 'Standup');
    assert.equal(created.body.link, `${server.origin}/room/${created.body.id}`);
    const list = await alice.get('/api/rooms');
    assert.deepEqual(list.body.map((r: { id: string }) => r.id), [created.body.id]);
  });

  test('room names are validated', async () => {
    const alice = await registeredClient(server.origin);
    for (const name of ['', '   ', 'x'.repeat(81), 'bell\u0007', 'rtl\u202e']) {
      const result = await alice.post('/api/rooms', { name });
      assert.equal(result.status, 400, JSON.stringify(name));
      assert.equal(result.body.error, 'invalid-input');
    }
  });

  test('rooms and invitations need a session', async () => {
    const anonymous = new HttpClient(server.origin);
    assert.equal((await anonymous.get('/api/rooms')).status, 401);
    assert.equal((await anonymous.post('/api/rooms', { name: 'x' })).status, 401);
    const sent = await anonymous.post('/send_link', { room_id: 'a'.repeat(22), username: 'bob' });
    assert.equal(sent.status, 401);
    assert.equal(sent.body.error, 'unauthorized');
    assert.equal((await anonymous.get('/api/invitations')).status, 401);
  });

  test('send_link invites: the invitee becomes a member only by accepting, and the invitation then goes', async () => {
    const alice = await registeredClient(server.origin);
    const bob = await registeredClient(server.origin);
    const room = (await alice.post('/api/rooms', { name: 'Planning' })).body;
    const sent = await alice.post('/send_link', { room_id: room.id, username: bob.username.toUpperCase() });
    assert.equal(sent.status, 201);
    assert.equal(sent.body.fromUsername, alice.username);
    const invitations = await bob.get('/api/invitations');
    assert.equal(invitations.body.length, 1);
    assert.equal(invitations.body[0].roomId, room.id);
    assert.equal(invitations.body[0].roomName, 'Planning');
    assert.deepEqual((await bob.get('/api/rooms')).body, [], 'not a member before answering');
    assert.equal((await bob.post(`/api/invitations/${invitations.body[0].id}/accept`)).status, 204);
    const bobRooms = await bob.get('/api/rooms');
    assert.deepEqual(bobRooms.body.map((r: { id: string }) => r.id), [room.id]);
    assert.deepEqual((await bob.get('/api/invitations')).body, [], 'answered: gone from the list');
  });

  test('send_link refuses unknown users, myself, unknown rooms and rooms I am not in', async () => {
    const alice = await registeredClient(server.origin);
    const bob = await registeredClient(server.origin);
    const mallory = await registeredClient(server.origin);
    const room = (await alice.post('/api/rooms', { name: 'Private' })).body;
    const unknownUser = await alice.post('/send_link', { room_id: room.id, username: uniqueName('nobody') });
    assert.deepEqual([unknownUser.status, unknownUser.body.error], [404, 'unknown-user']);
    const self = await alice.post('/send_link', { room_id: room.id, username: alice.username });
    assert.deepEqual([self.status, self.body.error], [400, 'self-invite']);
    const unknownRoom = await alice.post('/send_link', { room_id: 'A'.repeat(22), username: bob.username });
    assert.deepEqual([unknownRoom.status, unknownRoom.body.error], [404, 'room-not-found']);
    const notMember = await mallory.post('/send_link', { room_id: room.id, username: bob.username });
    assert.deepEqual([notMember.status, notMember.body.error], [403, 'not-member']);
    assert.equal((await bob.get('/api/invitations')).body.length, 0);
  });

  test('an invitation reaches an open dashboard stream live', async () => {
    const alice = await registeredClient(server.origin);
    const bob = await registeredClient(server.origin);
    const room = (await alice.post('/api/rooms', { name: 'Live' })).body;
    const stream = await EventStream.open(server.origin, bob.cookie);
    await alice.post('/send_link', { room_id: room.id, username: bob.username });
    const { invitation } = await stream.next('invitation');
    assert.equal(invitation.roomId, room.id);
    assert.equal(invitation.fromUsername, alice.username);
    stream.close();
  });

  test('signing out closes the notification stream', async () => {
    const bob = await registeredClient(server.origin);
    const stream = await fetch(`${server.origin}/api/notifications`, { headers: { cookie: bob.cookie } });
    const reader = stream.body!.getReader();
    await reader.read();
    await bob.post('/logout');
    let done = false;
    while (!done) done = (await reader.read()).done;
    assert.equal(done, true);
  });
});

describe('pages', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('the dashboard takes the user from the session, never from ?user=', async () => {
    const alice = await registeredClient(server.origin);
    const bob = await registeredClient(server.origin);
    const page = await alice.get(`/dashboard?user=${bob.username}`);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(alice.username));
    assert.equal(page.body.includes(bob.username), false);
    const anonymous = await new HttpClient(server.origin).get(`/dashboard?user=${bob.username}`);
    assert.equal(anonymous.status, 302);
    assert.equal(anonymous.headers.get('location'), '/');
  });

  test('a room link opens the room page; only joining the call makes one a member (not the page, not the socket)', async () => {
    const alice = await registeredClient(server.origin);
    const bob = await registeredClient(server.origin);
    const room = (await alice.post('/api/rooms', { name: '<b>Team</b> & "co"' })).body;
    const page = await bob.get(`/room/${room.id}`);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes('&lt;b&gt;Team&lt;/b&gt; &amp; &quot;co&quot;'), 'the room name is escaped');
    assert.equal(page.body.includes('<b>Team</b>'), false);
    assert.equal((await bob.get(`/api/rooms/${room.id}`)).status, 200);
    assert.deepEqual((await bob.get('/api/rooms')).body, [], 'reading changed nothing');
    // The pre-join screen opens the socket early: connecting is not joining.
    const early = await WsClient.open(server.origin, room.id, { cookie: bob.cookie });
    early.send({ type: 'ping' });
    await early.next('pong');
    assert.deepEqual((await bob.get('/api/rooms')).body, [], 'an open, unjoined socket changed nothing');
    early.send({ type: 'join', version: PROTOCOL_VERSION, media: { audio: true, video: true } });
    await early.next('joined');
    assert.deepEqual((await bob.get('/api/rooms')).body.map((r: { id: string }) => r.id), [room.id]);
    early.close();
  });

  test('a socket that never joins is closed after JOIN_TIMEOUT_SECONDS (4010), and changed nothing', async () => {
    const quick = await startServer({ JOIN_TIMEOUT_SECONDS: '1' });
    try {
      const owner = await registeredClient(quick.origin);
      const visitor = await registeredClient(quick.origin);
      const room = (await owner.post('/api/rooms', { name: 'Waiting room' })).body;
      const idle = await WsClient.open(quick.origin, room.id, { cookie: visitor.cookie });
      assert.equal((await idle.closed).code, CloseCode.joinTimeout);
      assert.deepEqual((await visitor.get('/api/rooms')).body, []);
    } finally {
      await quick.close();
    }
  });

  test('a room deleted while someone waits on its pre-join screen: their join is told so (4004)', async () => {
    const owner = await registeredClient(server.origin);
    const guest = await registeredClient(server.origin);
    const room = (await owner.post('/api/rooms', { name: 'Short-lived' })).body;
    const waiting = await WsClient.open(server.origin, room.id, { cookie: guest.cookie });
    // The guest is not a member yet, so the room goes with its owner's account.
    assert.equal((await owner.request('DELETE', '/api/account', { password: PASSWORD })).status, 204);
    waiting.send({ type: 'join', version: PROTOCOL_VERSION, media: { audio: true, video: true } });
    assert.equal((await waiting.closed).code, CloseCode.roomNotFound);
  });

  test('unknown rooms get a 404 page; signed-out visitors are sent to sign in first', async () => {
    const alice = await registeredClient(server.origin);
    const missing = await alice.get(`/room/${'Z'.repeat(22)}`);
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /text\/html/);
    assert.ok(missing.body.includes('This room does not exist'));
    const room = (await alice.post('/api/rooms', { name: 'x' })).body;
    const anonymous = await new HttpClient(server.origin).get(`/room/${room.id}`);
    assert.equal(anonymous.status, 302);
    assert.equal(anonymous.headers.get('location'), `/?next=${encodeURIComponent(`/room/${room.id}`)}`);
  });

  test('a browser following an unknown address gets a page in its language; programs and the API get JSON', async () => {
    const client = new HttpClient(server.origin);
    const browser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const page = await client.get('/no/such/page', browser);
    assert.equal(page.status, 404);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
    assert.ok(page.body.includes('There is nothing at this address'));
    assert.ok(page.body.includes('href="/dashboard"'), 'a way back');
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const russian = await client.get('/nope', { ...browser, 'accept-language': 'ru' });
    assert.ok(russian.body.includes('По этому адресу ничего нет'));
    for (const [path, headers] of [['/api/nope', browser], ['/nope', { accept: 'application/json' }], ['/nope', {}], ['/assets/nope.js', browser]] as const) {
      const answer = await client.get(path, headers);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.body.error, 'not-found', `${path} answers JSON`);
    }
    const post = await client.post('/nope', {}, browser);
    assert.equal(post.body.error, 'not-found', 'only page reads get the page');
  });

  test('the language follows Accept-Language, and the switch cookie wins', async () => {
    const client = new HttpClient(server.origin);
    const russian = await client.get('/', { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.8' });
    assert.match(russian.body, /<html lang="ru">/);
    assert.ok(russian.body.includes('Войти'));
    const english = await client.get('/', { 'accept-language': 'de-DE,en;q=0.5' });
    assert.match(english.body, /<html lang="en">/);
    const chosen = await client.get('/', { 'accept-language': 'ru', cookie: 'lang=en' });
    assert.match(chosen.body, /<html lang="en">/);
  });

  test('every page carries the security headers and no version banner', async () => {
    const client = new HttpClient(server.origin);
    for (const path of ['/', '/health', '/no-such-route', '/assets/app.css']) {
      const result = await client.get(path);
      const csp = result.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/, path);
      assert.match(csp, /require-trusted-types-for 'script'/, path);
      assert.doesNotMatch(csp, /unsafe-inline/, path);
      assert.equal(result.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(result.headers.get('x-content-type-options'), 'nosniff', path);
      assert.match(result.headers.get('permissions-policy') ?? '', /camera=\(self\)/, path);
      assert.equal(result.headers.get('x-powered-by'), null, path);
      assert.equal(result.headers.get('server'), null, path);
    }
  });

  test('/health answers ok and the API is documented at /docs', async () => {
    const client = new HttpClient(server.origin);
    assert.deepEqual((await client.get('/health')).body, { status: 'ok' });
    const spec = await client.get('/docs/json');
    assert.equal(spec.status, 200);
    for (const path of ['/login', '/register', '/logout', '/send_link', '/api/rooms', '/health', '/dashboard']) {
      assert.ok(spec.body.paths[path], `missing ${path} in OpenAPI`);
    }
  });
});
