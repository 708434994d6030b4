/** The bus of a single process: seats in memory, events delivered in-process. */
import { randomId } from '../ids.ts';
import type { Bus, RoomEvent, RoomMember } from './bus.ts';
import type { NotificationEvent } from '../../shared/notifications.ts';
import type { PresenceState } from '../../shared/api.ts';

export class MemoryBus implements Bus {
  readonly nodeId = randomId();
  readonly connected = true;
  readonly shared = false;
  private readonly seats = new Map<string, Map<string, RoomMember>>();
  private readonly roomHandlers = new Map<string, Set<(event: RoomEvent) => void>>();
  private readonly userHandlers = new Map<string, Set<(event: NotificationEvent) => void>>();

  onStatusChange(): void {
    // Never goes down.
  }

  async claimSeat(roomId: string, member: RoomMember, capacity: number): Promise<boolean> {
    let seats = this.seats.get(roomId);
    if (!seats) {
      seats = new Map();
      this.seats.set(roomId, seats);
    }
    if (!seats.has(member.peerId) && seats.size >= capacity) return false;
    seats.set(member.peerId, member);
    return true;
  }

  async releaseSeat(roomId: string, peerId: string, node: string): Promise<void> {
    const seats = this.seats.get(roomId);
    if (seats?.get(peerId)?.node !== node) return;
    seats.delete(peerId);
    if (seats.size === 0) this.seats.delete(roomId);
  }

  async members(roomId: string): Promise<RoomMember[]> {
    return [...(this.seats.get(roomId)?.values() ?? [])];
  }

  async subscribeRoom(roomId: string, handler: (event: RoomEvent) => void) {
    return subscribe(this.roomHandlers, roomId, handler);
  }

  async publishRoom(roomId: string, event: RoomEvent): Promise<boolean> {
    for (const handler of [...(this.roomHandlers.get(roomId) ?? [])]) handler(event);
    return true;
  }

  async subscribeUser(userId: string, handler: (event: NotificationEvent) => void) {
    return subscribe(this.userHandlers, userId, handler);
  }

  async publishUser(userId: string, event: NotificationEvent): Promise<void> {
    for (const handler of [...(this.userHandlers.get(userId) ?? [])]) handler(event);
  }

  private readonly present = new Map<string, Exclude<PresenceState, 'offline'>>();

  async setPresence(userId: string, state: Exclude<PresenceState, 'offline'> | null): Promise<void> {
    if (state) this.present.set(userId, state);
    else this.present.delete(userId);
  }

  async presence(userIds: string[]): Promise<Map<string, Exclude<PresenceState, 'offline'>>> {
    return new Map(userIds.flatMap((id) => {
      const state = this.present.get(id);
      return state ? [[id, state] as const] : [];
    }));
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.roomHandlers.clear();
    this.userHandlers.clear();
  }
}

function subscribe<E>(map: Map<string, Set<(event: E) => void>>, key: string, handler: (event: E) => void) {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(handler);
  return async () => {
    set.delete(handler);
    if (set.size === 0 && map.get(key) === set) map.delete(key);
  };
}
