import type { Db } from '../db/database.ts';

export type BlocksRepo = ReturnType<typeof createBlocksRepo>;

/** Who may not invite or ring whom: a user's own list, private to them. */
export function createBlocksRepo(db: Db) {
  return {
    async block(userId: string, blockedId: string, now = Date.now()): Promise<void> {
      await db
        .insertInto('blocks')
        .values({ user_id: userId, blocked_id: blockedId, created_at: now })
        .onConflict((oc) => oc.columns(['user_id', 'blocked_id']).doNothing())
        .execute();
    },

    async unblock(userId: string, blockedId: string): Promise<void> {
      await db.deleteFrom('blocks').where('user_id', '=', userId).where('blocked_id', '=', blockedId).execute();
    },

    /** Whether `userId` blocked `otherId`. */
    async blocks(userId: string, otherId: string): Promise<boolean> {
      const row = await db.selectFrom('blocks').select('user_id').where('user_id', '=', userId).where('blocked_id', '=', otherId).executeTakeFirst();
      return row !== undefined;
    },

    async list(userId: string): Promise<Array<{ userId: string; username: string; since: number }>> {
      return db
        .selectFrom('blocks')
        .innerJoin('users', 'users.id', 'blocks.blocked_id')
        .select(['users.id as userId', 'users.username as username', 'blocks.created_at as since'])
        .where('blocks.user_id', '=', userId)
        .orderBy('blocks.created_at', 'desc')
        .execute();
    },
  };
}
