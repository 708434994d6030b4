/** Production cookie, headers on every kind of response, CORS, and what /health tells. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient, PASSWORD, registeredClient, uniqueName, WsClient } from '../helpers/client.ts';

/** A raw upgrade request; resolves with the refusal's status and headers. */
function refusedUpgrade(origin: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}${path}`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('upgrade', () => reject(new Error('upgraded')));
    req.on('error', reject);
    req.end();
  });
}

describe('behind HTTPS (COOKIE_SECURE=true)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ COOKIE_SECURE: 'true' });
  });
  after(() => server.close());

  test('the session cookie is __Host-sid: Secure, HttpOnly, Path=/, SameSite=Lax, no Domain; HSTS is sent', async () => {
    const client = new HttpClient(server.origin);
    const result = await client.post('/register', { username: uniqueName(), password: PASSWORD });
    assert.equal(result.status, 201);
    const cookie = result.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^__Host-sid=[A-Za-z0-9_-]{43};/, 'a 256-bit token under the __Host- prefix');
    for (const attribute of [/; Secure/, /; HttpOnly/, /; Path=\/(;|$)/, /; SameSite=Lax/]) assert.match(cookie, attribute);
    assert.doesNotMatch(cookie, /Domain=/i);
    assert.equal(JSON.stringify(result.body).includes(cookie.split(';')[0]!.split('=')[1]!), false, 'the token is never in a body');
    assert.equal((await client.get('/api/me')).status, 200);
    assert.equal(result.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
  });
});

describe('headers on every kind of response', () => {
  let server: TestServer;
  let client: HttpClient;
  before(async () => {
    server = await startServer();
    client = await registeredClient(server.origin);
  });
  after(() => server.close());

  test('JSON, HTML, errors and assets carry the security headers, a charset and no CORS grant', async () => {
    const evil = { origin: 'https://evil.example' };
    const responses = {
      'json 200': await client.get('/api/me', evil),
      'json 401': await new HttpClient(server.origin).get('/api/me', evil),
      'json 404': await client.get('/api/nope', evil),
      'json 400': await client.post('/api/rooms', { name: '' }),
      'html page': await client.get('/dashboard'),
      'css asset': await client.get('/assets/app.css'),
      health: await client.get('/health'),
    };
    for (const [kind, result] of Object.entries(responses)) {
      const type = result.headers.get('content-type') ?? '';
      assert.match(type, /charset=utf-8/i, `${kind}: ${type}`);
      assert.equal(result.headers.get('access-control-allow-origin'), null, kind);
      assert.equal(result.headers.get('access-control-allow-credentials'), null, kind);
      assert.equal(result.headers.get('cross-origin-opener-policy'), 'same-origin', kind);
      assert.equal(result.headers.get('cross-origin-resource-policy'), 'same-origin', kind);
      assert.equal(result.headers.get('x-frame-options'), 'DENY', kind);
      assert.equal(result.headers.get('x-powered-by'), null, kind);
    }
    assert.equal(responses['json 200'].headers.get('cache-control'), 'no-store', 'authenticated JSON is not cached');
    assert.equal(responses['html page'].headers.get('cache-control'), 'no-store');
    assert.deepEqual(responses.health.body, { status: 'ok' }, '/health tells no versions or configuration');
  });

  test('a refused WebSocket upgrade is a plain 4xx with the same headers and no 101', async () => {
    const room = (await client.post('/api/rooms', { name: 'x' })).body.id;
    const refused = await refusedUpgrade(server.origin, `/ws/${room}`, { origin: 'https://evil.example', cookie: client.cookie });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers['referrer-policy'], 'no-referrer');
    assert.equal(refused.headers['x-content-type-options'], 'nosniff');
  });

  test('errors say what failed in a stable code, with no stack, SQL or paths', async () => {
    for (const body of ['{', '{"name": 5}', JSON.stringify({ name: 'a'.repeat(100_000) })]) {
      const result = await client.request('POST', '/api/rooms', body);
      assert.ok(result.status === 400 || result.status === 413, String(result.status));
      assert.ok(['invalid-input', 'payload-too-large'].includes(result.body.error), JSON.stringify(result.body));
      assert.doesNotMatch(JSON.stringify(result.body), /node_modules|\.ts:|\.js:|SELECT|INSERT/);
    }
  });
});

describe('SQL metacharacters are data', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test("room names and chat like ' OR '1'='1 and '; DROP TABLE users;-- are stored and returned literally", async () => {
    const hostile = ["' OR '1'='1", "'; DROP TABLE users;--", '100% _match_ \\', 'Robert"); DELETE FROM rooms;--'];
    const alice = await registeredClient(server.origin);
    const ids: string[] = [];
    for (const name of hostile) {
      const created = await alice.post('/api/rooms', { name });
      assert.equal(created.status, 201, name);
      ids.push(created.body.id);
    }
    const listed = (await alice.get('/api/rooms')).body as Array<{ id: string; name: string }>;
    assert.deepEqual(listed.map((r) => r.name).sort(), [...hostile].sort());
    const { client } = await WsClient.join(server.origin, ids[0]!, alice.cookie);
    hostile.forEach((text, i) => client.send({ type: 'chat', clientId: `sqlchat${i}xxxx`, text }));
    for (let i = 0; i < hostile.length; i++) await client.next('chat-ack');
    client.close();
    const stored = await server.ctx.chat.latest(ids[0]!, 10);
    assert.deepEqual(stored.map((m) => m.text), hostile);
    assert.ok((await server.ctx.db.selectFrom('users').select('id').execute()).length >= 1, 'users table intact');
    const nul = await alice.post('/api/rooms', { name: 'nul\u0000byte' });
    assert.equal(nul.status, 400, 'NUL is refused before the database (PostgreSQL text cannot hold it)');
  });
});

describe('assets', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('scripts and styles are sent pre-compressed when the browser accepts it, plain otherwise', async () => {
    const plain = await fetch(`${server.origin}/assets/room.js`, { headers: { 'accept-encoding': 'identity' } });
    const plainBody = await plain.text();
    assert.equal(plain.headers.get('content-encoding'), null);
    const raw = await new Promise<{ encoding: string | undefined; bytes: number; type: string | undefined }>((resolve, reject) => {
      httpRequest(`${server.origin}/assets/room.js`, { headers: { 'accept-encoding': 'br, gzip' } }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ encoding: res.headers['content-encoding'], bytes, type: res.headers['content-type'] }));
      }).on('error', reject).end();
    });
    assert.equal(raw.encoding, 'br');
    assert.match(raw.type ?? '', /javascript/);
    assert.ok(raw.bytes < plainBody.length / 2, `${raw.bytes} compressed bytes of ${plainBody.length}`);
  });
});
