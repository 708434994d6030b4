/** The people in one room right now, and how messages reach them. */
import { CloseCode, type MediaState, type PeerInfo, type ServerMessage } from '../../shared/protocol.ts';
import type { PeerSocket } from './socket.ts';

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
  /** The server process holding this participant's socket. */
  node: string;
  /** Null for participants on another process, and while a local seat is held for a resume. */
  socket: PeerSocket | null;
  /** For a participant on another process: absent from the shared seats at the last re-sync. */
  missing?: boolean;
  /** Ends a held seat when the participant does not come back in time. */
  graceTimer?: ReturnType<typeof setTimeout>;
}

export function send(socket: PeerSocket, message: ServerMessage): void {
  sendText(socket, JSON.stringify(message));
}

/** Sends an already serialised message, or closes a socket whose reader fell too far behind. */
export function sendText(socket: PeerSocket, text: string): void {
  if (socket.bufferedAmount > MAX_BUFFERED_BYTES) socket.close(CloseCode.policy, 'slow reader');
  else socket.send(text);
}

/** A participant as the protocol describes them to others. */
export function describe({ peerId, userId, username, media }: Participant): PeerInfo {
  return { peerId, userId, username, media };
}

export class LiveRoom {
  private readonly participants = new Map<string, Participant>();

  readonly id: string;
  readonly name: string;
  readonly capacity: number;
  constructor(
    id: string,
    name: string,
    capacity: number,
  ) {
    this.id = id;
    this.name = name;
    this.capacity = capacity;}

  /**
   * Highest chat sequence number delivered to this process's participants;
   * undefined until known (the room's last number when it opened here).
   */
  deliveredSeq: number | undefined;

  get size(): number {
    return this.participants.size;
  }

  /** Participants whose socket is (or was, while held) on this process. */
  localCount(node: string): number {
    let count = 0;
    for (const p of this.participants.values()) if (p.node === node) count += 1;
    return count;
  }

  all(): Participant[] {
    return [...this.participants.values()];
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

  /** The participant resumed on another process: they are remote now, and their held seat here ends. */
  reattachElsewhere(participant: Participant, node: string): void {
    if (participant.graceTimer) clearTimeout(participant.graceTimer);
    participant.graceTimer = undefined;
    if (participant.socket && participant.node !== node) participant.socket.close(CloseCode.replaced, 'replaced by a newer connection');
    participant.socket = null;
    participant.node = node;
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
      if (peerId !== exceptPeerId && socket) sendText(socket, text);
    }
  }
}
