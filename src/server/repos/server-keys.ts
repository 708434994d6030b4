import type { Db } from '../db/database.ts';
import { randomToken } from '../ids.ts';

/**
 * Returns the named server key, creating it on first use. Safe when several
 * processes start at once: the first insert wins and everyone reads it.
 */
export async function serverKey(db: Db, name: string): Promise<string> {
  await db
    .insertInto('server_keys')
    .values({ name, value: randomToken() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_keys').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
