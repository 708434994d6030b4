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
  /** Null while the participant's connection is down and their seat is held for a resume. */
  socket: PeerSocket | null;
  /** Ends a held seat when the participant does not come back in time. */
  graceTimer?: ReturnType<typeof setTimeout>;
}

export function send(socket: PeerSocket, message: ServerMessage): void {
  if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
    socket.close(1008, 'slow reader');
    return;
  }
  socket.send(JSON.stringify(message));
}

/** A participant as the protocol describes them to others. */
export function describe({ peerId, userId, username, media }: Participant): PeerInfo {
  return { peerId, userId, username, media };
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
    const participant = this.participants.get(peerId);
    if (participant?.graceTimer) clearTimeout(participant.graceTimer);
    return this.participants.delete(peerId);
  }

  /**
   * Holds a participant's seat after their connection dropped: others keep
   * them in their roster (and their peer connection) for `graceMs`, then
   * `onExpire` runs unless they resumed.
   */
  hold(participant: Participant, graceMs: number, onExpire: () => void): void {
    participant.socket = null;
    if (participant.graceTimer) clearTimeout(participant.graceTimer);
    participant.graceTimer = setTimeout(onExpire, graceMs);
    participant.graceTimer.unref?.();
  }

  /** Gives a held (or still open) seat a new socket. */
  reattach(participant: Participant, socket: PeerSocket): void {
    if (participant.graceTimer) clearTimeout(participant.graceTimer);
    participant.graceTimer = undefined;
    participant.socket = socket;
  }

  get(peerId: string): Participant | undefined {
    return this.participants.get(peerId);
  }

  /** Everyone except `exceptPeerId`, as the protocol describes them. */
  peers(exceptPeerId?: string): PeerInfo[] {
    return [...this.participants.values()]
      .filter((p) => p.peerId !== exceptPeerId)
      .map(describe);
  }

  broadcast(message: ServerMessage, exceptPeerId?: string): void {
    const text = JSON.stringify(message);
    // Copy the recipients first: a send may close a socket and change the map.
    for (const { peerId, socket } of [...this.participants.values()]) {
      if (peerId === exceptPeerId || !socket) continue;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) socket.close(1008, 'slow reader');
      else socket.send(text);
    }
  }
}
