import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { handshakeError } from '../../src/server/http/ws-handshake.ts';

const good = { upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' };
const request = (method: string, headers: Record<string, string | undefined>) => ({ method, headers }) as unknown as IncomingMessage;

test('a handshake ws would accept passes, in either version and any Upgrade case', () => {
  assert.equal(handshakeError(request('GET', good)), undefined);
  assert.equal(handshakeError(request('GET', { ...good, upgrade: 'WebSocket', 'sec-websocket-version': '8' })), undefined);
  // ws reads the version as a number.
  assert.equal(handshakeError(request('GET', { ...good, 'sec-websocket-version': '013' })), undefined);
});

test('each malformed part is refused with its own reason, as ws would', () => {
  const cases: Array<[string, Record<string, string | undefined>, number, RegExp]> = [
    ['POST', good, 405, /method/],
    ['GET', { ...good, upgrade: 'h2c' }, 400, /Upgrade/],
    ['GET', { ...good, 'sec-websocket-key': undefined }, 400, /Key/],
    ['GET', { ...good, 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ=' }, 400, /Key/],
    ['GET', { ...good, 'sec-websocket-key': 'not a key at all, no!==' }, 400, /Key/],
    ['GET', { ...good, 'sec-websocket-version': '12' }, 400, /Version/],
    ['GET', { ...good, 'sec-websocket-version': undefined }, 400, /Version/],
  ];
  for (const [method, headers, status, reason] of cases) {
    const error = handshakeError(request(method, headers));
    assert.equal(error?.statusCode, status, `${method} ${JSON.stringify(headers)}`);
    assert.equal(error?.code, 'invalid-input');
    assert.match(error?.message ?? '', reason);
  }
  assert.deepEqual(handshakeError(request('GET', { ...good, 'sec-websocket-version': '12' }))?.headers, { 'Sec-WebSocket-Version': '13, 8' }, 'a version mismatch names the versions spoken');
});
