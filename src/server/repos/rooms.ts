import type { Db } from '../db/database.ts';
import { randomId } from '../ids.ts';

export interface Room {
  id: string;
  name: string;
  ownerId: string;
  createdAt: number;
}

export type RoomsRepo = ReturnType<typeof createRoomsRepo>;

export function createRoomsRepo(db: Db) {
  const columns = ['rooms.id', 'rooms.name', 'rooms.owner_id', 'rooms.created_at'] as const;
  const toRoom = (r: { id: string; name: string; owner_id: string; created_at: number }): Room => ({
    id: r.id,
    name: r.name,
    ownerId: r.owner_id,
    createdAt: r.created_at,
  });

  return {
    /** Creates a room with an unguessable id; its owner is its first member. */
    async create(name: string, ownerId: string, now = Date.now()): Promise<Room> {
      const room = { id: randomId(), name, owner_id: ownerId, created_at: now, last_seq: 0 };
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('rooms').values(room).execute();
        await tx.insertInto('room_members').values({ room_id: room.id, user_id: ownerId, joined_at: now }).execute();
      });
      return toRoom(room);
    },

    async find(id: string): Promise<Room | undefined> {
      const row = await db.selectFrom('rooms').select(columns).where('id', '=', id).executeTakeFirst();
      return row && toRoom(row);
    },

    /** The rooms a user belongs to, newest first. */
    async listForUser(userId: string, limit = 100): Promise<Room[]> {
      const rows = await db
        .selectFrom('rooms')
        .innerJoin('room_members', 'room_members.room_id', 'rooms.id')
        .select(columns)
        .where('room_members.user_id', '=', userId)
        .orderBy('room_members.joined_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toRoom);
    },

    async isMember(roomId: string, userId: string): Promise<boolean> {
      const row = await db
        .selectFrom('room_members')
        .select('user_id')
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Makes a user a member; a no-op when they already are. */
    async addMember(roomId: string, userId: string, now = Date.now()): Promise<void> {
      await db
        .insertInto('room_members')
        .values({ room_id: roomId, user_id: userId, joined_at: now })
        .onConflict((oc) => oc.columns(['room_id', 'user_id']).doNothing())
        .execute();
    },
  };
}
