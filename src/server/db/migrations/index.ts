import type { Migration } from 'kysely';
import * as initial from './001_initial.ts';
import * as serverKeys from './002_server_keys.ts';
import * as accounts from './003_accounts.ts';
import * as consentAndOwners from './004_consent_and_owners.ts';

/**
 * Every migration, in order. Listed in code (not read from a folder) so the
 * bundled server carries them. Never edit a released migration: add one.
 */
export const migrations: Record<string, Migration> = {
  '001_initial': initial,
  '002_server_keys': serverKeys,
  '003_accounts': accounts,
  '004_consent_and_owners': consentAndOwners,
};
