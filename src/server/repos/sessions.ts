import type { Db } from '../db/database.js';
import { randomToken, sha256 } from '../ids.js';
import type { User } from './users.js';

export interface SessionPolicy {
  /** A session unused for this long ends, in milliseconds. */
  idleMs: number;
  /** A session ends this long after sign-in whatever its use, in milliseconds. */
  absoluteMs: number;
}

export interface ActiveSession {
  tokenHash: string;
  user: User;
  expiresAt: number;
}

/** Touching a session writes to the database; do it at most this often, in milliseconds. */
const TOUCH_INTERVAL_MS = 60_000;

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;

/**
 * Opaque session tokens: the cookie carries 256 random bits, the database
 * only their SHA-256, so logout and expiry take effect at once.
 */
export function createSessionsRepo(db: Db, policy: SessionPolicy) {
  return {
    async create(userId: string, now = Date.now()): Promise<{ token: string; tokenHash: string; expiresAt: number }> {
      const token = randomToken();
      const tokenHash = sha256(token);
      const expiresAt = now + policy.absoluteMs;
      await db
        .insertInto('sessions')
        .values({ token_hash: tokenHash, user_id: userId, created_at: now, last_seen_at: now, expires_at: expiresAt })
        .execute();
      return { token, tokenHash, expiresAt };
    },

    /** Resolves a cookie token to a live session, extending its idle window. */
    async resolve(token: string, now = Date.now()): Promise<ActiveSession | undefined> {
      const tokenHash = sha256(token);
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['sessions.user_id', 'sessions.last_seen_at', 'sessions.expires_at', 'users.username'])
        .where('sessions.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return undefined;
      if (now >= row.expires_at || now - row.last_seen_at >= policy.idleMs) {
        await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
        return undefined;
      }
      if (now - row.last_seen_at >= TOUCH_INTERVAL_MS) {
        await db.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
      }
      return { tokenHash, user: { id: row.user_id, username: row.username }, expiresAt: row.expires_at };
    },

    async revoke(tokenHash: string): Promise<void> {
      await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    },

    async purgeExpired(now = Date.now()): Promise<void> {
      await db
        .deleteFrom('sessions')
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - policy.idleMs)]))
        .execute();
    },
  };
}
