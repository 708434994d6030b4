import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/server/config.ts';

test('defaults give a local SQLite app on port 8000', () => {
  const config = loadConfig({});
  assert.equal(config.port, 8000);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.databaseUrl, 'sqlite:./data/callroom.db');
  assert.equal(config.cookieSecure, false);
  assert.equal(config.roomCapacity, 6);
  assert.deepEqual(config.trustProxy, []);
});

test('bad values stop start-up with the variable named', () => {
  for (const [name, value] of [['PORT', 'eighty'], ['DATABASE_URL', 'mysql://x'], ['ICE_SERVERS', 'http://x'], ['ROOM_CAPACITY', '1'], ['COOKIE_SECURE', 'maybe']]) {
    assert.throws(() => loadConfig({ [name!]: value }), (e: unknown) => e instanceof ConfigError && e.message.includes(name!), name);
  }
});

test('production requires a public origin and defaults to secure cookies', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /PUBLIC_ORIGIN/);
  assert.throws(() => loadConfig({ NODE_ENV: 'production', PUBLIC_ORIGIN: 'https://x.example/path' }), /PUBLIC_ORIGIN/);
  const config = loadConfig({ NODE_ENV: 'production', PUBLIC_ORIGIN: 'https://meet.example.org' });
  assert.equal(config.cookieSecure, true);
  assert.deepEqual(config.publicOrigins, ['https://meet.example.org']);
});

test('ICE servers: a list, or none', () => {
  assert.deepEqual(loadConfig({ ICE_SERVERS: 'stun:a:3478, turn:b:3478' }).iceServers, [{ urls: ['stun:a:3478', 'turn:b:3478'] }]);
  assert.deepEqual(loadConfig({ ICE_SERVERS: 'none' }).iceServers, []);
});

test('production refuses plain HTTP origins and insecure cookies, and short TURN secrets', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production', PUBLIC_ORIGIN: 'http://meet.example.org' }), /must be https:\/\/ in production/);
  assert.throws(() => loadConfig({ NODE_ENV: 'production', PUBLIC_ORIGIN: 'https://meet.example.org', COOKIE_SECURE: 'false' }), /COOKIE_SECURE/);
  assert.throws(() => loadConfig({ TURN_URLS: 'turn:t.example:3478', TURN_SECRET: 'short' }), /TURN_SECRET/);
});

test('sessions default to ASVS level 2 timeouts: 30 minutes idle, 12 hours absolute', () => {
  const config = loadConfig({});
  assert.equal(config.sessionIdleMs, 30 * 60_000);
  assert.equal(config.sessionAbsoluteMs, 12 * 3_600_000);
});
