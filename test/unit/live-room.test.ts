import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignalingConnection, MAX_RATE_VIOLATIONS } from '../../src/server/realtime/connection.ts';
import { RoomHub } from '../../src/server/realtime/room-hub.ts';
import { MemoryBus } from '../../src/server/realtime/memory-bus.ts';
import type { PeerSocket } from '../../src/server/realtime/socket.ts';
import type { ChatRepo } from '../../src/server/repos/chat.ts';
import { PROTOCOL_VERSION, type ServerMessage } from '../../src/shared/protocol.ts';
import { createResumeTokens } from '../../src/server/realtime/resume-tokens.ts';
import { createMetrics } from '../../src/server/metrics.ts';

/** An in-memory socket: records what the server sends. */
class MemorySocket implements PeerSocket {
  sent: ServerMessage[] = [];
  closedWith: number | undefined;
  bufferedAmount = 0;
  send(data: string) {
    this.sent.push(JSON.parse(data) as ServerMessage);
  }
  close(code: number) {
    this.closedWith = code;
  }
  take<T extends ServerMessage['type']>(type: T) {
    return this.sent.filter((m) => m.type === type) as Array<Extract<ServerMessage, { type: T }>>;
  }
}

/** Lets pending promise continuations (the handlers' awaits) run. */
const socketIdle = () => new Promise((resolve) => setImmediate(resolve));
const silentLog = { error() {}, warn() {}, info() {}, debug() {} } as never;
const noChat = {
  latest: async () => [],
  after: async () => [],
  lastSeq: async () => 0,
  firstSeq: async () => 0,
  append: async () => {
    throw new Error('db down');
  },
} as unknown as ChatRepo;
const room = { id: 'room-1', name: 'Room' };
const metrics = createMetrics({ rooms: () => 0, participants: () => 0 });
const messageRate = { burst: 100, perSecond: 30 };

function newHub(): RoomHub {
  const hub = new RoomHub(new MemoryBus(), noChat, 6, silentLog);
  void hub.close(); // no periodic re-sync in unit tests
  return hub;
}

async function joined(hub: RoomHub, name: string) {
  const socket = new MemorySocket();
  const conn = new SignalingConnection(socket, { id: `id-${name}`, username: name }, room, { hub, chat: noChat, rooms: { addMember: async () => undefined, isMember: async () => true, removeMember: async () => undefined, find: async () => ({ ...room, ownerId: 'id-owner', createdAt: 0, locked: false, chatRetentionDays: null, guestLinkExpiresAt: null }) }, log: silentLog, resumeTokens: createResumeTokens('test key'), resumeGraceMs: 50, metrics, messageRate });
  conn.receive(JSON.stringify({ type: 'join', version: PROTOCOL_VERSION, media: { audio: true, video: true } }));
  await socketIdle();
  const welcome = socket.take('joined')[0];
  return { socket, conn, welcome };
}

test('rooms are created on first join and disposed when empty', async () => {
  const hub = newHub();
  const a = await joined(hub, 'a');
  const b = await joined(hub, 'b');
  assert.equal(hub.roomCount, 1);
  assert.deepEqual(b.welcome?.peers.map((p) => p.username), ['a']);
  assert.equal(a.socket.take('peer-joined')[0]?.peer.username, 'b');
  a.conn.closed({ resumable: false });
  assert.deepEqual(b.socket.take('peer-left').map((m) => m.peerId), [a.welcome?.selfId]);
  b.conn.closed({ resumable: false });
  assert.equal(hub.roomCount, 0);
});

test('a dropped participant keeps their seat for the grace period, then leaves', async (t) => {
  const hub = newHub();
  const a = await joined(hub, 'a');
  const b = await joined(hub, 'b');
  t.mock.timers.enable({ apis: ['setTimeout'] });
  a.conn.closed({ resumable: true });
  assert.equal(b.socket.take('peer-left').length, 0, 'nobody is told yet');
  assert.equal(hub.get(room.id)?.size, 2);
  t.mock.timers.tick(49);
  assert.equal(b.socket.take('peer-left').length, 0);
  t.mock.timers.tick(1);
  assert.deepEqual(b.socket.take('peer-left').map((m) => m.peerId), [a.welcome?.selfId]);
  assert.equal(hub.get(room.id)?.size, 1);
});

test('a chat the database cannot store is reported, not acknowledged or broadcast', async () => {
  const hub = newHub();
  const a = await joined(hub, 'a');
  const b = await joined(hub, 'b');
  a.conn.receive(JSON.stringify({ type: 'chat', clientId: 'abcdefgh', text: 'hi' }));
  await socketIdle();
  const [error] = a.socket.take('error');
  assert.equal(error?.code, 'chat-unavailable');
  assert.equal(error?.clientId, 'abcdefgh');
  assert.equal(a.socket.take('chat-ack').length, 0);
  assert.equal(b.socket.take('chat').length, 0);
});

test('a slow reader is closed instead of buffered without bound', async () => {
  const hub = newHub();
  const a = await joined(hub, 'a');
  const b = await joined(hub, 'b');
  b.socket.bufferedAmount = 10 * 1024 * 1024;
  a.conn.receive(JSON.stringify({ type: 'media', media: { audio: false, video: true } }));
  await socketIdle();
  assert.equal(b.socket.closedWith, 1008);
});

test('a flood is rate limited and finally closed with 1008', async () => {
  const hub = newHub();
  const a = await joined(hub, 'a');
  for (let i = 0; i < messageRate.burst + MAX_RATE_VIOLATIONS + 10; i += 1) a.conn.receive('{"type":"ping"}');
  await socketIdle();
  assert.equal(a.socket.take('error')[0]?.code, 'rate-limited');
  assert.equal(a.socket.closedWith, 1008);
  assert.equal(hub.roomCount, 0, 'the flooder left the room');
});
