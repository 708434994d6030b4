/**
 * SQLite's WAL checkpoints, moved off the event loop.
 *
 * In WAL mode every commit appends to the -wal file, and by default the
 * commit that takes the log past 1,000 pages also copies the log back into
 * the database and fsyncs it. better-sqlite3 is synchronous, so that commit
 * held the event loop for 8–19 ms, about every 450 chat messages: at 1,000
 * messages a second, every signal and chat frame behind it waited, and the
 * chat p99 sat at 12–20 ms where the median was 1 ms.
 *
 * Here a worker thread with its own connection copies committed pages into
 * the database (`wal_checkpoint(PASSIVE)`, which takes no lock a writer
 * needs), and the server's connection no longer checkpoints on every 1,000
 * pages. The log is rewound to its start by the first write after a
 * checkpoint has caught up with it; under a steady stream of writes the
 * worker's never quite does. So once the log passes `maxLogFrames`, the
 * server's connection runs one passive checkpoint itself: the worker has
 * already copied nearly everything, and being the only writer it is sure to
 * catch up. That costs one fsync on the event loop every few seconds at
 * 1,000 messages a second, and none at all at ordinary rates.
 *
 * The worker never takes the write lock (a TRUNCATE or RESTART checkpoint
 * would): the server's read-then-write transactions would then fail with
 * SQLITE_BUSY instead of waiting, because SQLite cannot wait for a lock
 * while a transaction holds a read snapshot.
 *
 * If the worker cannot start, dies, or stops checkpointing (a thread stuck in
 * a write to a hung disk, say: the log would then grow without bound), the
 * server's connection goes back to checkpointing by itself.
 *
 * A checkpoint in one connection while another's write rewinds the log is
 * the pattern of SQLite's "WAL-reset" bug, fixed in 3.51.3; better-sqlite3
 * 12.11.1, pinned, bundles 3.53.2.
 */
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** What one checkpoint reported: frames in the log, and how many of them are now in the database. */
export interface CheckpointReport {
  /** The worker, or the server's own connection catching up with a long log. */
  by: 'worker' | 'server';
  /** 1 when another checkpoint was running, so this one did nothing. */
  busy: number;
  logFrames: number;
  checkpointedFrames: number;
}

export interface CheckpointerOptions {
  /** How often the worker checkpoints, in milliseconds. */
  intervalMs?: number;
  /** Log size, in frames (pages), past which the server's connection catches up itself. */
  maxLogFrames?: number;
  /** Called with each report: the worker's on a long log (on every checkpoint with `reportEveryCheckpoint`), and the server's catch-ups. */
  onReport?: (report: CheckpointReport) => void;
  /** Tests and diagnostics: the worker reports every checkpoint, not only a long log. */
  reportEveryCheckpoint?: boolean;
  /** Called when the worker fails and the server's connection checkpoints for itself again. */
  onFailure?: (error: unknown) => void;
  /** Called when the server's own catch-up checkpoint fails; the worker carries on. */
  onCatchUpError?: (error: unknown) => void;
  /** How long the worker may go without finishing a checkpoint (the first one included) before it counts as stuck, in milliseconds. */
  stallMs?: number;
  /** How long stop() waits for the worker to close its connection before it ends the thread, in milliseconds. */
  stopTimeoutMs?: number;
  /** Tests only: the worker's thread blocks for good after this many checkpoints (0: as soon as it has opened the database). */
  testStallAfter?: number;
}

/** SQLite's own default: the log is checkpointed when it passes 1,000 pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
/** Often enough that each passive checkpoint has little to copy. */
const DEFAULT_INTERVAL_MS = 100;
/** About 40 MB of log at 4 KB pages: a catch-up every ~4.5 s at 1,000 chat messages a second. */
const DEFAULT_MAX_LOG_FRAMES = 10_000;
/** A checkpoint of a 40 MB log takes well under a second on a working disk. */
const DEFAULT_STALL_MS = 30_000;
const DEFAULT_STOP_TIMEOUT_MS = 5_000;

