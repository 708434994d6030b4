import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { systemClock, type Clock } from '../clock.ts';
import { randomToken, sha256 } from '../ids.ts';
import type { User } from './users.ts';

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

/** One of a user's sessions as shown in their session list. */
export interface SessionInfo {
  /** A public handle derived from the token hash: it names the session but cannot be used as one. */
  id: string;
  tokenHash: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  userAgent: string | null;
}

/** Touching a session writes to the database; do it at most this often, in milliseconds. */
const TOUCH_INTERVAL_MS = 60_000;
/** Longest User-Agent kept with a session, in characters. */
const USER_AGENT_MAX_CHARS = 200;

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;

export function publicSessionId(tokenHash: string): string {
  return sha256(`session-id:${tokenHash}`).slice(0, 22);
}

/**
 * Opaque session tokens: the cookie carries 256 random bits, the database
 * only their SHA-256, so logout and expiry take effect at once.
 */
export function createSessionsRepo(db: Db, policy: SessionPolicy, clock: Clock = systemClock) {
  // With a short idle timeout (tests, strict deployments) touch often enough
  // that an active session never looks idle.
  const touchIntervalMs = Math.min(TOUCH_INTERVAL_MS, policy.idleMs / 4);
  const live = (now: number) => (eb: ExpressionBuilder<Database, 'sessions'>) => eb.and([eb('expires_at', '>', now), eb('last_seen_at', '>', now - policy.idleMs)]);

  return {
    /** `endsBy`: an earlier end than the policy's (a guest's session ends with their link). */
    async create(userId: string, options: { userAgent?: string; endsBy?: number } = {}, now = clock()): Promise<{ token: string; tokenHash: string; expiresAt: number }> {
      const token = randomToken();
      const tokenHash = sha256(token);
      const expiresAt = Math.min(now + policy.absoluteMs, options.endsBy ?? Infinity);
      const userAgent = options.userAgent ? options.userAgent.slice(0, USER_AGENT_MAX_CHARS) : null;
      await db
        .insertInto('sessions')
        .values({ token_hash: tokenHash, user_id: userId, created_at: now, last_seen_at: now, expires_at: expiresAt, user_agent: userAgent })
        .execute();
      return { token, tokenHash, expiresAt };
    },

    /** Resolves a cookie token to a live session, extending its idle window. */
    async resolve(token: string, now = clock()): Promise<ActiveSession | undefined> {
      const tokenHash = sha256(token);
      const row = await db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['sessions.user_id', 'sessions.last_seen_at', 'sessions.expires_at', 'users.username', 'users.guest_room_id'])
        .where('sessions.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return undefined;
      if (now >= row.expires_at || now - row.last_seen_at >= policy.idleMs) {
        await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
        return undefined;
      }
      if (now - row.last_seen_at >= touchIntervalMs) {
        await db.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
      }
      return { tokenHash, user: { id: row.user_id, username: row.username, guestRoomId: row.guest_room_id }, expiresAt: row.expires_at };
    },

    /**
     * For open connections: marks the sessions in `active` as used now (a
     * call in progress is activity) and returns which of `all` are still
     * live, so connections of ended sessions can be closed.
     */
    async touchAndCheck(active: string[], all: string[], now = clock()): Promise<Set<string>> {
      if (active.length > 0) {
        await db
          .updateTable('sessions')
          .set({ last_seen_at: now })
          .where('token_hash', 'in', active)
          .where(live(now))
          .where('last_seen_at', '<=', now - touchIntervalMs)
          .execute();
      }
      if (all.length === 0) return new Set();
      const rows = await db.selectFrom('sessions').select('token_hash').where('token_hash', 'in', all).where(live(now)).execute();
      return new Set(rows.map((r) => r.token_hash));
    },

    async listForUser(userId: string, now = clock()): Promise<SessionInfo[]> {
      const rows = await db
        .selectFrom('sessions')
        .select(['token_hash', 'created_at', 'last_seen_at', 'expires_at', 'user_agent'])
        .where('user_id', '=', userId)
        .where(live(now))
        .orderBy('last_seen_at', 'desc')
        .execute();
      return rows.map((r) => ({
        id: publicSessionId(r.token_hash),
        tokenHash: r.token_hash,
        createdAt: r.created_at,
        lastSeenAt: r.last_seen_at,
        expiresAt: r.expires_at,
        userAgent: r.user_agent,
      }));
    },

    async revoke(tokenHash: string): Promise<void> {
      await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    },

    /** Ends every session of a user except `keep`; returns the ended token hashes. */
    async revokeAllForUser(userId: string, keep?: string): Promise<string[]> {
      let query = db.deleteFrom('sessions').where('user_id', '=', userId);
      if (keep) query = query.where('token_hash', '!=', keep);
      const rows = await query.returning('token_hash').execute();
      return rows.map((r) => r.token_hash);
    },

    /** Deletes the rows of ended sessions. */
    async purgeExpired(now = clock()): Promise<void> {
      await db
        .deleteFrom('sessions')
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - policy.idleMs)]))
        .execute();
    },
  };
}
