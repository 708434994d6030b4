/** Starts the real app on a free port with a fresh SQLite file, for integration tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import type { AppContext } from '../../src/server/context.js';

export interface TestServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  origin: string;
  dbPath: string;
  close(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'callroom-test-'));
  const dbPath = join(dir, 'test.db');
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: `sqlite:${dbPath}`, ICE_SERVERS: 'none', LOG_LEVEL: 'silent', ...env });
  const { app, ctx } = await buildApp(config, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    app,
    ctx,
    url: origin,
    origin,
    dbPath,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
