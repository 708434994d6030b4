/**
 * Property-based fuzzing of every WebSocket message type and every JSON
 * body, with fixed seeds so a failure replays exactly (FUZZ_SEED overrides).
 * Whatever arrives: the server answers with an error carrying a stable
 * code, nothing invalid is stored or relayed, and nobody else notices.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startServer, type TestServer } from '../helpers/server.ts';
import { HttpClient, registeredClient, WsClient } from '../helpers/client.ts';
import { ErrorCode, parseClientMessage, parseServerMessage, type ServerMessage } from '../../src/shared/protocol.ts';
import { ApiErrorCode } from '../../src/shared/api-errors.ts';
import { CHAT_TEXT_MAX_CHARS, SDP_MAX_CHARS } from '../../src/shared/limits.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const PEER = 'AAAAAAAAAAAAAAAAAAAAAA';

/** One valid message of every client type: the seeds the mutations start from. */
const VALID: Record<string, Record<string, unknown>> = {
  join: { type: 'join', version: 1, media: { audio: true, video: false }, lastSeq: 0 },
  signal: { type: 'signal', to: PEER, payload: { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } } },
  candidate: { type: 'signal', to: PEER, payload: { kind: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } } },
  media: { type: 'media', media: { audio: false, video: true } },
  chat: { type: 'chat', clientId: 'abcdefgh12345678', text: 'hello' },
  history: { type: 'history', afterSeq: 0 },
  ping: { type: 'ping' },
  leave: { type: 'leave' },
};

/** Values that are wrong in some way wherever they are put. */
const weird = fc.oneof(
  fc.constantFrom<unknown>(null, true, 0, -1, 1.5, 2 ** 53, '', ' ', '\u0000', '\uD800', 'NaN', '-0', '1e309', [], {}, [[]], { __proto__: { polluted: 1 } }),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.integer(), { maxLength: 4 }),
  fc.constant('x'.repeat(SDP_MAX_CHARS + 1)),
  fc.constant('y'.repeat(CHAT_TEXT_MAX_CHARS + 1)),
);

type Json = Record<string, unknown>;
const clone = (v: Json): Json => JSON.parse(JSON.stringify(v)) as Json;

/** Paths to every field of a message, nested ones included. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function mutate(message: Json, path: string[], how: 'drop' | 'replace' | 'extra', value: unknown): Json {
  const copy = clone(message);
  if (path.length === 0) return how === 'extra' ? { ...copy, from: PEER, [String(value).slice(0, 20) || 'extra']: value } : copy;
  let target: any = copy;
  for (const key of path.slice(0, -1)) target = target[key];
  const last = path.at(-1)!;
  if (how === 'drop') delete target[last];
  else if (how === 'replace') target[last] = value;
  else if (typeof target[last] === 'object' && target[last] !== null) target[last].extra = value;
  else target[last] = { value };
  return copy;
}

/** A frame built by breaking a valid message: a field dropped, replaced by a weird value, or an extra one. */
const mutatedFrame = fc
  .constantFrom(...Object.values(VALID))
  .chain((message) =>
    fc.tuple(fc.constant(message), fc.constantFrom(...paths(message)), fc.constantFrom('drop', 'replace', 'extra') as fc.Arbitrary<'drop' | 'replace' | 'extra'>, weird),
  )
  .map(([message, path, how, value]) => JSON.stringify(mutate(message, path, how, value)));

/** Frames that are not even messages. */
const garbageFrame = fc.oneof(
  fc.constantFrom('{', '[]', 'null', '"str"', '123', '{"type":"nope"}', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '['.repeat(30_000) + ']'.repeat(30_000)),
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
);

const STABLE_WS_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));
const STABLE_HTTP_CODES: ReadonlySet<string> = new Set(Object.values(ApiErrorCode));

