import type { Db } from '../db/database.ts';
import type { Invitation } from '../../shared/api.ts';
import { randomId } from '../ids.ts';

export type InvitationsRepo = ReturnType<typeof createInvitationsRepo>;

/**
 * Invitations are requests: the invitee becomes a member only by accepting
 * (or by joining the call through the link, which is itself the key), and
 * accepted or declined, the invitation is gone. One per room and invitee:
 * sending it again renews it.
 */
export function createInvitationsRepo(db: Db) {
  return {
    /** Records the invitation, or renews the one already there; `fresh` is false for a renewal. */
    async upsert(input: { roomId: string; fromUserId: string; toUserId: string }, now = Date.now()): Promise<{ id: string; fresh: boolean }> {
      return db.transaction().execute(async (tx) => {
        const existing = await tx.selectFrom('invitations').select('id').where('room_id', '=', input.roomId).where('to_user_id', '=', input.toUserId).executeTakeFirst();
        if (existing) {
          await tx.updateTable('invitations').set({ from_user_id: input.fromUserId, created_at: now }).where('id', '=', existing.id).execute();
          return { id: existing.id, fresh: false };
        }
        const id = randomId();
        await tx
          .insertInto('invitations')
          .values({ id, room_id: input.roomId, from_user_id: input.fromUserId, to_user_id: input.toUserId, created_at: now })
          .execute();
        return { id, fresh: true };
      });
    },

    async find(id: string): Promise<Invitation | undefined> {
      return query(db).where('invitations.id', '=', id).executeTakeFirst();
    },

    /** The invitations a user received, newest first. */
    async listForUser(userId: string, limit = 50): Promise<Invitation[]> {
      return query(db).where('invitations.to_user_id', '=', userId).orderBy('invitations.created_at', 'desc').limit(limit).execute();
    },

    /** The pending invitation of a user to a room, if any (a ring answered from the dashboard settles it too). */
    async findFor(roomId: string, userId: string): Promise<Invitation | undefined> {
      return query(db).where('invitations.room_id', '=', roomId).where('invitations.to_user_id', '=', userId).executeTakeFirst();
    },

    /**
     * Settles an invitation addressed to `userId`: accepting makes them a
     * member. Returns the invitation, or undefined when there is none for them.
     */
    async settle(id: string, userId: string, accept: boolean, now = Date.now()): Promise<Invitation | undefined> {
      const invitation = await query(db).where('invitations.id', '=', id).where('invitations.to_user_id', '=', userId).executeTakeFirst();
      if (!invitation) return undefined;
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('invitations').where('id', '=', id).execute();
        if (accept) {
          await tx
            .insertInto('room_members')
            .values({ room_id: invitation.roomId, user_id: userId, joined_at: now })
            .onConflict((oc) => oc.columns(['room_id', 'user_id']).doNothing())
            .execute();
        }
      });
      return invitation;
    },

    /** Drops what one user sent another (when blocked). */
    async removeFrom(fromUserId: string, toUserId: string): Promise<void> {
      await db.deleteFrom('invitations').where('from_user_id', '=', fromUserId).where('to_user_id', '=', toUserId).execute();
    },
  };
}

function query(db: Db) {
  return db
    .selectFrom('invitations')
    .innerJoin('rooms', 'rooms.id', 'invitations.room_id')
    .innerJoin('users', 'users.id', 'invitations.from_user_id')
    .select([
      'invitations.id as id',
      'invitations.room_id as roomId',
      'rooms.name as roomName',
      'users.username as fromUsername',
      'invitations.created_at as createdAt',
    ]);
}
