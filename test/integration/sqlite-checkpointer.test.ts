/**
 * The WAL checkpoint worker, against a real SQLite file: it copies the log
 * into the database so the server's connection need not, the log is rewound
 * when it grows long, checkpointing is handed back when the worker fails,
 * and the worker lets go of the file on stop.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { SqliteCheckpointer, type CheckpointReport } from '../../src/server/db/sqlite-checkpointer.js';

/** Resolves with the first report that satisfies `match`; rejects after `ms`. */
function reportWhere(reports: CheckpointReport[], listeners: Array<() => void>, match: (r: CheckpointReport) => boolean, ms = 10_000): Promise<CheckpointReport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no such checkpoint report within ${ms} ms; last: ${JSON.stringify(reports.at(-1))}`)), ms);
    const check = () => {
      const found = reports.find(match);
      if (!found) return;
      clearTimeout(timer);
      resolve(found);
    };
    listeners.push(check);
    check();
  });
}

describe('SQLite checkpoint worker', { timeout: 30_000 }, () => {
  let dir: string;
  let path: string;
  let connection: SQLite.Database;
  let reports: CheckpointReport[];
  let listeners: Array<() => void>;
  let started: SqliteCheckpointer[];
  const start = (options: ConstructorParameters<typeof SqliteCheckpointer>[2], at = path) => {
    const checkpointer = new SqliteCheckpointer(connection, at, options);
    started.push(checkpointer);
    return checkpointer;
  };
  const onReport = (report: CheckpointReport) => {
    reports.push(report);
    for (const listener of listeners) listener();
  };
  const insert = (count: number) => {
    const statement = connection.prepare('INSERT INTO messages (body) VALUES (?)');
    connection.transaction(() => {
      for (let i = 0; i < count; i += 1) statement.run(`message ${i} `.repeat(40));
    })();
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callroom-checkpoint-'));
    path = join(dir, 'test.db');
    connection = new SQLite(path);
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = NORMAL');
    connection.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    reports = [];
    listeners = [];
    started = [];
  });
  afterEach(async () => {
    // A failed test must not leave its worker running.
    await Promise.all(started.map((checkpointer) => checkpointer.stop()));
    if (connection.open) connection.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('copies committed pages into the database while the connection never checkpoints itself', async () => {
    const checkpointer = start({ intervalMs: 20, onReport, reportEveryCheckpoint: true });
    assert.equal(connection.pragma('wal_autocheckpoint', { simple: true }), 0);
    // 3,000 single-row commits: past 1,000 pages, where SQLite would otherwise checkpoint in the commit.
    for (let batch = 0; batch < 30; batch += 1) {
      for (let i = 0; i < 100; i += 1) insert(1);
      await yieldToEvents();
    }
    // (The log may be rewound in between, whenever the worker has caught up.)
    const done = await reportWhere(reports, listeners, (r) => r.by === 'worker' && r.logFrames > 0 && r.checkpointedFrames === r.logFrames);
    assert.equal(done.busy, 0);
    await checkpointer.stop();
  });

  test('once the log passes maxLogFrames the connection catches up itself, and the log is rewound', async () => {
    // As the server runs it: the worker speaks up only when the log is long.
    const checkpointer = start({ intervalMs: 10, maxLogFrames: 50, onReport });
    const caughtUp = reportWhere(reports, listeners, (r) => r.by === 'server' && r.busy === 0 && r.checkpointedFrames === r.logFrames);
    let settled = false;
    void caughtUp.finally(() => (settled = true)).catch(() => undefined);
    // Keep writing, as a busy server would, until the connection has caught up.
    for (let round = 0; round < 2_000 && !settled; round += 1) {
      insert(5);
      await yieldToEvents();
    }
    const report = await caughtUp;
    assert.ok(report.logFrames >= 50);
    // The next write starts the log again from its first frame. (While the
    // worker is mid-checkpoint the pragma answers busy, with log -1: ask again.)
    insert(1);
    let after = { busy: 1, log: -1 };
    for (let attempt = 0; attempt < 1_000 && after.busy !== 0; attempt += 1) {
      [after] = connection.pragma('wal_checkpoint(PASSIVE)') as [{ busy: number; log: number }];
      if (after.busy !== 0) await yieldToEvents();
    }
    assert.equal(after.busy, 0);
    assert.ok(after.log >= 1 && after.log < 50, `the log was rewound: ${after.log} frames after one more write`);
    await checkpointer.stop();
  });

  test('a long log met inside an open transaction is left for later, without an error', async () => {
    const errors: unknown[] = [];
    const checkpointer = start({ intervalMs: 10, maxLogFrames: 1, onReport, onCatchUpError: (error) => errors.push(error) });
    insert(50);
    connection.exec('BEGIN');
    insert(1);
    const seen = reports.length;
    // Three worker reports over the limit while the transaction stays open.
    await reportWhere(reports, listeners, () => reports.slice(seen).filter((r) => r.by === 'worker' && r.logFrames >= 1).length >= 3);
    assert.equal(reports.slice(seen).some((r) => r.by === 'server'), false, 'no catch-up inside the transaction');
    connection.exec('COMMIT');
    await reportWhere(reports, listeners, (r) => r.by === 'server' && r.busy === 0);
    assert.deepEqual(errors, []);
    await checkpointer.stop();
  });

  test('a worker that cannot open the database hands checkpointing back to the connection', async () => {
    const failure = new Promise<unknown>((resolve, reject) => {
      // The worker never holds the process open: this timer does, for at most 10 s.
      const timer = setTimeout(() => reject(new Error('no failure reported within 10 s')), 10_000);
      start({
        onFailure: (error) => {
          clearTimeout(timer);
          resolve(error);
        },
      }, join(dir, 'missing.db'));
    });
    const error = await failure;
    assert.ok(error instanceof Error);
    assert.match(error.message, /unable to open|SQLITE_CANTOPEN/i);
    assert.equal(connection.pragma('wal_autocheckpoint', { simple: true }), 1000);
  });

  test('a worker that stops checkpointing is ended, and checkpointing handed back to the connection', async () => {
    const failure = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no failure reported within 10 s')), 10_000);
      // After three checkpoints the worker's thread blocks for good, as on a hung disk.
      start({
        intervalMs: 10,
        // Long enough for a busy machine to start the thread and open the database.
        stallMs: 2000,
        testStallAfter: 3,
        onReport,
        reportEveryCheckpoint: true,
        onFailure: (error) => {
          clearTimeout(timer);
          resolve(error);
        },
      });
    });
    const error = await failure;
    assert.ok(error instanceof Error);
    assert.match(error.message, /no checkpoint in 2 s/);
    assert.equal(reports.filter((r) => r.by === 'worker').length, 3);
    assert.equal(connection.pragma('wal_autocheckpoint', { simple: true }), 1000);
    // The stuck thread was ended: stop() does not wait for it (afterEach stops it again).
    await started[0]!.stop();
  });

  test('stop() ends a worker that is stuck, rather than wait for it', async () => {
    // Blocked before it reads any message, so the stop message cannot reach it;
    // and the watchdog is not to notice within the test.
    const checkpointer = start({ stallMs: 600_000, stopTimeoutMs: 200, testStallAfter: 0 });
    // True only when the thread really exited; stop() gives up on one that will not.
    assert.equal(await checkpointer.stop(), true);
  });

  test('on stop the worker closes its connection, so closing the server’s removes the log', async () => {
    const checkpointer = start({ intervalMs: 20, onReport, reportEveryCheckpoint: true });
    insert(200);
    await reportWhere(reports, listeners, (r) => r.logFrames > 0);
    await checkpointer.stop();
    connection.close();
    assert.equal(existsSync(`${path}-wal`), false, 'the last connection to close checkpoints and deletes the -wal file');
  });
});
