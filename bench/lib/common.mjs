/**
 * Shared pieces of the benchmarks: a private copy of the built app, the real
 * server as a child process (optionally pinned to a CPU), process statistics
 * from /proc, Prometheus scraping, percentiles, and users created through
 * the real HTTP API.
 *
 * Every wait here has a deadline; nothing loops forever.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const QUICK = process.env.BENCH_QUICK === '1';
export const PASSWORD = 'correct horse battery';
/** Linux clock ticks per second, for /proc/<pid>/stat CPU times. */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function log(...args) {
  const time = new Date().toISOString().slice(11, 19);
  console.log(`[bench ${time}]`, ...args);
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

/**
 * A private copy of the app to run: the browser assets and
 * the page templates, so a concurrent `npm run build` (which deletes dist/)
 * cannot pull the files from under a running benchmark. `BENCH_APP_DIR`
 * reuses one made by the parent process.
 */
export function appDir() {
  const dir = process.env.BENCH_APP_DIR;
  if (!dir || !existsSync(join(dir, 'dist/assets/room.js'))) throw new Error('BENCH_APP_DIR is not set up: run through scripts/bench.mjs');
  return dir;
}

/** Builds the current sources into a temporary folder with the project's own build script. */
export function prepareAppDir({ build = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'callroom-bench-app-'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  symlinkSync(join(ROOT, 'src'), join(dir, 'src'));
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'public'), join(dir, 'public'), { recursive: true });
  if (build) {
    // scripts/build.mjs writes dist/ relative to its working directory.
    const result = spawnSync('node', [join(ROOT, 'scripts/build.mjs')], { cwd: dir, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('build failed');
  } else {
    if (!existsSync(join(ROOT, 'dist/assets/room.js'))) throw new Error('BENCH_SKIP_BUILD=1 but dist/ is missing: run npm run build');
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  }
  return dir;
}

async function waitForHealth(origin, child, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited with ${child.exitCode ?? child.signalCode}`);
    try {
      if ((await fetch(`${origin}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not start within 20 s');
    await sleep(100);
  }
}

/**
 * Rate limits of the bench server: high enough that creating thousands of
 * users from one address is not refused (the defaults protect real logins).
 */
/** The bench reads the servers' /metrics with this (METRICS_TOKEN of its servers). */
export const METRICS_TOKEN = 'bench-metrics-token-0123456789abcdef';

export const BENCH_SERVER_ENV = {
  METRICS_TOKEN,
  NODE_ENV: 'test',
  ICE_SERVERS: 'none',
  LOG_LEVEL: 'warn',
  REGISTER_RATE_LIMIT: '1000000',
  LOGIN_RATE_LIMIT: '1000000',
  LOGIN_IP_RATE_LIMIT: '1000000',
  // The generator's thousands of "users" come from a few loopback addresses; real ones each have their own.
  WS_CONNECTIONS_PER_ADDRESS: '1000000',
};

/** Lets a pinned process use every CPU (all its threads), e.g. while users are created, or pins it again. */
export function repin(pid, cpus) {
  spawnSync('taskset', ['-a', '-pc', cpus, String(pid)], { stdio: 'ignore' });
}

/**
 * The runtime flags the Render blueprint starts the server with (its
 * `startCommand`): the benchmark pins the server to one core, as a Render
 * starter instance has, and measures the process that deployment runs.
 */
export const SERVE_NODE_FLAGS = (() => {
  // For experiments: BENCH_SERVE_NODE_FLAGS="" measures the server without them.
  if (process.env.BENCH_SERVE_NODE_FLAGS !== undefined) return process.env.BENCH_SERVE_NODE_FLAGS.split(/\s+/).filter(Boolean);
  const blueprint = readFileSync(join(ROOT, 'render.yaml'), 'utf8');
  const flags = /^\s*startCommand: node((?: --[\w-]+(?:=\S+)?)*) src\/server\/main\.ts\s*$/m.exec(blueprint);
  if (!flags) throw new Error('render.yaml has no "startCommand: node [--flags] src/server/main.ts"');
  return flags[1].trim().split(' ').filter(Boolean);
})();

/**
 * Starts src/server/main.ts from the private app folder. `cpu` pins it with
 * taskset; the file-descriptor limit is raised for thousands of sockets.
 * `nodeArgs` may add `--cpu-prof` and the like.
 */
export async function startServer({ env = {}, cpu, nodeArgs = [], databaseUrl, label = 'server' } = {}) {
  const dir = appDir();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let tempDir;
  if (!databaseUrl) {
    tempDir = mkdtempSync(join(tmpdir(), 'callroom-bench-db-'));
    databaseUrl = `sqlite:${join(tempDir, 'bench.db')}`;
  }
  const pin = cpu === undefined ? '' : `taskset -c ${cpu} `;
  const command = `ulimit -n $(ulimit -Hn); exec ${pin}node ${[...SERVE_NODE_FLAGS, ...nodeArgs].join(' ')} src/server/main.ts`;
  const child = spawn('sh', ['-c', command], {
    cwd: dir,
    env: { ...process.env, ...BENCH_SERVER_ENV, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    await waitForHealth(origin, child);
  } catch (error) {
    child.kill('SIGKILL');
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    throw error;
  }
  return {
    origin,
    port,
    pid: child.pid,
    label,
    child,
    databaseUrl,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

/** CPU seconds (user + system, all threads) and RSS of a process, from /proc. */
export function procStats(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime: the kernel's share is mostly loopback TCP, which a
    // real network card would spread differently, so both are recorded.
    const userSeconds = Number(fields[11]) / CLOCK_TICKS;
    const systemSeconds = Number(fields[12]) / CLOCK_TICKS;
    const cpuSeconds = userSeconds + systemSeconds;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuSeconds, userSeconds, systemSeconds, rssBytes: rssKb * 1024, peakRssBytes: hwmKb * 1024 };
  } catch {
    return undefined;
  }
}

/** Fetches /metrics and returns the samples as name{labels} → value. */
export async function scrapeMetrics(origin) {
  const response = await fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await response.text();
  const samples = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples[line.slice(0, space)] = Number(line.slice(space + 1));
  }
  return samples;
}

/** Percentile of an ascending array (nearest rank). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return { n: 0, min: null, p50: null, p95: null, p99: null, max: null };
  return {
    n: sorted.length,
    min: round(sorted[0]),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1]),
  };
}

export function median(values) {
  const sorted = [...values].filter((v) => v !== null && v !== undefined && !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function round(value, digits = 2) {
  if (value === null || value === undefined || Number.isNaN(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** An HTTP client that keeps its session cookie and sends the app's Origin (the server requires it on writes). */
export class Http {
  constructor(origin) {
    this.origin = origin;
    this.cookie = '';
  }

  async request(method, path, body) {
    const response = await fetch(this.origin + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        origin: this.origin,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const text = await response.text();
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed };
  }
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once. */
export async function pool(count, concurrency, task) {
  const results = new Array(count);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Registers `count` users through POST /register, which signs each one in
 * (the same session a /login issues); returns their cookies and ids.
 * `login` additionally signs each one in through POST /login.
 */
export async function createUsers(origin, count, { prefix = 'b', offset = 0, concurrency = 4, login = false } = {}) {
  return pool(count, concurrency, async (i) => {
    const http = new Http(origin);
    const username = `${prefix}${offset + i}`;
    let result;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      result = await http.request('POST', '/register', { username, password: PASSWORD });
      if (result.status === 201) break;
      await sleep(200);
    }
    if (result.status !== 201) throw new Error(`register ${username}: ${result.status} ${JSON.stringify(result.body)}`);
    if (login) {
      const signedIn = await http.request('POST', '/login', { username, password: PASSWORD });
      if (signedIn.status !== 200) throw new Error(`login ${username}: ${signedIn.status}`);
    }
    return { username, userId: result.body.id, cookie: http.cookie };
  });
}

/** Creates a room as `user`; returns its id. */
export async function createRoom(origin, user, name) {
  const http = new Http(origin);
  http.cookie = user.cookie;
  const result = await http.request('POST', '/api/rooms', { name });
  if (result.status !== 201) throw new Error(`create room: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body.id;
}

/** Git revision and which source files differ from it, recorded with the results. */
export function revision() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).stdout?.toString().trim();
  const dirty = spawnSync('git', ['status', '--porcelain', 'src', 'public'], { cwd: ROOT }).stdout?.toString().trim();
  return { commit: head || null, uncommittedSourceChanges: dirty ? dirty.split('\n').length : 0 };
}

export function writeJson(path, value) {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * The generator's own runtime flags. Its stalls add to every latency it
 * measures: pinned to one CPU with V8's default concurrent GC, its event loop
 * stalled for 30–130 ms per 10 s window at 4,000 connections; with these,
 * 11–30 ms. BENCH_LOADGEN_NODE_ARGS replaces them, for experiments.
 */
const LOADGEN_NODE_ARGS = (process.env.BENCH_LOADGEN_NODE_ARGS ?? '--single-threaded-gc --max-semi-space-size=32').split(/\s+/).filter(Boolean);

/**
 * Starts bench/loadgen.mjs pinned to `cpu`, with a raised descriptor limit,
 * and returns `call(cmd, args)` that resolves with its reply (each call has a deadline).
 */
export function startLoadgen({ cpu } = {}) {
  const pin = cpu === undefined ? '' : `taskset -c ${cpu} `;
  const flags = ['--max-old-space-size=4096', ...LOADGEN_NODE_ARGS].join(' ');
  const child = spawn('sh', ['-c', `ulimit -n $(ulimit -Hn); exec ${pin}node ${flags} bench/loadgen.mjs`], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const waiting = new Map();
  child.on('message', (message) => {
    const waiter = waiting.get(message.id);
    if (!waiter) return;
    waiting.delete(message.id);
    clearTimeout(waiter.timer);
    if (message.ok) waiter.resolve(message.reply);
    else waiter.reject(new Error(`loadgen: ${message.error}`));
  });
  child.on('exit', (code) => {
    for (const waiter of waiting.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`loadgen exited with ${code}`));
    }
    waiting.clear();
  });
  return {
    pid: child.pid,
    call(cmd, args = {}, timeoutMs = 300_000) {
      const id = ++nextId;
      return new Promise((resolveCall, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`loadgen ${cmd} timed out`));
        }, timeoutMs);
        waiting.set(id, { resolve: resolveCall, reject, timer });
        child.send({ id, cmd, ...args });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ id: 0, cmd: 'exit' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Server-side figures for one load run: CPU share of one core and RSS over
 * the measurement window (from /proc, which costs the server nothing), and
 * the event-loop delay maximum from /metrics. Scraping /metrics stalls the
 * server (prom-client lists every open handle and descriptor), so it is
 * scraped only before the warm-up (prom-client resets the maximum on every
 * scrape) and after the drain: the maximum covers warm-up, measurement and
 * drain, and no measured message waits behind a scrape.
 *
 *   const w = await serverWindow(server);  // before the warm-up
 *   w.measureStart(); … w.measureEnd();   // around the measurement
 *   const figures = await w.end();          // after the drain
 */
export async function serverWindow(server) {
  await scrapeMetrics(server.origin).catch(() => undefined);
  let before;
  let after;
  let startedAt = 0;
  let seconds = 0;
  return {
    measureStart() {
      before = procStats(server.pid);
      startedAt = performance.now();
    },
    measureEnd() {
      after = procStats(server.pid);
      seconds = (performance.now() - startedAt) / 1000;
    },
    async end() {
      const scrapeStarted = performance.now();
      const metrics = await scrapeMetrics(server.origin).catch(() => ({}));
      const metricsScrapeMs = round(performance.now() - scrapeStarted, 1);
      return {
        metricsScrapeMs,
        cpuPercent: before && after ? round(((after.cpuSeconds - before.cpuSeconds) / seconds) * 100, 1) : null,
        systemCpuPercent: before && after ? round(((after.systemSeconds - before.systemSeconds) / seconds) * 100, 1) : null,
        rssMB: after ? round(after.rssBytes / 2 ** 20, 1) : null,
        eventLoopDelayMaxMs: metrics.callroom_nodejs_eventloop_lag_max_seconds !== undefined ? round(metrics.callroom_nodejs_eventloop_lag_max_seconds * 1000, 1) : null,
        heapUsedMB: metrics.callroom_nodejs_heap_size_used_bytes !== undefined ? round(metrics.callroom_nodejs_heap_size_used_bytes / 2 ** 20, 1) : null,
      };
    },
  };
}

/** Runs one load (`start()` returns its promise) with the server figures taken around it. */
export async function measuredRun(servers, { warmMs, measureMs }, start) {
  const windows = await Promise.all(servers.map((s) => serverWindow(s)));
  const running = start();
  await sleep(warmMs);
  for (const w of windows) w.measureStart();
  await sleep(measureMs);
  for (const w of windows) w.measureEnd();
  const result = await running;
  const figures = await Promise.all(windows.map((w) => w.end()));
  return { result, figures };
}

function cpuTimes() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const values = fields.map(Number);
  const idle = values[3] + (values[4] ?? 0);
  return { idle, total: values.reduce((a, b) => a + b, 0) };
}

/** Share of all CPUs busy over `ms`, in percent. */
export async function machineBusyPercent(ms = 2000) {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  return round((1 - (b.idle - a.idle) / Math.max(1, b.total - a.total)) * 100, 0);
}

/**
 * The machine is shared: before a part starts, wait (at most
 * BENCH_QUIET_WAIT_S seconds, default 180) until other work leaves the CPUs
 * mostly idle. Returns the busy share seen last, recorded with the results.
 */
export async function waitForQuiet(limitPercent = 25) {
  const deadline = Date.now() + (Number(process.env.BENCH_QUIET_WAIT_S ?? 180) * 1000);
  let busy = await machineBusyPercent();
  while (busy > limitPercent && Date.now() < deadline) {
    log(`  machine ${busy}% busy with other work; waiting for it to calm down`);
    await sleep(5000);
    busy = await machineBusyPercent();
  }
  return busy;
}
