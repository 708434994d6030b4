/**
 * Ringing: a call to someone who is online rings on their pages until they
 * accept or decline, or it times out as missed. Both sides hear how it ended.
 */
import type { Bus } from '../realtime/bus.ts';
import type { Ring as RingView } from '../../shared/api.ts';
import type { Ring, RingsRepo, RingState } from '../repos/rings.ts';

/** How a ring looks to one of its two people. */
export function ringView(ring: Ring, userId: string): RingView {
  return {
    id: ring.id,
    roomId: ring.roomId,
    roomName: ring.roomName,
    fromUsername: ring.fromUsername,
    toUsername: ring.toUsername,
    outgoing: ring.fromUserId === userId,
    createdAt: ring.createdAt,
    state: ring.state,
  };
}

export function createRinger(ctx: { rings: RingsRepo; bus: Bus; ringMs: number }) {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const tellBoth = async (ring: Ring) => {
    for (const userId of [ring.fromUserId, ring.toUserId]) {
      await ctx.bus.publishUser(userId, { type: 'ring-ended', ring: ringView(ring, userId) }).catch(() => undefined);
    }
  };

  const end = async (id: string, state: Exclude<RingState, 'ringing'>): Promise<Ring | undefined> => {
    clearTimeout(timers.get(id));
    timers.delete(id);
    const ended = await ctx.rings.end(id, state);
    if (ended) await tellBoth(ended);
    return ended;
  };

  return {
    /** Rings `toUserId` about a room now; missed unless answered within the timeout. */
    async ring(input: { roomId: string; fromUserId: string; toUserId: string }): Promise<Ring> {
      const ring = await ctx.rings.create(input);
      await ctx.bus.publishUser(ring.toUserId, { type: 'ring', ring: ringView(ring, ring.toUserId) });
      const timer = setTimeout(() => void end(ring.id, 'missed').catch(() => undefined), ctx.ringMs);
      timer.unref();
      timers.set(ring.id, timer);
      return ring;
    },

    /** The callee's answer; undefined when the ring is not theirs or already ended. */
    async answer(id: string, userId: string, accept: boolean): Promise<Ring | undefined> {
      const ring = await ctx.rings.find(id);
      if (!ring || ring.toUserId !== userId || ring.state !== 'ringing') return undefined;
      return end(id, accept ? 'accepted' : 'declined');
    },

    /** Answering a room's invitation some other way (its card) answers the calls ringing about it too. */
    async answerRoom(roomId: string, userId: string, accept: boolean): Promise<void> {
      for (const ring of await ctx.rings.ringingFor(userId)) {
        if (ring.roomId === roomId) await end(ring.id, accept ? 'accepted' : 'declined');
      }
    },

    close(): void {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}

export type Ringer = ReturnType<typeof createRinger>;