// CommonJS, evaluated in the worker: the server is bundled into one file, so
// the worker cannot be a module of its own next to it.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.path, { fileMustExist: true });
// [0]: checkpoints finished, read by the server's watchdog. [1]: never changes.
const heartbeat = new Int32Array(workerData.heartbeat);
const stall = () => Atomics.wait(heartbeat, 1, 0);
if (workerData.testStallAfter === 0) stall();
const timer = setInterval(() => {
  if (workerData.testStallAfter > 0 && Atomics.load(heartbeat, 0) >= workerData.testStallAfter) stall();
  const [result] = db.pragma('wal_checkpoint(PASSIVE)');
  Atomics.add(heartbeat, 0, 1);
  // The server needs to hear only of a long log; anyone watching, of every checkpoint.
  if (result.log < workerData.maxLogFrames && !workerData.reportEvery) return;
  parentPort.postMessage({ by: 'worker', busy: result.busy, logFrames: result.log, checkpointedFrames: result.checkpointed });
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class SqliteCheckpointer {
  private readonly worker: Worker | undefined;
  private readonly exited: Promise<void>;
  private stopping = false;
  private watchdog: NodeJS.Timeout | undefined;

  /** Starts checkpointing the database at `path`, which `connection` (in WAL mode) has open. */
  constructor(
    private readonly connection: SQLite.Database,
    path: string,
    private readonly options: CheckpointerOptions = {},
  ) {
    const maxLogFrames = options.maxLogFrames ?? DEFAULT_MAX_LOG_FRAMES;
    const heartbeat = new Int32Array(new SharedArrayBuffer(8));
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          path,
          // Resolved here, where the server's own import of the driver resolves.
          driverPath: createRequire(import.meta.url).resolve('better-sqlite3'),
          intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS,
          maxLogFrames,
          reportEvery: options.reportEveryCheckpoint ?? false,
          heartbeat: heartbeat.buffer,
          testStallAfter: options.testStallAfter ?? -1,
        },
        // Not the server's flags: --cpu-prof and the like would apply to it too.
        execArgv: [],
        // A checkpoint loop needs little: keep the thread's heap small.
        resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
      });
    } catch (error) {
      this.stopping = true;
      this.exited = Promise.resolve();
      options.onFailure?.(error);
      return;
    }
    this.worker = worker;
    worker.unref();
    connection.pragma('wal_autocheckpoint = 0');
    worker.on('message', (report: CheckpointReport) => {
      options.onReport?.(report);
      if (report.logFrames >= maxLogFrames) this.catchUp();
    });
    // An error class of the driver's arrives as a plain object: keep its text.
    worker.on('error', (error: unknown) => this.fallBack(error instanceof Error ? error : new Error(inspect(error))));
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.fallBack(new Error(`the checkpoint worker exited with code ${code}`));
        resolve();
      });
    });
    // A thread that is alive but no longer checkpoints sends no error and no
    // exit: it is noticed by its heartbeat standing still. (Ending it works
    // when it is stuck in JavaScript or between calls; a thread blocked inside
    // a system call ends only when the call returns. The server's own
    // checkpoints would then block on the same disk, but its log is bounded.)
    const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    let lastBeat = 0;
    let lastBeatAt = Date.now();
    this.watchdog = setInterval(() => {
      const beat = Atomics.load(heartbeat, 0);
      if (beat !== lastBeat) {
        lastBeat = beat;
        lastBeatAt = Date.now();
        return;
      }
      if (Date.now() - lastBeatAt < stallMs) return;
      this.fallBack(new Error(`the checkpoint worker finished no checkpoint in ${stallMs / 1000} s`));
      void worker.terminate();
    }, stallMs / 4);
    this.watchdog.unref();
  }

  /** The server's connection checkpoints itself, so that its next write can rewind the log. */
  private catchUp(): void {
    // Inside a transaction the pragma fails (SQLITE_LOCKED); the worker reports again shortly.
    if (this.stopping || !this.connection.open || this.connection.inTransaction) return;
    try {
      const [result] = this.connection.pragma('wal_checkpoint(PASSIVE)') as [{ busy: number; log: number; checkpointed: number }];
      this.options.onReport?.({ by: 'server', busy: result.busy, logFrames: result.log, checkpointedFrames: result.checkpointed });
    } catch (error) {
      // A full disk, say. SQLite's own automatic checkpoint ignores such errors
      // too: the write that follows reports the trouble where it matters.
      this.options.onCatchUpError?.(error);
    }
  }

  private fallBack(error: unknown): void {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.watchdog);
    if (this.connection.open) this.connection.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    this.options.onFailure?.(error);
  }

  /**
   * Stops the worker; the connection's own close then checkpoints what is
   * left. Resolves true once the thread has exited, or false after twice the
   * stop timeout if even ending it did not make it exit (blocked in a system
   * call): the process then has a thread it cannot wait for.
   */
  async stop(): Promise<boolean> {
    this.stopping = true;
    clearInterval(this.watchdog);
    const worker = this.worker;
    if (!worker) return true;
    // Unreferenced so that it never holds the process open; until it has
    // closed its connection, though, the process must wait for it.
    worker.ref();
    worker.postMessage('stop');
    const timeoutMs = this.options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    // A stuck thread never reads the message: end it instead, and stop waiting for it after that.
    const endTimer = setTimeout(() => void worker.terminate(), timeoutMs);
    let giveUpTimer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<false>((resolve) => (giveUpTimer = setTimeout(resolve, 2 * timeoutMs, false)));
    const exited = await Promise.race([this.exited.then(() => true), gaveUp]);
    clearTimeout(endTimer);
    clearTimeout(giveUpTimer);
    worker.unref();
    return exited;
  }
}
