import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as wsModule from 'ws';
import { WebSocket, WebSocketServer } from 'ws';
import { keepReceiverFragmentArrays } from '../../src/server/realtime/ws-receiver-reuse.js';

/** The private field the wrapper keeps; read here to prove it is kept. */
const fragmentsOf = (socket: WebSocket): unknown => (socket as unknown as { _receiver: { _fragments: unknown } })._receiver._fragments;

/** A real server and client on loopback; `onServerSocket` sees the server's side. */
async function pair(onServerSocket: (socket: WebSocket) => void) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await once(server, 'listening');
  server.on('connection', onServerSocket);
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { perMessageDeflate: false });
  await once(client, 'open');
  return {
    client,
    async close() {
      client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('installing is idempotent: the Receiver is wrapped once', () => {
  assert.equal(keepReceiverFragmentArrays(), true);
  const receiver = (wsModule as unknown as { Receiver: { prototype: { dataMessage: unknown } } }).Receiver;
  const wrapped = receiver.prototype.dataMessage;
  assert.equal(keepReceiverFragmentArrays(), true);
  assert.equal(receiver.prototype.dataMessage, wrapped);
});

test('messages arrive whole, and the socket keeps one empty fragments array throughout', async () => {
  keepReceiverFragmentArrays();
  let initial: unknown;
  const received: Array<{ text: string; binary: boolean }> = [];
  let serverSocket: WebSocket | undefined;
  let allReceived!: () => void;
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  const { client, close } = await pair((socket) => {
    serverSocket = socket;
    initial = fragmentsOf(socket);
    socket.on('message', (data, binary) => {
      received.push({ text: String(data), binary });
      if (received.length === 4) allReceived();
    });
  });
  try {
    client.send('hello');
    client.send(Buffer.from([1, 2, 3]));
    // One text message in three frames, then an empty one.
    client.send('ab', { fin: false });
    client.send('cd', { fin: false });
    client.send('ef', { fin: true });
    client.send('');
    await done;
    // The wrapper restores the kept array after the listener has run.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(received, [
      { text: 'hello', binary: false },
      { text: '\x01\x02\x03', binary: true },
      { text: 'abcdef', binary: false },
      { text: '', binary: false },
    ]);
    assert.ok(Array.isArray(initial), 'ws Receiver no longer has a _fragments array: review ws-receiver-reuse.ts');
    assert.equal(fragmentsOf(serverSocket!), initial, 'each message replaced the fragments array');
    assert.deepEqual(initial, []);
  } finally {
    await close();
  }
});

test("a listener that asks for fragments owns each message's array, even when it then asks for buffers", async () => {
  keepReceiverFragmentArrays();
  const messages: Buffer[][] = [];
  let twoReceived!: () => void;
  const done = new Promise<void>((resolve) => (twoReceived = resolve));
  const { client, close } = await pair((socket) => {
    socket.binaryType = 'fragments';
    socket.on('message', (data) => {
      messages.push(data as Buffer[]);
      // A listener may change its mind after this message; this one is still its own.
      socket.binaryType = messages.length === 1 ? 'nodebuffer' : 'fragments';
      if (messages.length === 2) twoReceived();
    });
  });
  try {
    client.send(Buffer.from('one'));
    client.send(Buffer.from('two'));
    await done;
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(Array.isArray(messages[0]), 'the first message came as fragments');
    assert.deepEqual(Buffer.concat(messages[0]!).toString(), 'one');
    assert.deepEqual(String(messages[1]), 'two');
  } finally {
    await close();
  }
});
