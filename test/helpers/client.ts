/** A cookie-keeping HTTP client and a WebSocket client that can await messages, for tests. */
import WebSocket from 'ws';
import type { ClientMessage, ServerMessage } from '../../src/shared/protocol.ts';
import { PROTOCOL_VERSION } from '../../src/shared/protocol.ts';
import type { NotificationEvent } from '../../src/shared/notifications.ts';

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export class HttpClient {
  cookie = '';

  readonly origin: string;
  constructor(origin: string) {
    this.origin = origin;}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const response = await fetch(this.origin + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        origin: this.origin,
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const [pair] = setCookie.split(';');
      this.cookie = pair!.endsWith('=') ? '' : pair!;
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
}

let counter = 0;
/** A unique, valid username for one test. */
export function uniqueName(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${process.pid}x${counter}`;
}

export const PASSWORD = 'correct horse battery';

export async function registeredClient(origin: string, username = uniqueName()): Promise<HttpClient & { username: string; userId: string }> {
  const client = new HttpClient(origin) as HttpClient & { username: string; userId: string };
  const result = await client.post('/register', { username, password: PASSWORD });
  if (result.status !== 201) throw new Error(`register failed: ${result.status} ${JSON.stringify(result.body)}`);
  client.username = username;
  client.userId = result.body.id;
  return client;
}

/** A WebSocket test client: every received message is queued and can be awaited by type. */
export class WsClient {
  readonly received: ServerMessage[] = [];
  private waiters: Array<{ match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }> = [];
  closed: Promise<{ code: number; reason: string }>;

  readonly socket: WebSocket;
  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      this.received.push(message);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(message)) return true;
        w.resolve(message);
        return false;
      });
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(origin: string, roomId: string, options: { cookie?: string; origin?: string } = {}): Promise<WsClient> {
    const socket = new WebSocket(`${origin.replace('http', 'ws')}/ws/${roomId}`, {
      headers: { ...(options.cookie ? { cookie: options.cookie } : {}), origin: options.origin ?? origin },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return new WsClient(socket);
  }

  /** Opens and joins; resolves with the `joined` message. */
  static async join(origin: string, roomId: string, cookie: string, lastSeq?: number) {
    const client = await WsClient.open(origin, roomId, { cookie });
    client.send({ type: 'join', version: PROTOCOL_VERSION, media: { audio: true, video: true }, ...(lastSeq !== undefined ? { lastSeq } : {}) });
    const joined = await client.next('joined');
    return { client, joined };
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** The first message of this type not yet consumed, waiting for it if needed. */
  next<T extends ServerMessage['type']>(type: T, match: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true): Promise<Extract<ServerMessage, { type: T }>> {
    const test = (m: ServerMessage) => m.type === type && match(m as Extract<ServerMessage, { type: T }>);
    const index = this.received.findIndex(test);
    if (index >= 0) {
      const [message] = this.received.splice(index, 1);
      return Promise.resolve(message as Extract<ServerMessage, { type: T }>);
    }
    return new Promise((resolve) => {
      this.waiters.push({
        match: test,
        resolve: (m) => {
          this.received.splice(this.received.indexOf(m), 1);
          resolve(m as Extract<ServerMessage, { type: T }>);
        },
      });
    });
  }

  /** Sends a ping and waits for its pong: every earlier frame has then been handled. */
  async roundTrip(): Promise<void> {
    this.send({ type: 'ping' });
    await this.next('pong');
  }

  close(): void {
    this.socket.close();
  }
}

/** Upgrade attempt that reports the HTTP status when refused. */
export function upgradeStatus(origin: string, roomId: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${origin.replace('http', 'ws')}/ws/${roomId}`, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', (err) => reject(err));
  });
}

/** A user's notification stream (`GET /api/notifications`): events are queued and can be awaited by type. */
export class EventStream {
  readonly received: NotificationEvent[] = [];
  private waiters: Array<{ match: (e: NotificationEvent) => boolean; resolve: (e: NotificationEvent) => void }> = [];
  private readonly controller: AbortController;

  private constructor(controller: AbortController) {
    this.controller = controller;
  }

  static async open(origin: string, cookie: string): Promise<EventStream> {
    const controller = new AbortController();
    const response = await fetch(`${origin}/api/notifications`, { headers: { cookie }, signal: controller.signal });
    if (response.status !== 200) throw new Error(`notification stream refused: ${response.status}`);
    const stream = new EventStream(controller);
    void stream.read(response.body!.getReader());
    return stream;
  }

  /** The first event of this type not yet consumed, waiting for it if needed. */
  next<T extends NotificationEvent['type']>(type: T, match: (e: Extract<NotificationEvent, { type: T }>) => boolean = () => true): Promise<Extract<NotificationEvent, { type: T }>> {
    const test = (e: NotificationEvent) => e.type === type && match(e as Extract<NotificationEvent, { type: T }>);
    const index = this.received.findIndex(test);
    if (index >= 0) return Promise.resolve(this.received.splice(index, 1)[0] as Extract<NotificationEvent, { type: T }>);
    return new Promise((resolve) => {
      this.waiters.push({
        match: test,
        resolve: (e) => {
          this.received.splice(this.received.indexOf(e), 1);
          resolve(e as Extract<NotificationEvent, { type: T }>);
        },
      });
    });
  }

  close(): void {
    this.controller.abort();
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (!data) continue;
          const event = JSON.parse(data.slice(6)) as NotificationEvent;
          this.received.push(event);
          this.waiters = this.waiters.filter((w) => {
            if (!w.match(event)) return true;
            w.resolve(event);
            return false;
          });
        }
      }
    } catch {
      // Aborted or closed by the server.
    }
  }
}
