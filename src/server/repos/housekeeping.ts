/**
 * What the server deletes on its own, now and then: chat older than its
 * room's retention setting, and guests whose link has expired (with their
 * sessions). Every process may run it; it is idempotent.
 */
import type { ChatRepo } from './chat.ts';
import type { RoomsRepo } from './rooms.ts';
import type { UsersRepo } from './users.ts';

const DAY_MS = 24 * 3_600_000;

export async function runHousekeeping(repos: { rooms: RoomsRepo; chat: ChatRepo; users: UsersRepo }, now = Date.now()): Promise<{ messagesDeleted: number }> {
  let messagesDeleted = 0;
  for (const { id, days } of await repos.rooms.withRetention()) messagesDeleted += await repos.chat.purgeBefore(id, now - days * DAY_MS);
  await repos.users.purgeExpiredGuests(now);
  return { messagesDeleted };
}
