import type { Db } from '../db/database.js';
import type { ChatMessage } from '../../shared/protocol.js';

export type ChatRepo = ReturnType<typeof createChatRepo>;

/**
 * The durable chat log. Sequence numbers come from the room row, incremented
 * in the same transaction as the insert, so they are gap-free per room even
 * with several server processes on one PostgreSQL.
 */
export function createChatRepo(db: Db) {
  const select = (tx: Db) =>
    tx
      .selectFrom('chat_messages')
      .innerJoin('users', 'users.id', 'chat_messages.user_id')
      .select([
        'chat_messages.seq as seq',
        'chat_messages.client_id as clientId',
        'chat_messages.user_id as userId',
        'users.username as username',
        'chat_messages.text as text',
        'chat_messages.created_at as sentAt',
      ]);

  return {
    /**
     * Stores a message once: a resend with the same (room, user, clientId)
     * returns the stored message and `duplicate: true`.
     */
    async append(
      input: { roomId: string; userId: string; clientId: string; text: string },
      now = Date.now(),
    ): Promise<{ message: ChatMessage; duplicate: boolean }> {
      return db.transaction().execute(async (tx) => {
        const existing = await select(tx)
          .where('chat_messages.room_id', '=', input.roomId)
          .where('chat_messages.user_id', '=', input.userId)
          .where('chat_messages.client_id', '=', input.clientId)
          .executeTakeFirst();
        if (existing) return { message: existing, duplicate: true };
        const { last_seq: seq } = await tx
          .updateTable('rooms')
          .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
          .where('id', '=', input.roomId)
          .returning('last_seq')
          .executeTakeFirstOrThrow();
        await tx
          .insertInto('chat_messages')
          .values({ room_id: input.roomId, seq, client_id: input.clientId, user_id: input.userId, text: input.text, created_at: now })
          .execute();
        const message = await select(tx)
          .where('chat_messages.room_id', '=', input.roomId)
          .where('chat_messages.seq', '=', seq)
          .executeTakeFirstOrThrow();
        return { message, duplicate: false };
      });
    },

    /** The highest sequence number handed out in a room (0 when it has no messages). */
    async lastSeq(roomId: string): Promise<number> {
      const row = await db.selectFrom('rooms').select('last_seq').where('id', '=', roomId).executeTakeFirst();
      return row?.last_seq ?? 0;
    },

    /** The newest `limit` messages, oldest first: what a newcomer sees. */
    async latest(roomId: string, limit: number): Promise<ChatMessage[]> {
      const rows = await select(db).where('chat_messages.room_id', '=', roomId).orderBy('chat_messages.seq', 'desc').limit(limit).execute();
      return rows.reverse();
    },

    /** Up to `limit` messages right after `afterSeq`, oldest first: the next page for someone catching up. */
    async after(roomId: string, afterSeq: number, limit: number): Promise<ChatMessage[]> {
      return select(db)
        .where('chat_messages.room_id', '=', roomId)
        .where('chat_messages.seq', '>', afterSeq)
        .orderBy('chat_messages.seq', 'asc')
        .limit(limit)
        .execute();
    },
  };
}
