/**
 * Who is here: a user with a page open (an event stream or a signalling
 * socket) is online, one seated in a call is in a call. Each process counts
 * its own users' connections and seats, shares its view through the bus, and
 * tells the people who share a room with a user when that user's presence
 * changes.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { PresenceState } from '../../shared/api.ts';
import type { Bus } from './bus.ts';

type Here = Exclude<PresenceState, 'offline'>;

export class Presence {
  private readonly counts = new Map<string, { connections: number; seats: number }>();
  private readonly bus: Bus;
  private readonly contactsOf: (userId: string) => Promise<string[]>;
  private readonly log: FastifyBaseLogger;

  constructor(bus: Bus, contactsOf: (userId: string) => Promise<string[]>, log: FastifyBaseLogger) {
    this.bus = bus;
    this.contactsOf = contactsOf;
    this.log = log;
  }

  /** A page of this user's opened; call the returned function when it closes. */
  connected(userId: string): () => void {
    return this.count(userId, 'connections');
  }

  /** This user took a seat in a call; call the returned function when they leave it. */
  seated(userId: string): () => void {
    return this.count(userId, 'seats');
  }

  /** How these users are now, across processes. */
  async of(userIds: string[]): Promise<Map<string, PresenceState>> {
    const here = await this.bus.presence(userIds).catch(() => new Map<string, Here>());
    return new Map(userIds.map((id) => [id, here.get(id) ?? this.localState(id) ?? 'offline']));
  }

  private localState(userId: string): Here | undefined {
    const count = this.counts.get(userId);
    if (!count) return undefined;
    return count.seats > 0 ? 'in-call' : 'online';
  }

  private count(userId: string, kind: 'connections' | 'seats'): () => void {
    const before = this.localState(userId);
    const count = this.counts.get(userId) ?? { connections: 0, seats: 0 };
    count[kind] += 1;
    this.counts.set(userId, count);
    this.changed(userId, before);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const was = this.localState(userId);
      count[kind] -= 1;
      if (count.connections === 0 && count.seats === 0) this.counts.delete(userId);
      this.changed(userId, was);
    };
  }

  private changed(userId: string, before: Here | undefined): void {
    const now = this.localState(userId);
    if (now === before) return;
    void (async () => {
      await this.bus.setPresence(userId, now ?? null);
      const presence = (await this.of([userId])).get(userId) ?? 'offline';
      for (const contact of await this.contactsOf(userId)) {
        await this.bus.publishUser(contact, { type: 'presence', userId, presence });
      }
    })().catch((err: unknown) => this.log.warn({ err, userId }, 'presence not shared'));
  }
}
