/**
 * The live rooms of this process and their link to the other processes.
 *
 * Each process keeps the participants connected to it, plus a mirror of
 * those connected elsewhere (from the bus's seats and events). Local
 * participants are told about everything directly; other processes learn
 * through the bus. The bus is at most once: the seats are re-read every few
 * seconds and after an outage, and chat gaps are filled from the database.
 */
import type { FastifyBaseLogger } from 'fastify';
import { CloseCode, type ChatMessage, type MediaState, type PeerInfo, type Reaction, type SignalPayload } from '../../shared/protocol.ts';
import type { ChatRepo } from '../repos/chat.ts';
import type { Bus, RoomEvent, RoomMember } from './bus.ts';
import { LiveRoom, send, type Participant } from './live-room.ts';
import type { PeerSocket } from './socket.ts';

/** How often the seats of each open room are re-read from the bus, in milliseconds. */
const SEAT_RESYNC_INTERVAL_MS = 5_000;
/** Chat messages fetched from the database per page when filling a gap. */
const CHAT_CATCH_UP_LIMIT = 500;
/** Most pages fetched in one catch-up; clients fetch anything beyond with `history`. */
const CHAT_CATCH_UP_MAX_PAGES = 10;

export type RelayResult = 'sent' | 'unknown-peer' | 'peer-unavailable';

/**
 * How a participant entered: a new seat, their own seat taken back (still
 * held here after a dropped connection), or none because the room is full.
 */
export type EnterResult = 'seated' | 'took-back' | 'full';

interface OpenRoom {
  live: LiveRoom;
  ready: Promise<void>;
  unsubscribe?: () => Promise<void>;
}

export class RoomHub {
  readonly capacity: number;
  private readonly rooms = new Map<string, OpenRoom>();
  private readonly resync: ReturnType<typeof setInterval> | undefined;
  private readonly bus: Bus;
  private readonly chat: Pick<ChatRepo, 'lastSeq' | 'after'>;
  private readonly log: FastifyBaseLogger;

  constructor(bus: Bus, chat: Pick<ChatRepo, 'lastSeq' | 'after'>, capacity: number, log: FastifyBaseLogger) {
    this.bus = bus;
    this.chat = chat;
    this.capacity = capacity;
    this.log = log;
    bus.onStatusChange((connected) => {
      if (connected) for (const { live } of this.rooms.values()) void this.catchUp(live);
    });
    // A single process has no remote members: re-syncing every room would be
    // a periodic stall for nothing.
    if (bus.shared) {
      this.resync = setInterval(() => {
        for (const { live } of this.rooms.values()) void this.syncSeats(live);
      }, SEAT_RESYNC_INTERVAL_MS);
      this.resync.unref();
    }
  }

  get nodeId(): string {
    return this.bus.nodeId;
  }

