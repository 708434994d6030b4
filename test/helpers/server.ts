/**
 * Starts the real app on a free port with a fresh database, for integration
 * tests: a new SQLite file, or — when TEST_DATABASE_URL names a PostgreSQL
 * server — a new PostgreSQL database that is dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildOptions } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import type { AppContext } from '../../src/server/context.ts';

export interface TestServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  origin: string;
  /** The SQLite file, or undefined on PostgreSQL. */
  dbPath: string | undefined;
  databaseUrl: string;
  close(): Promise<void>;
}

/** A fresh, empty database: a SQLite file in a temporary folder, or a new PostgreSQL database. */
export async function freshDatabase(): Promise<{ url: string; dbPath: string | undefined; drop(): Promise<void> }> {
  const postgres = process.env.TEST_DATABASE_URL;
  if (postgres) {
    const name = `callroom_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgres });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(postgres);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      dbPath: undefined,
      async drop() {
        const client = new pg.Client({ connectionString: postgres });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'callroom-test-'));
  const dbPath = join(dir, 'test.db');
  return { url: `sqlite:${dbPath}`, dbPath, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

export const testEnv = (databaseUrl: string, env: Record<string, string> = {}) =>
  loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, ICE_SERVERS: 'none', LOG_LEVEL: 'silent', ...env });

/** A clock a test moves by hand (see src/server/clock.ts); it starts at the real time. */
export function manualClock(): { now: () => number; advance(ms: number): void } {
  let now = Date.now();
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
  };
}

export async function startServer(env: Record<string, string> = {}, options: Pick<BuildOptions, 'clock'> = {}): Promise<TestServer> {
  const database = await freshDatabase();
  const { app, ctx } = await buildApp(testEnv(database.url, env), { logger: false, ...options });
  const origin = await listen(app);
  let closed = false;
  return {
    app,
    ctx,
    url: origin,
    origin,
    dbPath: database.dbPath,
    databaseUrl: database.url,
    async close() {
      try {
        if (!closed) await app.close();
      } finally {
        closed = true;
        // Dropped even when closing failed (a test may have destroyed the database handle).
        await database.drop();
      }
    },
  };
}