describe('fuzzing the signalling protocol', () => {
  let server: TestServer;
  let attacker: WsClient;
  let roommate: WsClient;
  let elsewhere: WsClient;
  let roomId: string;

  before(async () => {
    // A generous rate limit: this test is about content, the flood tests are elsewhere.
    server = await startServer({ WS_MESSAGE_BURST: '100000', WS_MESSAGES_PER_SECOND: '100000' });
    const alice = await registeredClient(server.origin);
    const bob = await registeredClient(server.origin);
    const carol = await registeredClient(server.origin);
    roomId = (await alice.post('/api/rooms', { name: 'fuzz' })).body.id;
    const otherRoom = (await carol.post('/api/rooms', { name: 'elsewhere' })).body.id;
    attacker = (await WsClient.join(server.origin, roomId, alice.cookie)).client;
    roommate = (await WsClient.join(server.origin, roomId, bob.cookie)).client;
    await attacker.next('peer-joined');
    elsewhere = (await WsClient.join(server.origin, otherRoom, carol.cookie)).client;
  });
  after(() => server.close());

  test('every broken frame gets an error with a stable code; nothing is relayed or stored; no one else notices', async () => {
    const storedBefore = (await server.ctx.chat.latest(roomId, 1000)).length;
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedFrame, garbageFrame), async (frame) => {
        // Only frames the protocol refuses are under test here; valid ones are the other tests' business.
        fc.pre(!parseClientMessage(frame).ok);
        tried += 1;
        attacker.received.length = 0;
        roommate.received.length = 0;
        elsewhere.received.length = 0;
        attacker.sendRaw(frame);
        const error = await attacker.next('error');
        assert.ok(STABLE_WS_CODES.has(error.code), error.code);
        assert.ok([ErrorCode.badJson, ErrorCode.badMessage].includes(error.code as 'bad-json'), `${error.code} for ${frame.slice(0, 80)}`);
        // A round trip on each other socket proves anything sent to it has arrived.
        await Promise.all([attacker.roundTrip(), roommate.roundTrip(), elsewhere.roundTrip()]);
        assert.deepEqual(roommate.received, [], `relayed: ${frame.slice(0, 80)}`);
        assert.deepEqual(elsewhere.received, []);
        for (const message of attacker.received) assert.ok(parseServerMessage(JSON.stringify(message)), 'the server only sends valid messages');
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    assert.ok(tried >= RUNS * 0.9, `only ${tried} of ${RUNS} generated frames were invalid`);
    assert.equal((await server.ctx.chat.latest(roomId, 1000)).length, storedBefore, 'nothing that failed validation was stored');
    assert.equal(({} as { polluted?: unknown }).polluted, undefined, 'no prototype pollution');
    assert.equal(attacker.socket.readyState, attacker.socket.OPEN, 'bad content is answered, not punished by a close');
  });

  test('signals with valid shape never reach anyone but their addressee in the same room', async () => {
    const targets = fc.oneof(fc.constant(PEER), fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/));
    await fc.assert(
      fc.asyncProperty(targets, async (to) => {
        roommate.received.length = 0;
        elsewhere.received.length = 0;
        attacker.send({ type: 'signal', to, payload: { kind: 'candidate', candidate: { candidate: 'candidate:x' } } });
        const error = await attacker.next('error');
        assert.equal(error.code, ErrorCode.unknownPeer);
        await Promise.all([roommate.roundTrip(), elsewhere.roundTrip()]);
        assert.deepEqual(roommate.received, []);
        assert.deepEqual(elsewhere.received, []);
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS / 4) },
    );
  });
});

describe('fuzzing the HTTP API', () => {
  let server: TestServer;
  let client: HttpClient;

  before(async () => {
    server = await startServer({ REGISTER_RATE_LIMIT: '100000', LOGIN_RATE_LIMIT: '100000', LOGIN_IP_RATE_LIMIT: '100000' });
    client = await registeredClient(server.origin);
  });
  after(() => server.close());

  const routes: Array<[string, string]> = [
    ['POST', '/register'],
    ['POST', '/login'],
    ['POST', '/api/rooms'],
    ['POST', '/send_link'],
    ['POST', '/api/account/password'],
    ['DELETE', '/api/account'],
  ];

  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.record({ username: weird, password: weird, name: weird, room_id: weird, currentPassword: weird, newPassword: weird }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 100 }),
    fc.constantFrom('{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '{', 'x'.repeat(70 * 1024)),
  );

  test('any body on any route gets a 2xx/4xx with a stable error code, never a 5xx', async () => {
    const usersBefore = await server.ctx.db.selectFrom('users').select('id').execute();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, async ([method, path], raw) => {
        const result = await client.request(method, path, raw);
        assert.ok(result.status < 500, `${method} ${path} ${raw.slice(0, 80)} → ${result.status}`);
        if (result.status >= 400) {
          assert.ok(STABLE_HTTP_CODES.has(result.body?.error), `${result.status} ${JSON.stringify(result.body).slice(0, 120)}`);
          assert.doesNotMatch(JSON.stringify(result.body), /at .*\.(ts|js):\d+|node_modules|SELECT|sqlite|postgres/i);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    assert.equal((await client.get('/api/me')).status, 200, 'the fuzzing account is intact');
    const usersAfter = await server.ctx.db.selectFrom('users').select('id').execute();
    assert.ok(usersAfter.length >= usersBefore.length, 'no account vanished');
  });
});
