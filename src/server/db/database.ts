/**
 * Opens the database named by DATABASE_URL (SQLite file or PostgreSQL) and
 * brings its schema up to date before the server accepts requests.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import type pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from 'kysely';
import type { Database } from './schema.ts';
import { migrations } from './migrations/index.ts';

export type Db = Kysely<Database>;
export type DbKind = 'sqlite' | 'postgres';

/** How long a query may wait for a PostgreSQL connection, in milliseconds. */
const PG_CONNECT_TIMEOUT_MS = 2_000;
/** Longest a PostgreSQL statement may run, in milliseconds. */
const PG_STATEMENT_TIMEOUT_MS = 5_000;
/** How long SQLite waits on a locked database before failing, in milliseconds. */
const SQLITE_BUSY_TIMEOUT_MS = 2_000;

/**
 * The Kysely handle, plus the driver underneath (the SQLite connection or the
 * PostgreSQL pool) for the chat log's one-statement fast path.
 */
export type OpenDatabase =
  | { db: Db; kind: 'sqlite'; sqlite: SQLite.Database; /** The file, or ':memory:'. */ path: string }
  | { db: Db; kind: 'postgres'; pgPool: pg.Pool };

export async function openDatabase(url: string): Promise<OpenDatabase> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new SQLite(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    sqlite.pragma('synchronous = NORMAL');
    return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }), kind: 'sqlite', sqlite, path };
  }
  // pg is loaded only for PostgreSQL: a SQLite deployment never pays its memory.
  const { default: postgres } = await import('pg');
  // PostgreSQL returns bigint (int8) as strings; our bigints are millisecond
  // times and counters, far below 2^53.
  postgres.types.setTypeParser(20, (value: string) => Number(value));
  const pool: pg.Pool = new postgres.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    statement_timeout: PG_STATEMENT_TIMEOUT_MS,
  });
  // An idle client losing its connection must not crash the process.
  pool.on('error', () => undefined);
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), kind: 'postgres', pgPool: pool };
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies pending migrations; throws with the failing migration's error. */
export async function migrateToLatest(db: Db): Promise<void> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}
