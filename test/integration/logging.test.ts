/**
 * What the logs hold: one structured line per sign-in attempt, and never a
 * password, a session token or the TURN secret — even when a client tries
 * to forge log lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { buildApp } from '../../src/server/app.ts';
import { freshDatabase, listen, testEnv } from '../helpers/server.ts';
import { HttpClient, WsClient } from '../helpers/client.ts';

const SENTINEL = 'P@ss-SENTINEL-4c1e-do-not-log';
const TURN_SECRET = 'turn-secret-SENTINEL-0123456789abcdef';

test('logs: a line per sign-in with user, address and result; no password, token or secret; no forged lines', async () => {
  const database = await freshDatabase();
  const stream = new PassThrough();
  const lines: string[] = [];
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  const config = testEnv(database.url, { LOG_LEVEL: 'info', TURN_URLS: 'turn:127.0.0.1:3478', TURN_SECRET, LOGIN_RATE_LIMIT: '100' });
  const { app } = await buildApp(config, { logStream: stream });
  const origin = await listen(app);
  const cookies: string[] = [];
  try {
    const alice = new HttpClient(origin);
    assert.equal((await alice.post('/register', { username: 'alice', password: SENTINEL })).status, 201);
    cookies.push(alice.cookie);
    const again = new HttpClient(origin);
    assert.equal((await again.post('/login', { username: 'alice', password: SENTINEL })).status, 200);
    cookies.push(again.cookie);
    assert.equal((await new HttpClient(origin).post('/login', { username: 'alice', password: `${SENTINEL}x` })).status, 401);
    const forged = 'bob\n{"level":30,"msg":"signed in","username":"admin"}';
    assert.equal((await new HttpClient(origin).post('/login', { username: forged, password: SENTINEL })).status, 401);
    assert.equal((await again.get('/api/ice-servers')).status, 200);
    const room = (await again.post('/api/rooms', { name: 'logs' })).body.id;
    const { client } = await WsClient.join(origin, room, again.cookie);
    client.close();
    await client.closed;
    await again.post('/api/account/password', { currentPassword: SENTINEL, newPassword: `${SENTINEL}-2` });
    cookies.push(again.cookie);
  } finally {
    await app.close();
    await database.drop();
  }

  assert.ok(lines.length > 10, 'the app logged');
  const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const logins = records.filter((r) => r.event === 'login');
  assert.deepEqual(logins.map((r) => r.result), ['success', 'failure', 'failure']);
  for (const login of logins) {
    assert.equal(typeof login.ip, 'string');
    assert.equal(typeof login.username, 'string');
  }
  assert.equal(logins[2]!.username, 'bob\n{"level":30,"msg":"signed in","username":"admin"}', 'kept inside its JSON string');
  assert.equal(records.filter((r) => r.msg === 'signed in').length, 1, 'no forged line');

  const all = lines.join('\n');
  assert.equal(all.includes(SENTINEL), false, 'a password reached the logs');
  assert.equal(all.includes(TURN_SECRET), false, 'the TURN secret reached the logs');
  for (const cookie of cookies) {
    const token = cookie.split('=')[1]!;
    assert.ok(token.length >= 43);
    assert.equal(all.includes(token), false, 'a session token reached the logs');
  }
});
