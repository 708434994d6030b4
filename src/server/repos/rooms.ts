import type { Db } from '../db/database.ts';
import { randomId } from '../ids.ts';

export interface Room {
  id: string;
  name: string;
  ownerId: string;
  createdAt: number;
  /** Only members may join the call. */
  locked: boolean;
  /** Chat messages older than this many days are deleted; null keeps them. */
  chatRetentionDays: number | null;
  /** When the guest link stops working; null when there is none. */
  guestLinkExpiresAt: number | null;
}

export type RoomsRepo = ReturnType<typeof createRoomsRepo>;

type RoomRow = { id: string; name: string; owner_id: string; created_at: number; locked: number; chat_retention_days: number | null; guest_expires_at: number | null };

const columns = ['rooms.id', 'rooms.name', 'rooms.owner_id', 'rooms.created_at', 'rooms.locked', 'rooms.chat_retention_days', 'rooms.guest_expires_at'] as const;

const toRoom = (r: RoomRow): Room => ({
  id: r.id,
  name: r.name,
  ownerId: r.owner_id,
  createdAt: r.created_at,
  locked: Number(r.locked) === 1,
  chatRetentionDays: r.chat_retention_days === null ? null : Number(r.chat_retention_days),
  guestLinkExpiresAt: r.guest_expires_at === null ? null : Number(r.guest_expires_at),
});

export function createRoomsRepo(db: Db) {
  return {
    /** Creates a room with an unguessable id; its owner is its first member. */
    async create(name: string, ownerId: string, now = Date.now()): Promise<Room> {
      const room = { id: randomId(), name, owner_id: ownerId, created_at: now, last_seq: 0, locked: 0, chat_retention_days: null, guest_token_hash: null, guest_expires_at: null };
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

    /** Everyone who belongs to a room, longest-standing first. */
    async memberIds(roomId: string): Promise<string[]> {
      const rows = await db.selectFrom('room_members').select('user_id').where('room_id', '=', roomId).orderBy('joined_at').execute();
      return rows.map((r) => r.user_id);
    },

    /** Everyone who shares a room with a user (themselves excluded), with their names. */
    async contacts(userId: string): Promise<Array<{ userId: string; username: string }>> {
      return db
        .selectFrom('room_members as mine')
        .innerJoin('room_members as theirs', 'theirs.room_id', 'mine.room_id')
        .innerJoin('users', 'users.id', 'theirs.user_id')
        .select(['users.id as userId', 'users.username as username'])
        .distinct()
        .where('mine.user_id', '=', userId)
        .where('theirs.user_id', '!=', userId)
        .orderBy('users.username')
        .limit(500)
        .execute();
    },

    /** Makes a user a member; a no-op when they already are. */
    async addMember(roomId: string, userId: string, now = Date.now()): Promise<void> {
      await db
        .insertInto('room_members')
        .values({ room_id: roomId, user_id: userId, joined_at: now })
        .onConflict((oc) => oc.columns(['room_id', 'user_id']).doNothing())
        .execute();
    },

    /** Ends a user's membership (leaving, or removed by the owner). */
    async removeMember(roomId: string, userId: string): Promise<void> {
      await db.deleteFrom('room_members').where('room_id', '=', roomId).where('user_id', '=', userId).execute();
    },

    /** The owner's settings; only what is given changes. */
    async update(roomId: string, change: { name?: string; locked?: boolean; chatRetentionDays?: number | null }): Promise<void> {
      const set: { name?: string; locked?: number; chat_retention_days?: number | null } = {};
      if (change.name !== undefined) set.name = change.name;
      if (change.locked !== undefined) set.locked = change.locked ? 1 : 0;
      if (change.chatRetentionDays !== undefined) set.chat_retention_days = change.chatRetentionDays;
      if (Object.keys(set).length > 0) await db.updateTable('rooms').set(set).where('id', '=', roomId).execute();
    },

    /** Hands the room to another member. */
    async transfer(roomId: string, ownerId: string): Promise<void> {
      await db.updateTable('rooms').set({ owner_id: ownerId }).where('id', '=', roomId).execute();
    },

    /** Deletes a room with its memberships, invitations, rings and chat (by cascade). */
    async delete(roomId: string): Promise<void> {
      await db.deleteFrom('rooms').where('id', '=', roomId).execute();
    },

    /** Sets (a token's hash and its expiry) or revokes (null) the room's guest link. */
    async setGuestLink(roomId: string, link: { tokenHash: string; expiresAt: number } | null): Promise<void> {
      await db.updateTable('rooms').set({ guest_token_hash: link?.tokenHash ?? null, guest_expires_at: link?.expiresAt ?? null }).where('id', '=', roomId).execute();
    },

    /** The room a guest link opens, while it has not expired or been revoked. */
    async findByGuestToken(tokenHash: string, now = Date.now()): Promise<Room | undefined> {
      const row = await db.selectFrom('rooms').select(columns).where('guest_token_hash', '=', tokenHash).where('guest_expires_at', '>', now).executeTakeFirst();
      return row && toRoom(row);
    },

    /** Rooms whose chat keeps messages for a limited time. */
    async withRetention(): Promise<Array<{ id: string; days: number }>> {
      const rows = await db.selectFrom('rooms').select(['id', 'chat_retention_days']).where('chat_retention_days', 'is not', null).execute();
      return rows.map((r) => ({ id: r.id, days: Number(r.chat_retention_days) }));
    },
  };
}
