import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../helpers/server.ts';
import { HttpClient, registeredClient, WsClient } from '../helpers/client.ts';
import { CloseCode, PROTOCOL_VERSION } from '../../src/shared/protocol.ts';

const METRICS_TOKEN = 'metrics-token-for-the-operations-test';

test('/metrics answers only with the token, and then reports connections, rooms, messages and join latency, but no runtime version', async () => {
  const server = await startServer({ METRICS_TOKEN });
  try {
    const alice = await registeredClient(server.origin);
    const roomId = (await alice.post('/api/rooms', { name: 'Measured' })).body.id;
    const { client } = await WsClient.join(server.origin, roomId, alice.cookie);
    client.send({ type: 'chat', clientId: 'metric-1', text: 'count me' });
    await client.next('chat-ack');
    client.sendRaw('{');
    await client.next('error');
    const anonymous = new HttpClient(server.origin);
    const without = await anonymous.get('/metrics');
    assert.equal(without.status, 401);
    assert.equal(without.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await anonymous.get('/metrics', { authorization: `Bearer ${METRICS_TOKEN.slice(1)}x` })).status, 401);
    const text = (await anonymous.get('/metrics', { authorization: `Bearer ${METRICS_TOKEN}` })).body as string;
    assert.doesNotMatch(text, /version/, 'no runtime version');
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.equal(value('callroom_websocket_connections'), 1);
    assert.equal(value('callroom_rooms_active'), 1);
    assert.equal(value('callroom_participants'), 1);
    assert.equal(value('callroom_chat_messages_stored_total'), 1);
    assert.equal(value('callroom_join_duration_seconds_count'), 1);
    assert.equal(value('callroom_ws_messages_total\\{type="chat"\\}'), 1);
    assert.equal(value('callroom_ws_rejected_total\\{code="bad-json"\\}'), 1);
    assert.ok(value('callroom_process_resident_memory_bytes') > 0);
    client.close();
  } finally {
    await server.close();
  }
});

test('without METRICS_TOKEN there is no /metrics, and no answer names the runtime', async () => {
  const server = await startServer();
  try {
    const client = new HttpClient(server.origin);
    assert.equal((await client.get('/metrics')).status, 404);
    for (const path of ['/health', '/ready', '/', '/docs/json', '/nope']) {
      const answer = await client.get(path);
      const everything = JSON.stringify([...answer.headers]) + (typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      assert.doesNotMatch(everything, new RegExp(`${process.version}|node\\.js/|x-powered-by`, 'i'), path);
    }
  } finally {
    await server.close();
  }
});

test('/ready follows the database while /health stays a liveness check', async () => {
  const server = await startServer();
  try {
    const http = new HttpClient(server.origin);
    assert.deepEqual((await http.get('/ready')).body, { status: 'ready', database: 'up', bus: 'up' });
    await server.ctx.db.destroy();
    const down = await http.get('/ready');
    assert.equal(down.status, 503);
    assert.deepEqual(down.body, { status: 'unavailable', database: 'down', bus: 'up' });
    assert.equal((await http.get('/health')).status, 200);
    // Sign-in needs the database: 503 with Retry-After, no stack or SQL in the body.
    const login = await http.post('/login', { username: 'someone', password: 'whatever-password' });
    assert.equal(login.status, 503);
    assert.equal(login.headers.get('retry-after'), '5');
    assert.deepEqual(login.body, { error: 'unavailable', message: 'temporarily unavailable, retry shortly' });
  } finally {
    await server.close().catch(() => undefined);
  }
});

test('a join while the database is down is refused with 1013 (try again later), and the page may retry', async () => {
  const server = await startServer();
  try {
    const owner = await registeredClient(server.origin);
    const room = (await owner.post('/api/rooms', { name: 'Outage' })).body;
    // The pre-join screen's socket is open; then the database goes.
    const waiting = await WsClient.open(server.origin, room.id, { cookie: owner.cookie });
    await server.ctx.db.destroy();
    waiting.send({ type: 'join', version: PROTOCOL_VERSION, media: { audio: true, video: true } });
    assert.equal((await waiting.closed).code, CloseCode.tryAgainLater);
  } finally {
    await server.close().catch(() => undefined);
  }
});
