import type { Kysely } from 'kysely';

/**
 * Secrets the server generates for itself (such as the key that signs
 * resume tokens), kept in the database so they survive restarts and are
 * shared by every server process.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('server_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('server_keys').execute();
}
