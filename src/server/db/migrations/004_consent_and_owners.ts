import { sql, type Kysely } from 'kysely';
import { usernameSkeleton } from '../../../shared/confusables.ts';

/**
 * Invitations become requests (one per room and invitee), users can block
 * others from inviting or ringing them, calls can ring, rooms get an owner's
 * settings (locked to members, chat retention, a guest link), guests are
 * users of a kind, and every name has a skeleton so look-alike names are
 * refused.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // One invitation per room and invitee: keep the newest of any duplicates.
  await sql`DELETE FROM invitations WHERE id NOT IN (
    SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY room_id, to_user_id ORDER BY created_at DESC) AS rank FROM invitations) AS ranked WHERE rank = 1
  )`.execute(db);
  await db.schema.createIndex('invitations_room_invitee').on('invitations').columns(['room_id', 'to_user_id']).unique().execute();

  await db.schema
    .createTable('blocks')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('blocked_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('blocks_pk', ['user_id', 'blocked_id'])
    .execute();

  await db.schema
    .createTable('rings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('room_id', 'text', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
    .addColumn('from_user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('to_user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // ringing, accepted, declined or missed
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .execute();
  await db.schema.createIndex('rings_from').on('rings').columns(['from_user_id', 'created_at']).execute();
  await db.schema.createIndex('rings_to').on('rings').columns(['to_user_id', 'state']).execute();

  await db.schema.alterTable('rooms').addColumn('locked', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('rooms').addColumn('chat_retention_days', 'integer').execute();
  await db.schema.alterTable('rooms').addColumn('guest_token_hash', 'text').execute();
  await db.schema.alterTable('rooms').addColumn('guest_expires_at', 'bigint').execute();
  await db.schema.createIndex('rooms_guest_token').on('rooms').column('guest_token_hash').execute();

  await db.schema.createIndex('chat_messages_user_time').on('chat_messages').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('chat_messages_room_time').on('chat_messages').columns(['room_id', 'created_at']).execute();

  // A guest has no password and may enter one room until its link expires.
  await db.schema.alterTable('users').addColumn('guest_room_id', 'text').execute();
  await db.schema.alterTable('users').addColumn('expires_at', 'bigint').execute();

  await db.schema.alterTable('users').addColumn('username_skeleton', 'text').execute();
  const users = await db.selectFrom('users').select(['id', 'username']).orderBy('created_at').execute();
  const taken = new Set<string>();
  for (const user of users as Array<{ id: string; username: string }>) {
    let skeleton = usernameSkeleton(user.username);
    // Names registered before the rule that look alike keep working; the later one gets a skeleton of its own.
    if (taken.has(skeleton)) skeleton = `${skeleton}#${user.id}`;
    taken.add(skeleton);
    await db.updateTable('users').set({ username_skeleton: skeleton }).where('id', '=', user.id).execute();
  }
  await db.schema.createIndex('users_skeleton').on('users').column('username_skeleton').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_skeleton').execute();
  for (const column of ['username_skeleton', 'expires_at', 'guest_room_id']) await db.schema.alterTable('users').dropColumn(column).execute();
  await db.schema.dropIndex('chat_messages_room_time').execute();
  await db.schema.dropIndex('chat_messages_user_time').execute();
  await db.schema.dropIndex('rooms_guest_token').execute();
  for (const column of ['guest_expires_at', 'guest_token_hash', 'chat_retention_days', 'locked']) await db.schema.alterTable('rooms').dropColumn(column).execute();
  await db.schema.dropTable('rings').execute();
  await db.schema.dropTable('blocks').execute();
  await db.schema.dropIndex('invitations_room_invitee').execute();
}
