/** The people in one room right now, and how messages reach them. */
import type { MediaState, PeerInfo, ServerMessage } from '../../shared/protocol.js';
import type { PeerSocket } from './socket.js';

/**
 * A reader this far behind is not keeping up; its socket is closed rather
 * than letting the server buffer without bound, in bytes.
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface Participant {
  peerId: string;
  userId: string;
  username: string;
  media: MediaState;
  socket: PeerSocket;
}

export function send(socket: PeerSocket, message: ServerMessage): void {
  if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
    socket.close(1008, 'slow reader');
    return;
  }
  socket.send(JSON.stringify(message));
}

export class LiveRoom {
  private readonly participants = new Map<string, Participant>();

  constructor(
    readonly id: string,
    readonly name: string,
    readonly capacity: number,
  ) {}

  get size(): number {
    return this.participants.size;
  }

  get isFull(): boolean {
    return this.participants.size >= this.capacity;
  }

  add(participant: Participant): void {
    this.participants.set(participant.peerId, participant);
  }

  /** Removes a participant; false when they were not here. */
  remove(peerId: string): boolean {
    return this.participants.delete(peerId);
  }

  get(peerId: string): Participant | undefined {
    return this.participants.get(peerId);
  }

  /** Everyone except `exceptPeerId`, as the protocol describes them. */
  peers(exceptPeerId?: string): PeerInfo[] {
    return [...this.participants.values()]
      .filter((p) => p.peerId !== exceptPeerId)
      .map(({ peerId, userId, username, media }) => ({ peerId, userId, username, media }));
  }

  broadcast(message: ServerMessage, exceptPeerId?: string): void {
    const text = JSON.stringify(message);
    // Copy the recipients first: a send may close a socket and change the map.
    for (const participant of [...this.participants.values()]) {
      if (participant.peerId === exceptPeerId) continue;
      if (participant.socket.bufferedAmount > MAX_BUFFERED_BYTES) participant.socket.close(1008, 'slow reader');
      else participant.socket.send(text);
    }
  }
}
