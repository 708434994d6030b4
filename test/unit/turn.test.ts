import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { iceServersFor, turnCredential } from '../../src/server/turn-credentials.ts';
import { loadConfig } from '../../src/server/config.ts';

const SECRET = 'a-test-secret-that-is-long-enough-000';

test('TURN REST credentials: <expiry>:<user> signed with HMAC-SHA1 of the shared secret', () => {
  const now = 1_800_000_000_000;
  const { username, credential, expiry } = turnCredential(SECRET, 'user-1', 3600, now);
  assert.equal(username, `${1_800_003_600}:user-1`);
  assert.equal(expiry, 1_800_003_600);
  assert.equal(credential, createHmac('sha1', SECRET).update(username).digest('base64'));
});

test('ICE servers: STUN only without TURN; TURN with credentials when configured', () => {
  const stun = [{ urls: ['stun:stun.example.org'] }];
  assert.deepEqual(iceServersFor('u', stun, undefined), stun);
  const servers = iceServersFor('u', stun, { urls: ['turn:t.example.org'], secret: SECRET, ttlSeconds: 60 }, 0);
  assert.deepEqual(servers[1], { urls: ['turn:t.example.org'], username: '60:u', credential: createHmac('sha1', SECRET).update('60:u').digest('base64') });
});

test('TURN configuration is validated at start-up', () => {
  assert.throws(() => loadConfig({ TURN_URLS: 'turn:t' }), /TURN_URLS and TURN_SECRET/);
  assert.throws(() => loadConfig({ TURN_URLS: 'turn:t', TURN_SECRET: 'short' }), /TURN_SECRET/);
  assert.throws(() => loadConfig({ TURN_URLS: 'stun:t', TURN_SECRET: SECRET }), /TURN_URLS/);
  assert.throws(() => loadConfig({ ICE_TRANSPORT_POLICY: 'relay' }), /relay needs/);
  assert.equal(loadConfig({ TURN_URLS: 'turn:t', TURN_SECRET: SECRET }).turn?.ttlSeconds, 4 * 3600);
});

test('the shipped production coturn configuration is safe', () => {
  const lines = readFileSync('deploy/turnserver.conf', 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const has = (key: string) => lines.some((l) => l === key || l.startsWith(`${key}=`));
  for (const key of ['use-auth-secret', 'static-auth-secret', 'no-multicast-peers', 'no-cli', 'fingerprint', 'user-quota', 'total-quota', 'stale-nonce', 'no-tlsv1', 'no-tlsv1_1', 'max-bps']) {
    assert.ok(has(key), `missing ${key}`);
  }
  for (const key of ['allow-loopback-peers', 'lt-cred-mech', 'user', 'server-relay', 'no-auth', 'allowed-peer-ip']) {
    assert.equal(has(key), false, `must not contain ${key}`);
  }
  const secret = lines.find((l) => l.startsWith('static-auth-secret='))!.split('=')[1]!;
  assert.ok(secret.length >= 32, 'the example secret shows the required length');
  const denied = lines.filter((l) => l.startsWith('denied-peer-ip=')).map((l) => l.split('=')[1]);
  for (const range of [
    '0.0.0.0-0.255.255.255', '10.0.0.0-10.255.255.255', '100.64.0.0-100.127.255.255', '127.0.0.0-127.255.255.255',
    '169.254.0.0-169.254.255.255', '172.16.0.0-172.31.255.255', '192.168.0.0-192.168.255.255', '224.0.0.0-239.255.255.255',
    '240.0.0.0-255.255.255.255', '::-::1', 'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    '::ffff:0.0.0.0-::ffff:255.255.255.255',
  ]) {
    assert.ok(denied.includes(range), `denied-peer-ip ${range}`);
  }
});
