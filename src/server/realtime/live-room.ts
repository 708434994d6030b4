/** The people in one room right now, as this process knows them, and how messages reach them. */
import { CloseCode, type MediaState, type PeerInfo, type ServerMessage } from '../../shared/protocol.ts';
import type { PeerSocket } from './socket.ts';

/**
 * A reader this far behind is not keeping up; its socket is closed rather
 * than letting the server buffer without bound, in bytes.
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * One seat in a room. Where its participant is connected decides what the
 * seat holds: a socket here, a timer while a dropped connection may resume
 * here, or the process that has the socket.
 */
export type Participant =
  /** Connected to this process. */
  | { where: 'local'; peer: PeerInfo; socket: PeerSocket }
  /** Was connected here; the connection dropped and the seat waits for a resume until the timer ends it. */
  | { where: 'held'; peer: PeerInfo; expiry: ReturnType<typeof setTimeout> }
  /** Connected to another process. `missing`: absent from the shared seats at the last re-sync. */
  | { where: 'remote'; peer: PeerInfo; node: string; missing: boolean };

export function send(socket: PeerSocket, message: ServerMessage): void {
  if (socket.bufferedAmount > MAX_BUFFERED_BYTES) socket.close(CloseCode.policy, 'slow reader');
  else socket.send(JSON.stringify(message));
}

export class LiveRoom {
  readonly id: string;
  readonly name: string;
  readonly capacity: number;
  /**
   * Highest chat sequence number delivered to this process's participants;
   * undefined until known (the room's last number when it opened here).
   */
  deliveredSeq: number | undefined;
  private readonly seats = new Map<string, Participant>();

  constructor(id: string, name: string, capacity: number) {
    this.id = id;
    this.name = name;
    this.capacity = capacity;
  }

  get size(): number {
    return this.seats.size;
  }

  /** Seats this process answers for: connected here, or held here for a resume. */
  get localCount(): number {
    let count = 0;
    for (const seat of this.seats.values()) if (seat.where !== 'remote') count += 1;
    return count;
  }

  get(peerId: string): Participant | undefined {
    return this.seats.get(peerId);
  }

  all(): Participant[] {
    return [...this.seats.values()];
  }

  /** The socket of a participant connected here, if `peerId` is one. */
  socketOf(peerId: string): PeerSocket | undefined {
    const seat = this.seats.get(peerId);
    return seat?.where === 'local' ? seat.socket : undefined;
  }

  /** Seats a participant connected here; a seat they held (here or elsewhere) becomes theirs again. */
  seatHere(peer: PeerInfo, socket: PeerSocket): void {
    this.replace(peer.peerId, { where: 'local', peer, socket });
  }

  /** Mirrors a participant connected to another process. */
  seatElsewhere(peer: PeerInfo, node: string): void {
    this.replace(peer.peerId, { where: 'remote', peer, node, missing: false });
  }

  /**
   * Holds the seat of a participant whose connection here dropped: the others
   * keep them in their roster (and their peer connection) for `graceMs`, then
   * `onExpire` runs unless they came back meanwhile.
   */
  hold(peerId: string, graceMs: number, onExpire: () => void): void {
    const seat = this.seats.get(peerId);
    if (!seat || seat.where === 'remote') return;
    const held: Participant = {
      where: 'held',
      peer: seat.peer,
      expiry: setTimeout(() => {
        if (this.seats.get(peerId) === held) onExpire();
      }, graceMs),
    };
    held.expiry.unref?.();
    this.replace(peerId, held);
  }

  setMedia(peerId: string, media: MediaState): void {
    const seat = this.seats.get(peerId);
    if (seat) seat.peer = { ...seat.peer, media };
  }

  /** Removes a seat; false when there was none. */
  remove(peerId: string): boolean {
    return this.replace(peerId, undefined);
  }

  /** Everyone except `exceptPeerId`, as the protocol describes them. */
  peers(exceptPeerId?: string): PeerInfo[] {
    return this.all().filter((seat) => seat.peer.peerId !== exceptPeerId).map((seat) => seat.peer);
  }

  /** Sends to everyone connected here, except `exceptPeerId`. */
  broadcast(message: ServerMessage, exceptPeerId?: string): void {
    // Copied first: a send may close a socket, and closing changes the seats.
    for (const seat of this.all()) {
      if (seat.where === 'local' && seat.peer.peerId !== exceptPeerId) send(seat.socket, message);
    }
  }

  private replace(peerId: string, next: Participant | undefined): boolean {
    const previous = this.seats.get(peerId);
    if (previous?.where === 'held') clearTimeout(previous.expiry);
    if (next) this.seats.set(peerId, next);
    else this.seats.delete(peerId);
    return previous !== undefined;
  }
}
