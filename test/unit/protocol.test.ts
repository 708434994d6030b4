import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientMessage, parseServerMessage, PROTOCOL_VERSION } from '../../src/shared/protocol.ts';
import { CHAT_TEXT_MAX_CHARS, SDP_MAX_CHARS } from '../../src/shared/limits.ts';

const valid = [
  { type: 'join', version: PROTOCOL_VERSION, media: { audio: true, video: false } },
  { type: 'join', version: PROTOCOL_VERSION, media: { audio: true, video: true }, lastSeq: 12 },
  { type: 'signal', to: 'peerid-123', payload: { kind: 'description', description: { type: 'offer', sdp: 'v=0' } } },
  { type: 'signal', to: 'peerid-123', payload: { kind: 'candidate', candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null } } },
  { type: 'media', media: { audio: false, video: false } },
  { type: 'chat', clientId: 'abcdefgh', text: 'привет 👋🏽‍' },
  { type: 'chat', clientId: 'abcdefgh', text: '😀'.repeat(2000) },
  { type: 'ping' },
  { type: 'leave' },
];

test('every valid client message parses to itself', () => {
  for (const message of valid) {
    const result = parseClientMessage(JSON.stringify(message));
    assert.ok(result.ok, JSON.stringify(message));
    assert.deepEqual(result.message, message);
  }
});

test('invalid client messages are refused with a code and the offending type', () => {
  const cases: Array<[unknown, string, string | undefined]> = [
    [{ type: 'signal', to: 'peerid-123', payload: { kind: 'description', description: { type: 'rollback', sdp: '' } } }, 'bad-message', 'signal'],
    [{ type: 'signal', to: 'x', payload: { kind: 'candidate', candidate: { candidate: '' } } }, 'bad-message', 'signal'],
    [{ type: 'signal', to: 'peerid-123', payload: { kind: 'description', description: { type: 'offer', sdp: 'x'.repeat(SDP_MAX_CHARS + 1) } } }, 'bad-message', 'signal'],
    [{ type: 'chat', clientId: 'abcdefgh', text: 'x'.repeat(CHAT_TEXT_MAX_CHARS + 1) }, 'bad-message', 'chat'],
    [{ type: 'chat', clientId: 'abcdefgh', text: '😀'.repeat(CHAT_TEXT_MAX_CHARS + 1) }, 'bad-message', 'chat'],
    [{ type: 'chat', clientId: 'abcdefgh', text: '   ' }, 'bad-message', 'chat'],
    [{ type: 'join', version: 1.5, media: { audio: true, video: true } }, 'bad-message', 'join'],
    [{ type: 'join', version: 1, media: { audio: true, video: true }, lastSeq: -1 }, 'bad-message', 'join'],
    [{ type: 'ping', extra: 1 }, 'bad-message', 'ping'],
    [{ type: 'x'.repeat(500) }, 'bad-message', 'x'.repeat(32)],
    [[], 'bad-message', undefined],
    [42, 'bad-message', undefined],
  ];
  for (const [input, code, ref] of cases) {
    const result = parseClientMessage(JSON.stringify(input));
    assert.equal(result.ok, false, JSON.stringify(input).slice(0, 80));
    if (!result.ok) {
      assert.equal(result.code, code);
      assert.equal(result.ref, ref);
    }
  }
  const broken = parseClientMessage('{"type":');
  assert.ok(!broken.ok && broken.code === 'bad-json');
});

test('deeply nested JSON does not crash the parser', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const result = parseClientMessage(deep);
  assert.equal(result.ok, false);
});

test('server messages are validated on the client side too', () => {
  assert.equal(parseServerMessage('{"type":"pong"}')?.type, 'pong');
  assert.equal(parseServerMessage('{"type":"peer-left"}'), undefined);
  assert.equal(parseServerMessage('not json'), undefined);
});
