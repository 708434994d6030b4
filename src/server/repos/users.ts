import type { Db } from '../db/database.js';
import { randomId } from '../ids.js';

export interface User {
  id: string;
  username: string;
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;

/** Lower-cased after NFKC: the key that makes usernames unique regardless of case. */
export function usernameKey(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

export function createUsersRepo(db: Db) {
  return {
    /** Inserts a user; returns undefined when the username is taken. */
    async create(username: string, passwordHash: string, now = Date.now()): Promise<User | undefined> {
      const id = randomId();
      const result = await db
        .insertInto('users')
        .values({ id, username, username_key: usernameKey(username), password_hash: passwordHash, created_at: now })
        .onConflict((oc) => oc.column('username_key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? { id, username } : undefined;
    },

    async findByUsername(username: string): Promise<(User & { passwordHash: string }) | undefined> {
      const row = await db
        .selectFrom('users')
        .select(['id', 'username', 'password_hash'])
        .where('username_key', '=', usernameKey(username))
        .executeTakeFirst();
      return row && { id: row.id, username: row.username, passwordHash: row.password_hash };
    },

    async findById(id: string): Promise<User | undefined> {
      return db.selectFrom('users').select(['id', 'username']).where('id', '=', id).executeTakeFirst();
    },
  };
}
