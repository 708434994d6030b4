import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient, PASSWORD, registeredClient, uniqueName } from '../helpers/client.ts';

describe('accounts and sessions', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ LOGIN_RATE_LIMIT: '5', REGISTER_RATE_LIMIT: '1000' });
  });
  after(() => server.close());

  test('register signs in with an HttpOnly SameSite cookie holding a long random token', async () => {
    const client = new HttpClient(server.origin);
    const result = await client.post('/register', { username: uniqueName(), password: PASSWORD });
    assert.equal(result.status, 201);
    const cookie = result.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^sid=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Domain=/);
    const me = await client.get('/api/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.username, result.body.username);
  });

  test('the stored password is an argon2id hash at OWASP strength and never plain text', async () => {
    const name = uniqueName();
    const sentinel = 'P@ss-SENTINEL-9f3a';
    const client = new HttpClient(server.origin);
    assert.equal((await client.post('/register', { username: name, password: sentinel })).status, 201);
    const row = await server.ctx.db.selectFrom('users').select('password_hash').where('username', '=', name).executeTakeFirstOrThrow();
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(row.password_hash);
    assert.ok(match, row.password_hash);
    assert.ok(Number(match[1]) >= 19456 && Number(match[2]) >= 2 && Number(match[3]) === 1);
    const sameSecret = await registeredClient(server.origin);
    const other = await server.ctx.db.selectFrom('users').select('password_hash').where('id', '=', sameSecret.userId).executeTakeFirstOrThrow();
    assert.notEqual(other.password_hash.split('$')[4], row.password_hash.split('$')[4], 'every hash has its own salt');
    // On SQLite the whole database is one file (plus its WAL): grep it. On
    // PostgreSQL the row check above is what we can see.
    for (const file of server.dbPath ? [server.dbPath, `${server.dbPath}-wal`] : []) {
      let contents = '';
      try {
        contents = readFileSync(file, 'latin1');
      } catch {
        continue;
      }
      assert.equal(contents.includes(sentinel), false, `${file} holds the password`);
    }
  });

  test('a taken username (in any letter case) gets 409 username-taken', async () => {
    const name = uniqueName('Taken');
    await registeredClient(server.origin, name);
    const again = await new HttpClient(server.origin).post('/register', { username: name.toLowerCase(), password: PASSWORD });
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'username-taken');
  });

  test('bad usernames and weak passwords are refused with stable codes', async () => {
    const client = new HttpClient(server.origin);
    for (const username of ['ab', 'has space', 'zero\u200bwidth', 'bidi\u202eevil', '<script>', 'x'.repeat(33)]) {
      const result = await client.post('/register', { username, password: PASSWORD });
      assert.equal(result.status, 400, username);
      assert.equal(result.body.error, 'invalid-username', username);
    }
    for (const password of ['short', 'password123', '12345678']) {
      const result = await client.post('/register', { username: uniqueName(), password });
      assert.equal(result.status, 400, password);
      assert.equal(result.body.error, 'weak-password');
    }
    const extra = await client.post('/register', { username: uniqueName(), password: PASSWORD, isAdmin: true });
    assert.equal(extra.status, 400);
    assert.equal(extra.body.error, 'invalid-input');
  });

  test('login with an unknown user and with a wrong password give the same answer', async () => {
    const known = await registeredClient(server.origin);
    const wrongPassword = await new HttpClient(server.origin).post('/login', { username: known.username, password: 'not the password' }, { 'x-forwarded-for': '1.1.1.1' });
    const unknownUser = await new HttpClient(server.origin).post('/login', { username: uniqueName('ghost'), password: 'not the password' });
    assert.equal(wrongPassword.status, 401);
    assert.deepEqual(wrongPassword.body, unknownUser.body);
    assert.equal(unknownUser.status, 401);
    assert.equal(wrongPassword.body.error, 'invalid-credentials');
  });

  test('login is case-sensitive in the password and rotates the session token', async () => {
    const user = await registeredClient(server.origin);
    const firstCookie = user.cookie;
    assert.equal((await new HttpClient(server.origin).post('/login', { username: user.username, password: PASSWORD.toUpperCase() })).status, 401);
    const relogin = await user.post('/login', { username: user.username, password: PASSWORD });
    assert.equal(relogin.status, 200);
    assert.notEqual(user.cookie, firstCookie);
    const stale = new HttpClient(server.origin);
    stale.cookie = firstCookie;
    assert.equal((await stale.get('/api/me')).status, 401, 'the pre-login session must be ended');
  });

  test('logout ends the session server-side', async () => {
    const user = await registeredClient(server.origin);
    const cookie = user.cookie;
    assert.equal((await user.post('/logout')).status, 204);
    const replay = new HttpClient(server.origin);
    replay.cookie = cookie;
    assert.equal((await replay.get('/api/me')).status, 401);
  });

  test('repeated failed logins get 429 with Retry-After, even with the right password then', async () => {
    const user = await registeredClient(server.origin);
    const attacker = new HttpClient(server.origin);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push((await attacker.post('/login', { username: user.username, password: `wrong-${i}-password` })).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    const blocked = await attacker.post('/login', { username: user.username, password: PASSWORD });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    // X-Forwarded-For is not trusted by default, so it cannot reset the counter.
    const spoofed = await attacker.post('/login', { username: user.username, password: PASSWORD }, { 'x-forwarded-for': '203.0.113.9' });
    assert.equal(spoofed.status, 429);
  });

  test('state-changing requests from another origin or as text/plain are refused', async () => {
    const client = new HttpClient(server.origin);
    const body = { username: uniqueName(), password: PASSWORD };
    const foreign = await client.post('/register', body, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.error, 'forbidden-origin');
    const crossSite = await client.post('/register', body, { 'sec-fetch-site': 'cross-site' });
    assert.equal(crossSite.status, 403);
    const plain = await client.post('/register', JSON.stringify(body), { 'content-type': 'text/plain' });
    assert.equal(plain.status, 415);
    const form = await client.post('/register', 'username=a&password=b', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
  });

  test('malformed, polluted and oversized bodies get 4xx, never 500', async () => {
    const client = new HttpClient(server.origin);
    const broken = await client.post('/login', '{"username":', {});
    assert.equal(broken.status, 400);
    const proto = await client.post('/login', '{"__proto__":{"x":1},"username":"a","password":"b"}');
    assert.equal(proto.status, 400);
    const huge = await client.post('/register', { username: 'a', password: 'x'.repeat(100_000) });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error, 'payload-too-large');
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });
});

describe('registration rate limit', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ REGISTER_RATE_LIMIT: '2' });
  });
  after(() => server.close());

  test('a third registration from one address in the window gets 429', async () => {
    const client = new HttpClient(server.origin);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await client.post('/register', { username: uniqueName(), password: PASSWORD })).status);
    assert.deepEqual(statuses, [201, 201, 429]);
  });
});
