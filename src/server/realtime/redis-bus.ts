/**
 * The bus between several server processes, over Redis: seats in one hash
 * per room (changed atomically by Lua scripts), events over pub/sub (a
 * separate connection, as Redis requires), and a heartbeat key per process
 * so that the seats of a process that died are ignored and swept.
 *
 * Commands fail fast while Redis is down (no offline queue, 1 s timeout):
 * callers get an error or `false`, and nothing blocks the event loop.
 */
import type { Redis } from 'ioredis';
import { randomId } from '../ids.ts';
import type * as z from 'zod/mini';
import { NotificationEvent } from '../../shared/notifications.ts';
import { RoomEvent, RoomMember, type Bus } from './bus.ts';
import type { PresenceState } from '../../shared/api.ts';

/** How often a process renews its heartbeat, in milliseconds. */
const HEARTBEAT_INTERVAL_MS = 3_000;
/** A process whose heartbeat is older than this is taken for dead, in milliseconds. */
const HEARTBEAT_TTL_MS = 10_000;
/** Longest a Redis command may take before it fails, in milliseconds. */
const COMMAND_TIMEOUT_MS = 1_000;

/** Adds a seat unless the room is full; a seat with the same peer id is replaced (a resume). */
const CLAIM_SEAT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 or redis.call('HLEN', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0`;

/** Removes a seat only if the given process still holds it. */
const RELEASE_SEAT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and cjson.decode(current).node == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0`;

export class RedisBus implements Bus {
  readonly shared = true;
  readonly nodeId = randomId();
  private readonly command: Redis;
  private readonly subscriber: Redis;
  private readonly roomHandlers = new Map<string, Set<(event: RoomEvent) => void>>();
  private readonly userHandlers = new Map<string, Set<(event: NotificationEvent) => void>>();
  private readonly statusListeners = new Set<(connected: boolean) => void>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private up = false;

  /**
   * ioredis is loaded only here, when Redis is configured: a single process
   * on SQLite never pays its memory (about 25 MB of the base RSS).
   */
  static async create(url: string, prefix: string): Promise<RedisBus> {
    const { Redis: RedisClient } = await import('ioredis');
    return new RedisBus(RedisClient, url, prefix);
  }

  private readonly prefix: string;
  private constructor(RedisClient: typeof Redis, url: string, prefix: string) {
    this.prefix = prefix;
    const options = { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: COMMAND_TIMEOUT_MS, lazyConnect: true };
    this.command = new RedisClient(url, options);
    // The subscriber keeps its subscriptions across reconnects; it needs the
    // offline queue so (re)subscribing while connecting is not refused.
    this.subscriber = new RedisClient(url, { ...options, enableOfflineQueue: true });
    for (const client of [this.command, this.subscriber]) {
      // Errors surface as failed commands and status changes; never as crashes.
      client.on('error', () => undefined);
      client.on('ready', () => void this.updateStatus());
      client.on('close', () => void this.updateStatus());
    }
    this.subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
  }

  /** Connects both clients; fails if Redis cannot be reached at start-up. */
  async start(): Promise<void> {
    await Promise.all([this.command.connect(), this.subscriber.connect()]);
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
    await this.updateStatus();
  }

  /** The command connection, for other shared state (rate limits). */
  get client(): Redis {
    return this.command;
  }

  get connected(): boolean {
    return this.up;
  }

  onStatusChange(listener: (connected: boolean) => void): void {
    this.statusListeners.add(listener);
  }

  async claimSeat(roomId: string, member: RoomMember, capacity: number): Promise<boolean> {
    await this.sweep(roomId);
    const result = await this.command.eval(CLAIM_SEAT, 1, this.key(`room:${roomId}:seats`), member.peerId, JSON.stringify(member), capacity);
    return result === 1;
  }

  async releaseSeat(roomId: string, peerId: string, node: string): Promise<void> {
    await this.command.eval(RELEASE_SEAT, 1, this.key(`room:${roomId}:seats`), peerId, node);
  }

  async members(roomId: string): Promise<RoomMember[]> {
    return (await this.sweep(roomId)).live;
  }

  async subscribeRoom(roomId: string, handler: (event: RoomEvent) => void) {
    return this.subscribe(this.roomHandlers, this.key(`room:${roomId}`), handler);
  }

  async publishRoom(roomId: string, event: RoomEvent): Promise<boolean> {
    try {
      await this.command.publish(this.key(`room:${roomId}`), JSON.stringify(event));
      return true;
    } catch {
      return false;
    }
  }

  async subscribeUser(userId: string, handler: (event: NotificationEvent) => void) {
    return this.subscribe(this.userHandlers, this.key(`user:${userId}`), handler);
  }

  async publishUser(userId: string, event: NotificationEvent): Promise<void> {
    await this.command.publish(this.key(`user:${userId}`), JSON.stringify(event));
  }

  async setPresence(userId: string, state: Exclude<PresenceState, 'offline'> | null): Promise<void> {
    const key = this.key(`presence:${userId}`);
    if (state) await this.command.hset(key, this.nodeId, state);
    else await this.command.hdel(key, this.nodeId);
  }

  async presence(userIds: string[]): Promise<Map<string, Exclude<PresenceState, 'offline'>>> {
    const result = new Map<string, Exclude<PresenceState, 'offline'>>();
    if (userIds.length === 0) return result;
    const pipeline = this.command.pipeline();
    for (const id of userIds) pipeline.hgetall(this.key(`presence:${id}`));
    const replies = (await pipeline.exec()) ?? [];
    const byUser = userIds.map((id, i) => [id, (replies[i]?.[1] ?? {}) as Record<string, string>] as const);
    const nodes = [...new Set(byUser.flatMap(([, states]) => Object.keys(states)))];
    const alive = nodes.length > 0 ? await this.command.mget(...nodes.map((n) => this.key(`node:${n}`))) : [];
    const liveNodes = new Set(nodes.filter((_, i) => alive[i] !== null));
    for (const [id, states] of byUser) {
      const seen = Object.entries(states).filter(([node]) => liveNodes.has(node)).map(([, state]) => state);
      if (seen.includes('in-call')) result.set(id, 'in-call');
      else if (seen.includes('online')) result.set(id, 'online');
    }
    return result;
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.command.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.command.del(this.key(`node:${this.nodeId}`)).catch(() => undefined);
    this.command.disconnect();
    this.subscriber.disconnect();
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  private async beat(): Promise<void> {
    await this.command.set(this.key(`node:${this.nodeId}`), '1', 'PX', HEARTBEAT_TTL_MS);
  }

  /** Reads a room's seats and deletes those of processes that stopped beating. */
  private async sweep(roomId: string): Promise<{ live: RoomMember[] }> {
    const seatsKey = this.key(`room:${roomId}:seats`);
    const seats = Object.values(await this.command.hgetall(seatsKey)).flatMap((raw) => parsed(RoomMember, raw) ?? []);
    const nodes = [...new Set(seats.map((s) => s.node))];
    const alive = nodes.length > 0 ? await this.command.mget(...nodes.map((n) => this.key(`node:${n}`))) : [];
    const liveNodes = new Set(nodes.filter((_, i) => alive[i] !== null));
    const dead = seats.filter((s) => !liveNodes.has(s.node));
    for (const seat of dead) await this.command.eval(RELEASE_SEAT, 1, seatsKey, seat.peerId, seat.node);
    return { live: seats.filter((s) => liveNodes.has(s.node)) };
  }

  private async subscribe<E>(map: Map<string, Set<(event: E) => void>>, channel: string, handler: (event: E) => void) {
    let set = map.get(channel);
    if (!set) {
      set = new Set();
      map.set(channel, set);
      // While Redis is down this fails; the channel stays wanted and is
      // subscribed when the connection is back (see updateStatus).
      await this.subscriber.subscribe(channel).catch(() => undefined);
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0 && map.get(channel) === set) {
        map.delete(channel);
        await this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  /** Hands a message to the channel's handlers if it is an event of the channel's kind; anything else is dropped. */
  private deliver(channel: string, message: string): void {
    const room = this.roomHandlers.get(channel);
    if (room) {
      const event = parsed(RoomEvent, message);
      if (event) for (const handler of [...room]) handler(event);
      return;
    }
    const user = this.userHandlers.get(channel);
    const event = user && parsed(NotificationEvent, message);
    if (event) for (const handler of [...user]) handler(event);
  }

  private async updateStatus(): Promise<void> {
    let up = this.command.status === 'ready' && this.subscriber.status === 'ready';
    if (up && !this.up) {
      try {
        // Redis may have restarted empty: say we are alive before anyone
        // sweeps our seats, and make sure the resubscriptions are in place
        // (a PING answers after the SUBSCRIBEs sent before it).
        await this.beat();
        // Subscribe to every channel we want, including any whose first
        // SUBSCRIBE failed while Redis was down (ioredis only resubscribes
        // what it knows succeeded).
        const channels = [...this.roomHandlers.keys(), ...this.userHandlers.keys()];
        if (channels.length > 0) await this.subscriber.subscribe(...channels);
        await this.subscriber.ping();
      } catch {
        up = false;
      }
      up = up && this.command.status === 'ready' && this.subscriber.status === 'ready';
    }
    if (up === this.up) return;
    this.up = up;
    for (const listener of this.statusListeners) listener(up);
  }
}

/** The JSON text as `schema` describes it, or undefined when it is not. */
function parsed<T>(schema: z.ZodMiniType<T>, text: string): T | undefined {
  try {
    const result = schema.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
