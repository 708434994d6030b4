import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { randomId } from '../ids.ts';
import { DELETED_ACCOUNT_ID } from '../db/migrations/003_accounts.ts';
import { usernameSkeleton } from '../../shared/confusables.ts';

export interface User {
  id: string;
  username: string;
  /** Set for a guest: the one room they may enter. Guests cannot create rooms or invite. */
  guestRoomId?: string | null;
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;

/** Lower-cased after NFKC: the key that makes usernames unique regardless of case. */
export function usernameKey(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

export function createUsersRepo(db: Db) {
  return {
    /**
     * Inserts a user; returns undefined when the name is taken, or looks like
     * one that is ("ɑlice" for "alice": the same skeleton).
     */
    async create(username: string, passwordHash: string, now = Date.now()): Promise<User | undefined> {
      const id = randomId();
      const result = await db
        .insertInto('users')
        .values({ id, username, username_key: usernameKey(username), username_skeleton: usernameSkeleton(username), password_hash: passwordHash, created_at: now, guest_room_id: null, expires_at: null })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? { id, username } : undefined;
    },

    /**
     * A guest: a display name for one room, no password, until `expiresAt`.
     * Its key cannot be a username, so nobody signs in as it or invites it.
     */
    async createGuest(displayName: string, roomId: string, expiresAt: number, now = Date.now()): Promise<User> {
      const id = randomId();
      await db
        .insertInto('users')
        .values({ id, username: displayName, username_key: `guest:${id}`, username_skeleton: null, password_hash: '!', created_at: now, guest_room_id: roomId, expires_at: expiresAt })
        .execute();
      return { id, username: displayName, guestRoomId: roomId };
    },

    /** The guests a room's link let in. */
    async guestsOf(roomId: string): Promise<string[]> {
      const rows = await db.selectFrom('users').select('id').where('guest_room_id', '=', roomId).execute();
      return rows.map((r) => r.id);
    },

    /** Deletes guests whose time is over (their sessions go with them); their chat lines stay, shown as [deleted]. */
    async purgeExpiredGuests(now = Date.now()): Promise<void> {
      const expired = await db.selectFrom('users').select('id').where('expires_at', '<=', now).where('guest_room_id', 'is not', null).execute();
      for (const { id } of expired) await this.delete(id);
    },

    async findByUsername(username: string): Promise<(User & { passwordHash: string }) | undefined> {
      const row = await db
        .selectFrom('users')
        .select(['id', 'username', 'password_hash'])
        .where('username_key', '=', usernameKey(username))
        .where('id', '!=', DELETED_ACCOUNT_ID)
        .executeTakeFirst();
      return row && { id: row.id, username: row.username, passwordHash: row.password_hash };
    },

    async findById(id: string): Promise<User | undefined> {
      const row = await db.selectFrom('users').select(['id', 'username', 'guest_room_id']).where('id', '=', id).where('id', '!=', DELETED_ACCOUNT_ID).executeTakeFirst();
      return row && { id: row.id, username: row.username, guestRoomId: row.guest_room_id };
    },

    async passwordHash(id: string): Promise<string | undefined> {
      const row = await db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst();
      return row?.password_hash;
    },

    async setPasswordHash(id: string, passwordHash: string): Promise<void> {
      await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
    },

    /**
     * Deletes an account and what is only its own: sessions, memberships,
     * invitations (by cascade). Its chat messages are emptied and moved to the
     * placeholder account, keeping each room's sequence gap-free. Rooms it
     * created pass to their longest-standing other member, or go when it was alone.
     */
    async delete(id: string): Promise<void> {
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('chat_messages')
          .set({ user_id: DELETED_ACCOUNT_ID, text: '', client_id: sql<string>`'deleted:' || cast(seq as text)` })
          .where('user_id', '=', id)
          .execute();
        const owned = await tx.selectFrom('rooms').select('id').where('owner_id', '=', id).execute();
        for (const { id: roomId } of owned) {
          const heir = await tx
            .selectFrom('room_members')
            .select('user_id')
            .where('room_id', '=', roomId)
            .where('user_id', '!=', id)
            .orderBy('joined_at', 'asc')
            .executeTakeFirst();
          if (heir) await tx.updateTable('rooms').set({ owner_id: heir.user_id }).where('id', '=', roomId).execute();
          else await tx.deleteFrom('rooms').where('id', '=', roomId).execute();
        }
        await tx.deleteFrom('users').where('id', '=', id).execute();
      });
    },
  };
}
