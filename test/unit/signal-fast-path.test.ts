import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ClientMessage, parseClientMessage, parseServerMessage, type ClientMessageOf } from '../../src/shared/protocol.js';
import { SDP_MAX_CHARS } from '../../src/shared/limits.js';
import { acceptSignal } from '../../src/server/realtime/signal-fast-path.js';
import { relayedSignal } from '../../src/server/realtime/signal-frame.js';

const seed = Number(process.env.FUZZ_SEED) || 20261127;
const numRuns = Number(process.env.FUZZ_RUNS) || 3000;

const peerId = fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/);
const nullish = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.option(arb, { nil: null }), { nil: undefined });
const candidate = fc.record({
  candidate: fc.string({ maxLength: 2048 }),
  sdpMid: nullish(fc.string({ maxLength: 64 })),
  sdpMLineIndex: nullish(fc.integer({ min: 0, max: 255 })),
  usernameFragment: nullish(fc.string({ maxLength: 256 })),
}, { requiredKeys: ['candidate'] });
const payload = fc.oneof(
  fc.record({ kind: fc.constant('description'), description: fc.record({ type: fc.constantFrom('offer', 'answer'), sdp: fc.string({ maxLength: 4000 }) }) }),
  fc.record({ kind: fc.constant('candidate'), candidate }),
);
/** Valid signals as a browser sends them, after a JSON round trip (no undefined values). */
const validSignal = fc.record({ type: fc.constant('signal'), to: peerId, payload }).map((m) => JSON.parse(JSON.stringify(m)) as unknown);

/** Something that might sit anywhere in a message. */
const junk = fc.oneof(
  // The schema's edges: lengths and numbers just inside and just outside.
  { weight: 4, arbitrary: fc.constantFrom(-1, 0, 255, 256, 1.5, 'aaaaaaa', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(257), 'x'.repeat(2049), 'offer', 'answer', 'rollback', 'candidate', 'description') },
  fc.string({ maxLength: 70 }), fc.integer({ min: -2, max: 300 }), fc.double(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}), fc.constant('x'.repeat(SDP_MAX_CHARS + 1)));

/** A valid signal with one value anywhere in it replaced or removed, or a key added next to it. */
function mutate(message: unknown, pick: number, action: 'replace' | 'remove' | 'add', value: unknown, key: string): unknown {
  const copy = JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
  const slots: Array<[Record<string, unknown>, string]> = [];
  const walk = (node: Record<string, unknown>) => {
    for (const [name, child] of Object.entries(node)) {
      slots.push([node, name]);
      if (typeof child === 'object' && child !== null) walk(child as Record<string, unknown>);
    }
  };
  walk(copy);
  const [node, target] = slots[pick % slots.length]!;
  // Own properties, as JSON.parse makes them (a `__proto__` key included).
  const set = (name: string) => Object.defineProperty(node, name, { value, enumerable: true, writable: true, configurable: true });
  if (action === 'replace') set(target);
  else if (action === 'remove') delete node[target];
  else set(key);
  return copy;
}

test('the signal fast path accepts every valid signal, unchanged', () => {
  fc.assert(fc.property(validSignal, (message) => {
    assert.equal(acceptSignal(message), message);
    assert.ok(ClientMessage.safeParse(message).success);
  }), { seed, numRuns });
});

test('the signal fast path never accepts what the schema refuses', () => {
  const mutated = fc.tuple(validSignal, fc.nat(), fc.constantFrom('replace', 'remove', 'add'), junk, fc.constantFrom('from', 'extra', '__proto__', 'kind', 'type', 'sdp', 'sdpMid'))
    .map(([message, pick, action, value, key]) => mutate(message, pick, action as 'replace' | 'remove' | 'add', value, key));
  let accepted = 0;
  fc.assert(fc.property(fc.oneof(mutated, junk, fc.jsonValue()), (data) => {
    const fast = acceptSignal(data);
    if (fast === undefined) return;
    accepted += 1;
    const schema = ClientMessage.safeParse(data);
    assert.ok(schema.success, `fast path accepted what the schema refuses: ${JSON.stringify(data).slice(0, 200)}`);
    assert.deepEqual(fast, schema.data);
  }), { seed, numRuns });
  // Some mutations keep a message valid (a string for a string): the property was exercised.
  assert.ok(accepted > 0);
});

test('a relayed signal parses (JSON.parse, as in the browser) to exactly the payload the server validated', () => {
  const from = 'server-given-id1';
  // Frames as our client writes them, and hostile variants: duplicate keys
  // after the payload (JSON.parse keeps the last), spacing, other key orders.
  const frame = fc.tuple(validSignal, payload, peerId, fc.constantFrom('canonical', 'second-payload', 'escaped-payload', 'inner-duplicate', 'trailing-type', 'trailing-to', 'spaced', 'reordered'))
    .map(([message, other, otherPeer, shape]) => {
      const m = message as { to: string; payload: unknown };
      const head = `{"type":"signal","to":"${m.to}","payload":${JSON.stringify(m.payload)}`;
      switch (shape) {
        case 'second-payload': return `${head},"payload":${JSON.stringify(other)}}`;
        case 'escaped-payload': return `${head},"p\\u0061yload":${JSON.stringify(other)}}`;
        case 'inner-duplicate': return `{"type":"signal","to":"${m.to}","payload":{"kind":"junk","kind":${JSON.stringify((other as { kind: string }).kind)},${JSON.stringify(other).slice(1)}}`;
        case 'trailing-type': return `${head},"type":"signal"}`;
        case 'trailing-to': return `${head},"to":"${otherPeer}"}`;
        case 'spaced': return JSON.stringify(m, null, 1);
        case 'reordered': return JSON.stringify({ payload: m.payload, to: m.to, type: 'signal' });
        default: return JSON.stringify(message);
      }
    });
  let reused = 0;
  fc.assert(fc.property(frame, (raw) => {
    const parsed = parseClientMessage(raw, acceptSignal);
    if (!parsed.ok) return;
    const message = parsed.message as ClientMessageOf<'signal'>;
    const relayed = relayedSignal(from, message.to, message.payload, raw);
    if (relayed !== JSON.stringify({ type: 'signal', from, payload: message.payload })) reused += 1;
    assert.deepEqual(parseServerMessage(relayed), { type: 'signal', from, payload: message.payload });
    assert.ok(!/"from":"(?!server-given-id1")/.test(relayed.slice(0, 60)), 'the sender cannot choose its from');
  }), { seed, numRuns });
  assert.ok(reused > 0, 'our client\'s frames take the reuse path');
});
