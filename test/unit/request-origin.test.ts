/**
 * The WebSocket upgrade reads the client address, protocol and host off the
 * raw request; those decide the per-address caps and the Origin check, so
 * they must be exactly what Fastify's `request.ip`, `.protocol` and `.host`
 * say for the same TRUST_PROXY list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { requestOriginReader } from '../../src/server/http/request-origin.ts';

const HEADER_CASES: Record<string, string>[] = [
  {},
  { 'x-forwarded-for': '203.0.113.9' },
  { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' },
  { 'x-forwarded-for': '203.0.113.9, 127.0.0.1' },
  { 'x-forwarded-for': 'garbage, 203.0.113.9' },
  { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'call.example' },
  { 'x-forwarded-proto': 'http, https', 'x-forwarded-host': 'evil.example, call.example' },
  { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'call.example', host: 'internal:8000' },
];

// inject() connects from 127.0.0.1: trusted in the first three lists, not in the last two.
const TRUST_LISTS: string[][] = [['127.0.0.1'], ['loopback'], ['127.0.0.1', '10.0.0.0/8'], ['10.0.0.1'], []];

for (const trustProxy of TRUST_LISTS) {
  test(`reads ip, protocol and host as Fastify does with TRUST_PROXY=${trustProxy.join(',') || '(none)'}`, async () => {
    const app = Fastify({ trustProxy: trustProxy.length > 0 ? trustProxy : false });
    const read = requestOriginReader(trustProxy);
    app.get('/', async (request) => ({ fastify: { ip: request.ip, protocol: request.protocol, host: request.host }, ours: read(request.raw) }));
    try {
      for (const headers of HEADER_CASES) {
        const response = await app.inject({ method: 'GET', url: '/', headers });
        const { fastify, ours } = response.json() as { fastify: unknown; ours: unknown };
        assert.deepEqual(ours, fastify, JSON.stringify(headers));
      }
    } finally {
      await app.close();
    }
  });
}

test('an untrusted peer cannot choose its address, protocol or host', () => {
  const read = requestOriginReader(['10.0.0.1']);
  const raw = {
    socket: { remoteAddress: '198.51.100.7', encrypted: false },
    connection: { remoteAddress: '198.51.100.7' },
    headers: { host: 'call.example', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'other.example' },
  };
  assert.deepEqual(read(raw as never), { ip: '198.51.100.7', protocol: 'http', host: 'call.example' });
});
