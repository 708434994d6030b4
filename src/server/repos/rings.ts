import type { Db } from '../db/database.ts';
import { randomId } from '../ids.ts';


export type RingState = 'ringing' | 'accepted' | 'declined' | 'missed';

export interface Ring {
  id: string;
  roomId: string;
  roomName: string;
  fromUserId: string;
  fromUsername: string;
  toUserId: string;
  toUsername: string;
  createdAt: number;
  state: RingState;
}

export type RingsRepo = ReturnType<typeof createRingsRepo>;

/**
 * Calls that ring on someone's dashboard. A ring still "ringing" past the
 * timeout reads as missed, whichever process (if any) was there to end it.
 */
export function createRingsRepo(db: Db, ringMs: number, clock: () => number = Date.now) {
  const query = () =>
    db
      .selectFrom('rings')
      .innerJoin('rooms', 'rooms.id', 'rings.room_id')
      .innerJoin('users as caller', 'caller.id', 'rings.from_user_id')
      .innerJoin('users as callee', 'callee.id', 'rings.to_user_id')
      .select([
        'rings.id as id',
        'rings.room_id as roomId',
        'rooms.name as roomName',
        'rings.from_user_id as fromUserId',
        'caller.username as fromUsername',
        'rings.to_user_id as toUserId',
        'callee.username as toUsername',
        'rings.created_at as createdAt',
        'rings.state as state',
      ]);
  const current = (ring: Ring, now: number): Ring => (ring.state === 'ringing' && now - ring.createdAt >= ringMs ? { ...ring, state: 'missed' } : ring);

  return {
    async create(input: { roomId: string; fromUserId: string; toUserId: string }, now = clock()): Promise<Ring> {
      const id = randomId();
      await db.insertInto('rings').values({ id, room_id: input.roomId, from_user_id: input.fromUserId, to_user_id: input.toUserId, created_at: now, state: 'ringing', ended_at: null }).execute();
      const ring = await query().where('rings.id', '=', id).executeTakeFirstOrThrow();
      return ring as Ring;
    },

    async find(id: string, now = clock()): Promise<Ring | undefined> {
      const ring = (await query().where('rings.id', '=', id).executeTakeFirst()) as Ring | undefined;
      return ring && current(ring, now);
    },

    /** Ends a ring still ringing; returns it as it is now, or undefined if it had already ended. */
    async end(id: string, state: Exclude<RingState, 'ringing'>, now = clock()): Promise<Ring | undefined> {
      const result = await db.updateTable('rings').set({ state, ended_at: now }).where('id', '=', id).where('state', '=', 'ringing').executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      return (await query().where('rings.id', '=', id).executeTakeFirst()) as Ring;
    },

    /** Recent calls I made or got, newest first, as they stand now. */
    async recentFor(userId: string, limit = 20, now = clock()): Promise<Ring[]> {
      const rows = (await query()
        .where((eb) => eb.or([eb('rings.from_user_id', '=', userId), eb('rings.to_user_id', '=', userId)]))
        .orderBy('rings.created_at', 'desc')
        .limit(limit)
        .execute()) as Ring[];
      return rows.map((ring) => current(ring, now));
    },

    /** Rings to a user that still ring now. */
    async ringingFor(userId: string, now = clock()): Promise<Ring[]> {
      const rows = (await query().where('rings.to_user_id', '=', userId).where('rings.state', '=', 'ringing').where('rings.created_at', '>', now - ringMs).execute()) as Ring[];
      return rows;
    },
  };
}
