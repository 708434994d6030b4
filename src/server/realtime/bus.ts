/**
 * What server processes tell each other: who is in which room, signals for
 * peers connected elsewhere, stored chat messages, and user notifications.
 * In-process (`MemoryBus`) when there is one process; Redis (`RedisBus`)
 * when REDIS_URL joins several into one service.
 *
 * Delivery is at most once: a process that misses events catches up from
 * the roster (`members`) and the database (chat `seq`), never from the bus.
 */
import * as z from 'zod/mini';
import { ChatMessage, MediaState, PeerInfo, Reaction, SignalPayload } from '../../shared/protocol.ts';
import type { NotificationEvent } from '../../shared/notifications.ts';
import type { PresenceState } from '../../shared/api.ts';

/** A participant as every process sees them, with the process that holds their socket. */
export const RoomMember = z.extend(PeerInfo, { node: z.string() });
export type RoomMember = z.infer<typeof RoomMember>;

/**
 * What happens in a room, told to the other processes. Checked on receipt
 * like any input: another process may run another version.
 */
export const RoomEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('joined'), node: z.string(), member: RoomMember }),
  z.object({ kind: z.literal('left'), node: z.string(), peerId: z.string() }),
  z.object({ kind: z.literal('media'), node: z.string(), peerId: z.string(), media: MediaState }),
  z.object({ kind: z.literal('signal'), node: z.string(), from: z.string(), to: z.string(), payload: SignalPayload }),
  z.object({ kind: z.literal('chat'), node: z.string(), message: ChatMessage }),
  z.object({ kind: z.literal('reaction'), node: z.string(), peerId: z.string(), reaction: Reaction }),
  /** The owner's word to one participant: removed from the call, or asked to mute. */
  z.object({ kind: z.literal('moderate'), node: z.string(), peerId: z.string(), action: z.enum(['remove', 'mute']), by: z.string() }),
  /** A participant must give up their seat: the same account took another one (one seat per account). */
  z.object({ kind: z.literal('evict'), node: z.string(), peerId: z.string() }),
  /** The room was deleted: everyone in its call is let go. */
  z.object({ kind: z.literal('ended'), node: z.string() }),
]);
export type RoomEvent = z.infer<typeof RoomEvent>;

export interface Bus {
  /** This process's id, unique per start. */
  readonly nodeId: string;
  /** False while events cannot reach other processes. */
  readonly connected: boolean;
  /** Whether other processes share this bus: only then are there remote members to keep in sync. */
  readonly shared: boolean;
  /** Called with `true` when the bus comes back after an outage (time to catch up), `false` when it goes down. */
  onStatusChange(listener: (connected: boolean) => void): void;

  /**
   * Takes a seat in a room if fewer than `capacity` are taken (a seat of the
   * same peer id is taken over, for resumes). Atomic across processes.
   */
  claimSeat(roomId: string, member: RoomMember, capacity: number): Promise<boolean>;
  /** Gives a seat up, if `node` still holds it. */
  releaseSeat(roomId: string, peerId: string, node: string): Promise<void>;
  /** Everyone seated in a room, on live processes. */
  members(roomId: string): Promise<RoomMember[]>;

  subscribeRoom(roomId: string, handler: (event: RoomEvent) => void): Promise<() => Promise<void>>;
  /** Sends an event to the other processes in the room; false when it could not be sent. */
  publishRoom(roomId: string, event: RoomEvent): Promise<boolean>;

  subscribeUser(userId: string, handler: (event: NotificationEvent) => void): Promise<() => Promise<void>>;
  publishUser(userId: string, event: NotificationEvent): Promise<void>;

  /**
   * Says how this process sees a user: connected (`online`), seated in a
   * call (`in-call`), or neither (null). Processes that stop beating drop out.
   */
  setPresence(userId: string, state: Exclude<PresenceState, 'offline'> | null): Promise<void>;
  /** How every live process together sees these users; absent ones are offline. */
  presence(userIds: string[]): Promise<Map<string, Exclude<PresenceState, 'offline'>>>;

  /** Whether the bus's own service answers; for readiness. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
