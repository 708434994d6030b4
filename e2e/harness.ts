/**
 * Shared pieces of the browser tests: the real server as a child process on
 * a fresh SQLite file, Debian's Chromium with fake media, users who sign up
 * through the UI, and collectors for CSP violations and page errors.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/net.ts';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const PASSWORD = 'correct horse battery';

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  // Two fake cameras (to switch between) and a fake screen for getDisplayMedia.
  '--use-fake-device-for-media-stream=device-count=2',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];


export interface AppProcess {
  origin: string;
  /** Everything the server wrote to stdout so far (JSON log lines), across restarts. */
  output: string[];
  /** Kills the server (SIGKILL for a crash, SIGTERM for a graceful stop) and waits for it to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and database. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function waitForHealth(origin: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${origin}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startApp(env: Record<string, string> = {}): Promise<AppProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'callroom-e2e-'));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const spawnServer = () =>
    spawn('node', ['src/server/main.ts'], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'e2e.db')}`, ICE_SERVERS: 'none', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  const output: string[] = [];
  const start = () => {
    const server = spawnServer();
    // Still shown as before, and kept so a test can check what was logged.
    server.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      output.push(chunk.toString());
    });
    return server;
  };
  let child = start();
  await waitForHealth(origin, child);
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  return {
    origin,
    output,
    kill,
    async restart() {
      child = start();
      await waitForHealth(origin, child);
    },
    async stop() {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}

/** Problems a page reported: CSP or Trusted Types violations, uncaught errors. */
export interface PageProblems {
  csp: string[];
  errors: string[];
}

export async function newUserContext(browser: Browser, origin: string, options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}) {
  const context = await browser.newContext({
    baseURL: origin,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    permissions: ['camera', 'microphone'],
  });
  return context;
}

export function watchPage(page: Page): PageProblems {
  const problems: PageProblems = { csp: [], errors: [] };
  page.on('console', (message) => {
    const text = message.text();
    if (/Refused to|Content Security Policy|TrustedHTML|Trusted Type|Permissions-Policy/i.test(text)) problems.csp.push(text);
  });
  page.on('pageerror', (error) => problems.errors.push(error.message));
  return problems;
}

/**
 * What a page heard about the room, from its WebSocket frames: sockets
 * opening and closing, joins, who came and went, errors. A failure that
 * depends on timing (a peer missing from one page) is explained by it.
 */
