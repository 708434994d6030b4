import type { Db } from '../db/database.ts';
import type { Invitation } from '../../shared/api.ts';
import { randomId } from '../ids.ts';


export type InvitationsRepo = ReturnType<typeof createInvitationsRepo>;

export function createInvitationsRepo(db: Db) {
  return {
    /** Records an invitation and makes the invitee a member of the room, atomically. */
    async create(input: { roomId: string; fromUserId: string; toUserId: string }, now = Date.now()): Promise<string> {
      const id = randomId();
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('invitations')
          .values({ id, room_id: input.roomId, from_user_id: input.fromUserId, to_user_id: input.toUserId, created_at: now })
          .execute();
        await tx
          .insertInto('room_members')
          .values({ room_id: input.roomId, user_id: input.toUserId, joined_at: now })
          .onConflict((oc) => oc.columns(['room_id', 'user_id']).doNothing())
          .execute();
      });
      return id;
    },

    async find(id: string): Promise<Invitation | undefined> {
      return (await query(db).where('invitations.id', '=', id).executeTakeFirst()) satisfies Invitation | undefined;
    },

    /** The invitations a user received, newest first. */
    async listForUser(userId: string, limit = 50): Promise<Invitation[]> {
      return query(db).where('invitations.to_user_id', '=', userId).orderBy('invitations.created_at', 'desc').limit(limit).execute();
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