  get(roomId: string): LiveRoom | undefined {
    return this.rooms.get(roomId)?.live;
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  /** Seats this process answers for, in every room. */
  get participantCount(): number {
    let count = 0;
    for (const { live } of this.rooms.values()) count += live.localCount;
    return count;
  }

  /** The live room, subscribed to its events and mirroring its remote members. */
  async open(room: { id: string; name: string }): Promise<LiveRoom> {
    let entry = this.rooms.get(room.id);
    if (!entry) {
      const live = new LiveRoom(room.id, room.name, this.capacity);
      const created: OpenRoom = { live, ready: Promise.resolve() };
      created.ready = (async () => {
        try {
          created.unsubscribe = await this.bus.subscribeRoom(room.id, (event) => this.onEvent(live, event));
        } catch (error) {
          // Without the bus the room still works within this process.
          this.log.warn({ err: error, roomId: room.id }, 'room events unavailable from other processes');
        }
        await this.syncSeats(live);
        // Chat from other processes is delivered from here on; earlier messages come with `joined`.
        live.deliveredSeq = await this.chat.lastSeq(room.id).catch(() => undefined);
      })();
      entry = created;
      this.rooms.set(room.id, entry);
    }
    await entry.ready;
    return entry.live;
  }

  /**
   * Seats a participant connected here. With `resumed`, a seat this process
   * still holds for the same peer id is taken back (an older socket still
   * open on it is closed with 4011) and the room's capacity is not checked
   * again; otherwise a seat is claimed, counted across processes when the
   * bus is shared. `replacing` seats of theirs are let go once they are in
   * (see `evictBeyond`), so those do not count against the capacity.
   */
  async enter(live: LiveRoom, peer: PeerInfo, socket: PeerSocket, resumed: boolean, replacing = 0): Promise<EnterResult> {
    const own = resumed ? live.get(peer.peerId) : undefined;
    if (own && own.where !== 'remote') {
      const previous = own.where === 'local' ? own.socket : undefined;
      live.seatHere(peer, socket);
      previous?.close(CloseCode.replaced, 'replaced by a newer connection');
      return 'took-back';
    }
    let claimed: boolean;
    try {
      claimed = await this.bus.claimSeat(live.id, this.member(peer), live.capacity + replacing);
    } catch (error) {
      // The bus is down: fall back to what this process can see.
      this.log.warn({ err: error, roomId: live.id }, 'seat not shared with other processes');
      claimed = live.get(peer.peerId) !== undefined || live.size < live.capacity + replacing;
    }
    if (!claimed) return 'full';
    live.seatHere(peer, socket);
    return 'seated';
  }

  /** Tells everyone that a participant joined, or — when they took their seat back — that their media may have changed. */
  announce(live: LiveRoom, peer: PeerInfo, entered: Exclude<EnterResult, 'full'>): void {
    if (entered === 'took-back') {
      this.mediaChanged(live, peer.peerId, peer.media);
      return;
    }
    live.broadcast({ type: 'peer-joined', peer }, peer.peerId);
    void this.bus.publishRoom(live.id, { kind: 'joined', node: this.nodeId, member: this.member(peer) });
  }

  /** Removes a participant seated here for good and tells everyone. */
  leave(live: LiveRoom, peerId: string): void {
    const seat = live.get(peerId);
    if (!seat || seat.where === 'remote') return;
    live.remove(peerId);
    live.broadcast({ type: 'peer-left', peerId });
    void this.bus.releaseSeat(live.id, peerId, this.nodeId).catch(() => undefined);
    void this.bus.publishRoom(live.id, { kind: 'left', node: this.nodeId, peerId });
    this.closeIfIdle(live);
  }

  mediaChanged(live: LiveRoom, peerId: string, media: MediaState): void {
    live.setMedia(peerId, media);
    live.broadcast({ type: 'peer-media', peerId, media }, peerId);
    void this.bus.publishRoom(live.id, { kind: 'media', node: this.nodeId, peerId, media });
  }

  /**
   * Delivers a signal to a peer here or on another process: a result at once
   * for a peer on this process, a promise only when the bus carries it.
   */
  relay(live: LiveRoom, from: string, to: string, payload: SignalPayload): RelayResult | Promise<RelayResult> {
    const target = live.get(to);
    if (!target || to === from) return 'unknown-peer';
    if (target.where === 'local') {
      send(target.socket, { type: 'signal', from, payload });
      return 'sent';
    }
    // Held: their connection dropped and they may come back shortly. Remote:
    // fail visibly when the bus cannot carry it.
    if (target.where === 'held' || !this.bus.connected) return 'peer-unavailable';
    return this.bus.publishRoom(live.id, { kind: 'signal', node: this.nodeId, from, to, payload }).then((sent) => (sent ? 'sent' : 'peer-unavailable'));
  }

  /**
   * The owner's word to one participant, wherever they are connected:
   * `remove` closes their connection (4012), `mute` asks their page to mute.
   * False when there is nobody with that peer id in the room.
   */
  moderate(live: LiveRoom, peerId: string, action: 'remove' | 'mute', by: string): boolean {
    const target = live.get(peerId);
    if (!target) return false;
    if (target.where === 'remote') void this.bus.publishRoom(live.id, { kind: 'moderate', node: this.nodeId, peerId, action, by });
    else this.applyModeration(live, peerId, action, by);
    return true;
  }

  /**
   * One account, `max` seats: when `userId` takes a new seat (`keep`), their
   * oldest others are let go (closed with 4011), here or on another process.
   */
  evictBeyond(live: LiveRoom, userId: string, keep: string, max: number): void {
    for (const seat of this.seatsBeyond(live, userId, keep, max)) {
      if (seat.where === 'remote') void this.bus.publishRoom(live.id, { kind: 'evict', node: this.nodeId, peerId: seat.peer.peerId });
      else this.evictHere(live, seat.peer.peerId);
    }
  }

  /**
   * The seats `userId` holds besides `keep` that one more seat of theirs
   * would put over `max`, oldest first: a seat held for a resume after a
   * dropped connection, another tab, another device.
   */
  seatsBeyond(live: LiveRoom, userId: string, keep: string, max: number): Participant[] {
    const others = live.all().filter((seat) => seat.peer.userId === userId && seat.peer.peerId !== keep);
    return others.slice(0, Math.max(0, others.length - (max - 1)));
  }

  /** The room was deleted: everyone in its call, on every process, is let go (4004). */
  end(roomId: string): void {
    const live = this.get(roomId);
    if (live) this.endHere(live);
    void this.bus.publishRoom(roomId, { kind: 'ended', node: this.nodeId });
  }

  /** Shows a reaction to everyone else in the room, here and elsewhere. */
  react(live: LiveRoom, peerId: string, reaction: Reaction): void {
    live.broadcast({ type: 'reaction', peerId, reaction }, peerId);
    void this.bus.publishRoom(live.id, { kind: 'reaction', node: this.nodeId, peerId, reaction });
  }

  /** Shows a stored chat message to everyone, here and elsewhere. */
  chatStored(live: LiveRoom, message: ChatMessage): void {
    live.deliveredSeq = Math.max(live.deliveredSeq ?? 0, message.seq);
    live.broadcast({ type: 'chat', message });
    void this.bus.publishRoom(live.id, { kind: 'chat', node: this.nodeId, message });
  }

  /** Drops the room from this process when nobody here is in it any more. */
  closeIfIdle(live: LiveRoom): void {
    const entry = this.rooms.get(live.id);
    if (!entry || entry.live !== live || live.localCount > 0) return;
    this.rooms.delete(live.id);
    void entry.ready.then(() => entry.unsubscribe?.()).catch(() => undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.resync);
  }

  private applyModeration(live: LiveRoom, peerId: string, action: 'remove' | 'mute', by: string): void {
    const socket = live.socketOf(peerId);
    if (action === 'mute') {
      if (socket) send(socket, { type: 'mute-request', by });
      return;
    }
    socket?.close(CloseCode.removed, 'removed by the owner');
    this.leave(live, peerId);
  }

  private evictHere(live: LiveRoom, peerId: string): void {
    live.socketOf(peerId)?.close(CloseCode.replaced, 'joined again elsewhere');
    this.leave(live, peerId);
  }

  private endHere(live: LiveRoom): void {
    for (const seat of live.all()) {
      if (seat.where === 'remote') continue;
      if (seat.where === 'local') seat.socket.close(CloseCode.roomNotFound, 'room deleted');
      this.leave(live, seat.peer.peerId);
    }
  }

  private member(peer: PeerInfo): RoomMember {
    return { ...peer, node: this.nodeId };
  }

  private onEvent(live: LiveRoom, event: RoomEvent): void {
    if (event.node === this.nodeId) return;
    switch (event.kind) {
      case 'joined':
        return this.mirror(live, event.member);
      case 'left': {
        const gone = live.get(event.peerId);
        if (gone?.where !== 'remote' || gone.node !== event.node) return;
        live.remove(event.peerId);
        live.broadcast({ type: 'peer-left', peerId: event.peerId });
        return;
      }
      case 'media': {
        const peer = live.get(event.peerId);
        if (peer?.where !== 'remote' || peer.node !== event.node) return;
        live.setMedia(event.peerId, event.media);
        live.broadcast({ type: 'peer-media', peerId: event.peerId, media: event.media }, event.peerId);
        return;
      }
      case 'signal': {
        const socket = live.socketOf(event.to);
        if (socket) send(socket, { type: 'signal', from: event.from, payload: event.payload });
        return;
      }
      case 'chat':
        void this.deliverChat(live, event.message);
        return;
      case 'reaction':
        if (live.get(event.peerId)?.where === 'remote') live.broadcast({ type: 'reaction', peerId: event.peerId, reaction: event.reaction }, event.peerId);
        return;
      case 'moderate':
        if (live.get(event.peerId)?.where !== 'remote') this.applyModeration(live, event.peerId, event.action, event.by);
        return;
      case 'evict':
        if (live.get(event.peerId)?.where !== 'remote') this.evictHere(live, event.peerId);
        return;
      case 'ended':
        this.endHere(live);
        return;
    }
  }

  /**
   * A participant seated on another process. The same peer id already known
   * is a resume elsewhere: everyone keeps their peer connection, and a seat
   * this process held for them (or an old socket still open here) ends.
   */
  private mirror(live: LiveRoom, member: RoomMember): void {
    const { node, ...peer } = member;
    const known = live.get(peer.peerId);
    if (known?.where === 'local') known.socket.close(CloseCode.replaced, 'replaced by a newer connection');
    live.seatElsewhere(peer, node);
    if (known) live.broadcast({ type: 'peer-media', peerId: peer.peerId, media: peer.media }, peer.peerId);
    else live.broadcast({ type: 'peer-joined', peer }, peer.peerId);
    if (known && known.where !== 'remote') this.closeIfIdle(live);
  }

  /**
   * Brings the mirror of remote members in line with the bus's seats. A
   * member missing from the seats is dropped only when still missing at the
   * next re-sync: after a Redis restart the other processes need a moment to
   * seat their participants again.
   */
  private async syncSeats(live: LiveRoom): Promise<void> {
    let members: RoomMember[];
    try {
      members = await this.bus.members(live.id);
    } catch {
      return; // bus down: keep what we have until it is back
    }
    const remote = new Map(members.filter((m) => m.node !== this.nodeId).map((m) => [m.peerId, m]));
    for (const seat of live.all()) {
      if (seat.where !== 'remote') continue;
      if (remote.has(seat.peer.peerId)) {
        seat.missing = false;
      } else if (!seat.missing) {
        seat.missing = true;
      } else {
        live.remove(seat.peer.peerId);
        live.broadcast({ type: 'peer-left', peerId: seat.peer.peerId });
      }
    }
    for (const member of remote.values()) {
      const known = live.get(member.peerId);
      if (!known || known.where !== 'remote' || known.node !== member.node) this.mirror(live, member);
    }
  }

  /** Delivers a chat message from another process, filling any gap from the database first. */
  private async deliverChat(live: LiveRoom, message: ChatMessage): Promise<void> {
    live.deliveredSeq ??= message.seq - 1;
    if (message.seq > live.deliveredSeq + 1) await this.catchUpChat(live, message.seq - 1);
    live.deliveredSeq = Math.max(live.deliveredSeq, message.seq);
    live.broadcast({ type: 'chat', message });
  }

  /** Delivers stored messages this process has not passed on yet (clients drop duplicates by seq). */
  private async catchUpChat(live: LiveRoom, upTo = Number.MAX_SAFE_INTEGER): Promise<void> {
    try {
      live.deliveredSeq ??= await this.chat.lastSeq(live.id);
      for (let page = 0; page < CHAT_CATCH_UP_MAX_PAGES; page += 1) {
        const missed = await this.chat.after(live.id, live.deliveredSeq, CHAT_CATCH_UP_LIMIT);
        for (const message of missed) {
          if (message.seq > upTo) return;
          live.deliveredSeq = Math.max(live.deliveredSeq, message.seq);
          live.broadcast({ type: 'chat', message });
        }
        if (missed.length < CHAT_CATCH_UP_LIMIT) return;
      }
    } catch (error) {
      this.log.warn({ err: error, roomId: live.id }, 'chat catch-up failed');
    }
  }

  /** After a bus outage: seat our own participants again, re-read the others, deliver chat sent meanwhile. */
  private async catchUp(live: LiveRoom): Promise<void> {
    for (const seat of live.all()) {
      if (seat.where === 'remote') continue;
      // Already seated: no capacity check (Redis may have lost the seats in a restart).
      await this.bus.claimSeat(live.id, this.member(seat.peer), Number.MAX_SAFE_INTEGER).catch(() => undefined);
    }
    await this.syncSeats(live);
    await this.catchUpChat(live);
  }
}
