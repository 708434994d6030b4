/** Live rooms, created when the first participant joins and dropped when the last leaves. */
import { LiveRoom } from './live-room.js';

export class RoomRegistry {
  private readonly rooms = new Map<string, LiveRoom>();

  constructor(private readonly capacity: number) {}

  obtain(room: { id: string; name: string }): LiveRoom {
    let live = this.rooms.get(room.id);
    if (!live) {
      live = new LiveRoom(room.id, room.name, this.capacity);
      this.rooms.set(room.id, live);
    }
    return live;
  }

  get(roomId: string): LiveRoom | undefined {
    return this.rooms.get(roomId);
  }

  /** Forgets the room if nobody is left in it. */
  release(room: LiveRoom): void {
    if (room.size === 0 && this.rooms.get(room.id) === room) this.rooms.delete(room.id);
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  get participantCount(): number {
    let count = 0;
    for (const room of this.rooms.values()) count += room.size;
    return count;
  }
}
