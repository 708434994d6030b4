/**
 * Abuse limits that are not about one message: connection caps, slow and
 * oversized HTTP requests, and the allowance a user's connections share.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startServer, type TestServer } from '../helpers/server.ts';
import { registeredClient, upgradeStatus, WsClient } from '../helpers/client.ts';
import { WS_MAX_FRAGMENTS } from '../../src/shared/limits.ts';

/** Sends `request` on a raw TCP connection and resolves with everything the server wrote before closing it. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

/** Opens a raw TCP connection, sends `first`, and resolves with how long the server took to close it. */
function timeUntilClosed(port: number, first: string, trickle?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(first));
    // One byte every 2 s keeps the connection busy without ever finishing the request.
    const drip = trickle ? setInterval(() => socket.write(trickle), 2_000) : undefined;
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      resolve(Date.now() - started);
    });
    setTimeout(() => {
      socket.destroy();
      reject(new Error('the server never closed the slow request'));
    }, 40_000).unref();
  });
}

describe('connection caps', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ REGISTER_RATE_LIMIT: '1000', WS_CONNECTIONS_PER_USER: '3', WS_CONNECTIONS_PER_ADDRESS: '5' });
  });
  after(() => server.close());

  test('one account holds at most WS_CONNECTIONS_PER_USER sockets; a closed one frees its slot', async () => {
    const me = await registeredClient(server.origin);
    const rooms = [];
    for (let i = 0; i < 4; i++) rooms.push((await me.post('/api/rooms', { name: `r${i}` })).body.id as string);
    const open = [];
    for (const room of rooms.slice(0, 3)) open.push(await WsClient.open(server.origin, room, { cookie: me.cookie }));
    assert.equal(await upgradeStatus(server.origin, rooms[3]!, { origin: server.origin, cookie: me.cookie }), 429);
    open[0]!.close();
    await open[0]!.closed;
    const again = await WsClient.open(server.origin, rooms[3]!, { cookie: me.cookie });
    for (const socket of [...open.slice(1), again]) socket.close();
    await Promise.all([...open.slice(1), again].map((s) => s.closed));
  });

  test('malformed handshakes and upgrades reset mid-check take no slot and do not upset the server', async () => {
    const me = await registeredClient(server.origin);
    const room = (await me.post('/api/rooms', { name: 'r' })).body.id as string;
    const port = Number(new URL(server.origin).port);
    const upgradeHead = (key: string) =>
      `GET /ws/${room} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${server.origin}\r\nCookie: ${me.cookie}\r\n` +
      `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`;
    // More than the cap of 3: a leaked slot per attempt would lock the user out.
    for (let i = 0; i < 4; i++) {
      const answer = await exchange(port, upgradeHead('not a key'));
      assert.match(answer, /^HTTP\/1\.1 400 /, 'a bad Sec-WebSocket-Key is refused');
      assert.match(answer, /^x-content-type-options: nosniff\r$/im, 'with the headers every response carries');
      assert.match(answer, /"error":"invalid-input"/);
      // Sent and reset at once, while the server is still resolving the session.
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(upgradeHead('dGhlIHNhbXBsZSBub25jZQ=='));
          socket.resetAndDestroy();
          resolve();
        });
      });
    }
    const post = await exchange(port, upgradeHead('dGhlIHNhbXBsZSBub25jZQ==').replace(/^GET/, 'POST'));
    assert.match(post, /^HTTP\/1\.1 405 /, 'an upgrade must be a GET');
    // What only ws checks, after ours, is refused the same way.
    const badProtocol = await exchange(port, upgradeHead('dGhlIHNhbXBsZSBub25jZQ==').replace(/\r\n\r\n$/, '\r\nSec-WebSocket-Protocol: a,,b\r\n\r\n'));
    assert.match(badProtocol, /^HTTP\/1\.1 400 /, 'a malformed subprotocol list is refused');
    assert.match(badProtocol, /^x-content-type-options: nosniff\r$/im);
    assert.match(badProtocol, /Sec-WebSocket-Protocol/);
    const sockets = [];
    for (let i = 0; i < 3; i++) sockets.push(await WsClient.open(server.origin, room, { cookie: me.cookie }));
    for (const socket of sockets) socket.close();
    await Promise.all(sockets.map((s) => s.closed));
  });

  test('one address holds at most WS_CONNECTIONS_PER_ADDRESS sockets, whatever the accounts', async () => {
    const sockets = [];
    for (let i = 0; i < 5; i++) {
      const user = await registeredClient(server.origin);
      const room = (await user.post('/api/rooms', { name: 'x' })).body.id;
      sockets.push(await WsClient.open(server.origin, room, { cookie: user.cookie }));
    }
    const sixth = await registeredClient(server.origin);
    const room = (await sixth.post('/api/rooms', { name: 'x' })).body.id;
    assert.equal(await upgradeStatus(server.origin, room, { origin: server.origin, cookie: sixth.cookie }), 429);
    for (const socket of sockets) socket.close();
    await Promise.all(sockets.map((s) => s.closed));
  });

  test('malformed handshakes are refused before the session is looked up, so they do not count as failed sign-ins', async () => {
    const user = await registeredClient(server.origin);
    const room = (await user.post('/api/rooms', { name: 'x' })).body.id as string;
    const port = Number(new URL(server.origin).port);
    // More than the 20 failed authentications an address may have in 10 s.
    for (let i = 0; i < 25; i++) {
      const answer = await exchange(port,
        `GET /ws/${room} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${server.origin}\r\nCookie: sid=${'x'.repeat(43)}\r\n` +
        `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 12\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      assert.match(answer, /^HTTP\/1\.1 400 /);
      assert.match(answer, /^Sec-WebSocket-Version: 13, 8\r$/m, 'the versions the server speaks');
    }
    // Had they counted, the address would now be refused (429) before its session is read.
    assert.equal(await upgradeStatus(server.origin, room, { origin: server.origin, cookie: user.cookie }), 101);
  });

  test('an address whose upgrades keep failing authentication is refused with 429 for a while', async () => {
    const user = await registeredClient(server.origin);
    const room = (await user.post('/api/rooms', { name: 'x' })).body.id;
    const statuses = [];
    for (let i = 0; i < 22; i++) statuses.push(await upgradeStatus(server.origin, room, { origin: server.origin, cookie: `sid=${'x'.repeat(43)}` }));
    assert.deepEqual(statuses.slice(0, 20), Array(20).fill(401));
    assert.deepEqual(statuses.slice(20), [429, 429]);
  });
});

describe('shared message allowance', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ REGISTER_RATE_LIMIT: '1000' });
  });
  after(() => server.close());

  test("a user's connections share one allowance: three tabs cannot send three times as much", async () => {
    const me = await registeredClient(server.origin);
    const tabs = [];
    for (let i = 0; i < 3; i++) {
      const room = (await me.post('/api/rooms', { name: `tab${i}` })).body.id;
      tabs.push((await WsClient.join(server.origin, room, me.cookie)).client);
    }
    // 3 × 90 messages: each tab is within its own burst of 100, together they exceed the user's.
    for (const tab of tabs) for (let i = 0; i < 90; i++) tab.send({ type: 'ping' });
    const limited = await Promise.race([
      Promise.any(tabs.map((tab) => tab.next('error', (e) => e.code === 'rate-limited'))),
      Promise.all(tabs.map(async (tab) => {
        for (let i = 0; i < 90; i++) await tab.next('pong');
        return undefined;
      })),
    ]);
    assert.ok(limited, '270 messages at once from one user (allowance 200) were not limited');
    for (const tab of tabs) tab.close();
  });
});

describe('HTTP request limits', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('slow headers are cut off by headersTimeout and a slow body by requestTimeout; others are served meanwhile', async () => {
    const port = Number(new URL(server.origin).port);
    const slowHeaders = timeUntilClosed(port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'x');
    const slowBody = timeUntilClosed(port, 'POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{', ' ');
    const started = Date.now();
    assert.equal((await fetch(`${server.origin}/health`)).status, 200);
    assert.ok(Date.now() - started < 1_000, 'a normal request is not held up');
    const [headerMs, bodyMs] = await Promise.all([slowHeaders, slowBody]);
    assert.ok(headerMs >= 9_000 && headerMs < 13_000, `headers cut off after ${headerMs} ms (limit 10 s)`);
    assert.ok(bodyMs >= 14_000 && bodyMs < 18_000, `body cut off after ${bodyMs} ms (limit 15 s)`);
  });

  test('a header block over 16 KiB gets 431, and a long URL parameter 404 rather than 500', async () => {
    const big = await fetch(`${server.origin}/health`, { headers: { 'x-padding': 'a'.repeat(17 * 1024) } });
    assert.equal(big.status, 431);
    const longParam = await fetch(`${server.origin}/room/${'a'.repeat(300)}`);
    assert.ok([404, 414].includes(longParam.status), String(longParam.status));
  });
});

describe('costly actions per user', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('room creation (30/h), invitations (60/h) and TURN credentials (120/h) are limited per user', async () => {
    const me = await registeredClient(server.origin);
    const friend = await registeredClient(server.origin);
    const statuses = async (n: number, call: () => Promise<{ status: number }>) => {
      const seen: number[] = [];
      for (let i = 0; i < n; i++) seen.push((await call()).status);
      return seen;
    };
    const rooms = await statuses(31, () => me.post('/api/rooms', { name: 'r' }));
    assert.deepEqual([rooms.slice(0, 30).every((s) => s === 201), rooms[30]], [true, 429]);
    const room = (await me.get('/api/rooms')).body[0].id;
    const invites = await statuses(61, () => me.post('/send_link', { room_id: room, username: friend.username }));
    assert.deepEqual([invites.slice(0, 60).every((s) => s === 201), invites[60]], [true, 429]);
    const ice = await statuses(121, () => me.get('/api/ice-servers'));
    assert.deepEqual([ice.slice(0, 120).every((s) => s === 200), ice[120]], [true, 429]);
    assert.equal((await friend.post('/api/rooms', { name: 'mine' })).status, 201, 'other users are not affected');
  });

  test('a text frame that is not UTF-8 closes the socket with 1007', async () => {
    const me = await registeredClient(server.origin);
    const room = (await me.post('/api/rooms', { name: 'utf8' })).body.id;
    const { client } = await WsClient.join(server.origin, room, me.cookie);
    client.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    assert.equal((await client.closed).code, 1007);
  });

  test('a message in a few fragments is read whole; one split into too many closes the socket with 1008', async () => {
    const me = await registeredClient(server.origin);
    const room = (await me.post('/api/rooms', { name: 'fragments' })).body.id;
    const { client } = await WsClient.join(server.origin, room, me.cookie);
    const sendInFragments = (text: string, count: number) => {
      const size = Math.ceil(text.length / count);
      for (let i = 0; i < count; i += 1) client.socket.send(text.slice(i * size, (i + 1) * size), { fin: i === count - 1 });
    };
    sendInFragments(JSON.stringify({ type: 'chat', clientId: 'in-fragments', text: 'sent in four fragments' }), 4);
    const echoed = await client.next('chat', (m) => m.message.clientId === 'in-fragments');
    assert.equal(echoed.message.text, 'sent in four fragments');
    sendInFragments(JSON.stringify({ type: 'chat', clientId: 'too-many', text: 'x'.repeat(200) }), WS_MAX_FRAGMENTS + 1);
    const outcome = await Promise.race([
      client.closed.then(({ code }) => code),
      client.next('chat', (m) => m.message.clientId === 'too-many').then(() => 'delivered'),
    ]);
    assert.equal(outcome, 1008);
  });
});