export function recordRoomEvents(page: Page): string[] {
  const events: string[] = [];
  const started = Date.now();
  const note = (text: string) => events.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${text}`);
  page.on('websocket', (socket) => {
    note('socket open');
    socket.on('close', () => note('socket closed'));
    socket.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string') return;
      try {
        const message = JSON.parse(payload) as { type: string; selfId?: string; resumed?: boolean; peers?: { peerId: string }[]; peer?: { peerId: string }; peerId?: string; code?: string; ref?: string };
        if (message.type === 'joined') note(`joined as ${message.selfId} resumed=${message.resumed} with ${message.peers?.map((p) => p.peerId).join(',')}`);
        else if (message.type === 'peer-joined') note(`peer-joined ${message.peer?.peerId}`);
        else if (message.type === 'peer-left') note(`peer-left ${message.peerId}`);
        else if (message.type === 'error') note(`error ${message.code} on ${message.ref}`);
      } catch {
        note('unreadable frame');
      }
    });
  });
  return events;
}

/** A `securitypolicyviolation` DOM event (CSP or Trusted Types), as the page saw it. */
export interface CspViolation {
  directive: string;
  blocked: string;
  sample: string;
  document: string;
}

/**
 * Records every `securitypolicyviolation` event of the page's documents, across
 * navigations: the DOM events themselves, in addition to the console lines
 * `watchPage` collects. Reports arrive asynchronously, a moment after the violation.
 */
export async function watchCspViolations(page: Page): Promise<CspViolation[]> {
  const violations: CspViolation[] = [];
  await page.exposeBinding('__reportCspViolation', (_source, violation: CspViolation) => {
    violations.push(violation);
  });
  await page.addInitScript(() => {
    window.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportCspViolation(v: unknown): void }).__reportCspViolation;
      report({ directive: event.effectiveDirective, blocked: event.blockedURI, sample: event.sample, document: event.documentURI });
    }, true);
  });
  return violations;
}

export async function registerThroughUi(page: Page, username: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: /No account yet|Нет аккаунта/ }).click();
  const form = page.locator('#register-form');
  await form.getByLabel(/Username|Имя пользователя/).fill(username);
  await form.getByLabel(/^(Password|Пароль)/).fill(PASSWORD);
  await form.getByRole('button', { name: /Create account|Создать аккаунт/ }).click();
  await page.waitForURL('**/dashboard');
}

/** Creates an account through the API (faster than the form, for tests about other things); the page is then signed in. */
export async function signUp(page: Page, username: string): Promise<void> {
  await page.goto('/');
  const status = await page.evaluate(async ([name, password]) => {
    const response = await fetch('/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: name, password }) });
    return response.status;
  }, [username, PASSWORD] as const);
  if (status !== 201) throw new Error(`sign-up of ${username} failed: ${status}`);
}

/** Opens the chat panel of a room page if it is not showing. */
export async function openChat(page: Page): Promise<void> {
  if (await page.locator('[data-view=chat]').isVisible()) return;
  await page.locator('.controls [data-action=chat]').click();
  await page.locator('[data-view=chat]').waitFor();
}

/** Creates a room as the page's signed-in user, through the API; returns its id. */
export function createRoom(page: Page, name: string): Promise<string> {
  return page.evaluate(async (roomName) => {
    const response = await fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: roomName }) });
    return ((await response.json()) as { id: string }).id;
  }, name);
}

/** Presses Join on the room page's pre-join screen. */
export async function joinCall(page: Page): Promise<void> {
  await page.locator('[data-action=join]').click();
}

/** Opens a room page and joins its call, as a user following the room's link does. */
export async function enterRoom(page: Page, roomId: string): Promise<void> {
  await page.goto(`/room/${roomId}`);
  await joinCall(page);
}

/** Remote video frames decoded so far on this page, per remote peer. */
export function decodedFrames(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const call = (window as unknown as { __call?: { decodedFrames(): Promise<Record<string, number>> } }).__call;
    return call ? call.decodedFrames() : {};
  });
}

/** Waits until `peers` remote videos have decoded frames, and returns the counts. */
export async function waitForRemoteVideo(page: Page, peers: number, timeoutMs = 20_000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frames = await decodedFrames(page);
    const values = Object.values(frames);
    if (values.length === peers && values.every((n) => n > 0)) return frames;
    if (Date.now() > deadline) throw new Error(`remote video not decoded: ${JSON.stringify(frames)}`);
    await page.waitForTimeout(200);
  }
}

export type { Browser, BrowserContext, Page };

export interface Coturn {
  url: string;
  secret: string;
  port: number;
  stop(): Promise<void>;
}

/** A real coturn on loopback, checking TURN REST credentials against `secret`. */
export async function startCoturn(secret: string): Promise<Coturn> {
  const port = await freePort();
  const child = spawn('turnserver', [
    '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    '--min-port=49160', '--max-port=49200', '--use-auth-secret', `--static-auth-secret=${secret}`,
    '--realm=callroom.test', '--no-tls', '--no-dtls', '--no-cli', '--fingerprint', '--no-multicast-peers',
    // Tests only: the peers are on loopback, which production configs deny.
    '--allow-loopback-peers', '--log-file=stdout', '--simple-log',
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (/Total General servers|IPv4. UDP listener opened/.test(log)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`turnserver exited with ${code}: ${log.slice(-500)}`)));
  });
  child.stdout!.resume();
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    secret,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Tries one TURN allocation with coturn's own client; true when the server accepted the credentials. */
export function turnAllocates(port: number, username: string, credential: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('turnutils_uclient', ['-y', '-n', '1', '-m', '1', '-u', username, '-w', credential, '-p', String(port), '127.0.0.1'], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

export interface PrivatePostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL cluster inside the test's network namespace (the
 * machine's own server on the host's loopback cannot be reached from it).
 * Runs as the `postgres` user, since PostgreSQL refuses to run as root.
 */
export async function startPostgres(): Promise<PrivatePostgres> {
  const version = readdirSync('/usr/lib/postgresql').sort().pop();
  if (!version) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const bin = `/usr/lib/postgresql/${version}/bin`;
  const dir = mkdtempSync(join(tmpdir(), 'callroom-pg-'));
  const port = await freePort();
  const asPostgres = (args: string[]) => (process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...args] : args);
  const run = async (args: string[]) => {
    const [command, ...rest] = asPostgres(args);
    const child = spawn(command!, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`${args[0]} failed: ${stderr.slice(-500)}`);
  };
  spawnSync('chown', ['postgres:postgres', dir]);
  await run([`${bin}/initdb`, '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  await run([`${bin}/pg_ctl`, '-D', join(dir, 'data'), '-o', `-k ${dir} -h 127.0.0.1 -p ${port} -c fsync=off`, '-l', join(dir, 'log'), '-w', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await run([`${bin}/pg_ctl`, '-D', join(dir, 'data'), '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
