import type { Database as SQLiteDatabase } from 'better-sqlite3';
import type { Pool } from 'pg';
import type { Db } from '../db/database.ts';
import type { ChatMessage } from '../../shared/protocol.ts';

export type ChatRepo = ReturnType<typeof createChatRepo>;

export interface NewChatMessage {
  roomId: string;
  userId: string;
  /** The sender's name, as shown with the message. */
  username: string;
  /** The sender came through a guest link. */
  guest?: boolean;
  clientId: string;
  text: string;
}

/**
 * On SQLite, appending is one synchronous better-sqlite3 transaction with
 * statements prepared once: the benchmark found the Kysely path (six
 * statements, each prepared again, behind an async mutex) cost ~0.7 ms of
 * CPU per message. Plain parameterised SQL, no string building.
 */
function sqliteAppender(sqlite: SQLiteDatabase) {
  const existing = sqlite.prepare<[string, string, string], { seq: number; text: string; created_at: number }>(
    'SELECT seq, text, created_at FROM chat_messages WHERE room_id = ? AND user_id = ? AND client_id = ?',
  );
  const bump = sqlite.prepare<[string], { last_seq: number }>('UPDATE rooms SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq');
  const insert = sqlite.prepare('INSERT INTO chat_messages (room_id, seq, client_id, user_id, text, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const append = sqlite.transaction((input: NewChatMessage, now: number) => {
    const found = existing.get(input.roomId, input.userId, input.clientId);
    if (found) return { message: toMessage(input, found.seq, found.text, found.created_at), duplicate: true };
    const bumped = bump.get(input.roomId);
    if (!bumped) throw new Error(`no room ${input.roomId}`);
    insert.run(input.roomId, bumped.last_seq, input.clientId, input.userId, input.text, now);
    return { message: toMessage(input, bumped.last_seq, input.text, now), duplicate: false };
  });
  return append;
}

/**
 * On PostgreSQL, appending is one statement (one round trip instead of five:
 * BEGIN, look for a resend, bump the room's sequence, insert, COMMIT), and
 * a statement is atomic on its own. It returns the stored row, or the earlier
 * one when this is a resend. Prepared once per pooled connection by name.
 */
const PG_APPEND = `
WITH existing AS (
  SELECT seq, text, created_at FROM chat_messages WHERE room_id = $1 AND user_id = $2 AND client_id = $3
), bumped AS (
  UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM existing) RETURNING last_seq
), inserted AS (
  INSERT INTO chat_messages (room_id, seq, client_id, user_id, text, created_at)
  SELECT $1, last_seq, $3, $2, $4, $5 FROM bumped
  RETURNING seq, text, created_at
)
SELECT seq, text, created_at, false AS duplicate FROM inserted
UNION ALL
SELECT seq, text, created_at, true AS duplicate FROM existing`;

function postgresAppender(pool: Pool) {
  const appendOnce = async (input: NewChatMessage, now: number) => {
    const result = await pool.query<{ seq: number; text: string; created_at: number; duplicate: boolean }>({
      name: 'chat-append',
      text: PG_APPEND,
      values: [input.roomId, input.userId, input.clientId, input.text, now],
    });
    const row = result.rows[0];
    if (!row) throw new Error(`no room ${input.roomId}`);
    return { message: toMessage(input, Number(row.seq), row.text, Number(row.created_at)), duplicate: row.duplicate };
  };
  return async (input: NewChatMessage, now: number) => {
    try {
      return await appendOnce(input, now);
    } catch (error) {
      // The same message appended twice at once (a resend on a new socket
      // racing the original): neither statement saw the other's row, so the
      // second hits the idempotency key and is rolled back whole. Run again,
      // it finds the stored message and reports a duplicate.
      if ((error as { constraint?: string }).constraint === 'chat_messages_idempotency') return appendOnce(input, now);
      throw error;
    }
  };
}

const toMessage = (input: NewChatMessage, seq: number, text: string, sentAt: number): ChatMessage => ({
  seq,
  clientId: input.clientId,
  userId: input.userId,
  username: input.username,
  ...(input.guest ? { guest: true } : {}),
  text,
  sentAt,
});

type ChatRow = Omit<ChatMessage, 'guest'> & { guestRoomId: string | null };
const fromRow = ({ guestRoomId, ...message }: ChatRow): ChatMessage => (guestRoomId === null ? message : { ...message, guest: true });

/** The driver under Kysely that the append fast path uses: one of the two. */
export type ChatDriver = { sqlite: SQLiteDatabase } | { pgPool: Pool };

/**
 * The durable chat log. Sequence numbers come from the room row, incremented
 * in the same transaction as the insert, so they are gap-free per room even
 * with several server processes on one PostgreSQL.
 */
export function createChatRepo(db: Db, driver: ChatDriver) {
  const select = (tx: Db) =>
    tx
      .selectFrom('chat_messages')
      .innerJoin('users', 'users.id', 'chat_messages.user_id')
      .select([
        'chat_messages.seq as seq',
        'chat_messages.client_id as clientId',
        'chat_messages.user_id as userId',
        'users.username as username',
        'users.guest_room_id as guestRoomId',
        'chat_messages.text as text',
        'chat_messages.created_at as sentAt',
      ]);
  const append =
    'sqlite' in driver
      ? (() => {
          const appendSync = sqliteAppender(driver.sqlite);
          // Through Kysely's hold on its one SQLite connection, so the
          // synchronous transaction never runs inside one of Kysely's.
          return (input: NewChatMessage, now: number) => db.connection().execute(async () => appendSync(input, now));
        })()
      : postgresAppender(driver.pgPool);

  return {
    /**
     * Stores a message once: a resend with the same (room, user, clientId)
     * returns the stored message and `duplicate: true`.
     */
    append(input: NewChatMessage, now = Date.now()): Promise<{ message: ChatMessage; duplicate: boolean }> {
      return append(input, now);
    },

    /** The highest sequence number handed out in a room (0 when it has no messages). */
    async lastSeq(roomId: string): Promise<number> {
      const row = await db.selectFrom('rooms').select('last_seq').where('id', '=', roomId).executeTakeFirst();
      return row?.last_seq ?? 0;
    },

    /** The oldest message the room keeps (0 when none): older ones may have gone with its retention setting. */
    async firstSeq(roomId: string): Promise<number> {
      const row = await db.selectFrom('chat_messages').select((eb) => eb.fn.min('seq').as('first')).where('room_id', '=', roomId).executeTakeFirst();
      return Number(row?.first ?? 0);
    },

    /**
     * Deletes a room's messages stored before `before`. The sequence numbers
     * of the rest do not change; clients learn where the room's chat now
     * starts from `firstSeq`.
     */
    async purgeBefore(roomId: string, before: number): Promise<number> {
      const result = await db.deleteFrom('chat_messages').where('room_id', '=', roomId).where('created_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** The newest `limit` messages, oldest first: what a newcomer sees. */
    async latest(roomId: string, limit: number): Promise<ChatMessage[]> {
      const rows = await select(db).where('chat_messages.room_id', '=', roomId).orderBy('chat_messages.seq', 'desc').limit(limit).execute();
      return rows.reverse().map(fromRow);
    },

    /** Up to `limit` messages right after `afterSeq`, oldest first: the next page for someone catching up. */
    async after(roomId: string, afterSeq: number, limit: number): Promise<ChatMessage[]> {
      const rows = await select(db)
        .where('chat_messages.room_id', '=', roomId)
        .where('chat_messages.seq', '>', afterSeq)
        .orderBy('chat_messages.seq', 'asc')
        .limit(limit)
        .execute();
      return rows.map(fromRow);
    },
  };
}
