import type { Kysely } from 'kysely';

/** Id of the account that chat messages of deleted accounts are moved to. */
export const DELETED_ACCOUNT_ID = '~deleted';

/**
 * Account management: sessions remember the browser they were opened from
 * (so a user can tell them apart in "my sessions"), and one placeholder
 * account owns the messages of deleted accounts. Deleting those messages
 * outright would leave holes in a room's sequence numbers, which clients
 * read as "a message is missing" and would ask for forever.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('user_agent', 'text').execute();
  // "[deleted]" cannot be registered (brackets are not allowed in usernames)
  // and "!" is not a hash any password verifies against.
  await db
    .insertInto('users')
    .values({ id: DELETED_ACCOUNT_ID, username: '[deleted]', username_key: DELETED_ACCOUNT_ID, password_hash: '!', created_at: 0 })
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('users').where('id', '=', DELETED_ACCOUNT_ID).execute();
  await db.schema.alterTable('sessions').dropColumn('user_agent').execute();
}
