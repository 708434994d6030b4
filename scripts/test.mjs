// The one command that runs every test: type check, build, unit and
// integration tests (real SQLite on disk), the integration tests again on
// PostgreSQL when TEST_DATABASE_URL names a server, the chat chaos test
// (two server processes, faults injected), then the browser end-to-end tests
// in a loopback-only network namespace. Stops at the first
// failing stage, and stops a stage that overruns its time bound: a hung
// stage fails with its name instead of running until CI gives up.
import { spawn } from 'node:child_process';

const minutes = (n) => n * 60_000;
// [name, command, time bound (about three times a normal run), extra environment]
const stages = [
  ['type check', ['npx', 'tsc', '-p', '.'], minutes(5)],
  ['build', ['node', 'scripts/build.mjs'], minutes(5)],
  ['unit tests', ['npm', 'run', '--silent', 'test:unit'], minutes(5)],
  ['integration tests on SQLite', ['npm', 'run', '--silent', 'test:integration'], minutes(10), { TEST_DATABASE_URL: '' }],
  ...(process.env.TEST_DATABASE_URL
    ? [['integration tests on PostgreSQL', ['npm', 'run', '--silent', 'test:integration'], minutes(10)]]
    : []),
  ['chat chaos test', ['npm', 'run', '--silent', 'test:chaos'], minutes(6)],
  ['browser end-to-end tests', ['npm', 'run', '--silent', 'test:e2e'], minutes(30)],
];
if (!process.env.TEST_DATABASE_URL) {
  console.log('TEST_DATABASE_URL is not set: the integration tests run on SQLite only.');
}
if (!process.env.TEST_REDIS_URL) {
  console.log('TEST_REDIS_URL is not set: the multi-instance (Redis) tests are skipped.');
}

/** Grace for a stage's processes to clean up (drop test databases) after SIGTERM, in milliseconds. */
const KILL_GRACE_MS = 10_000;

/** Signals a stage's whole process group; it may be gone already. */
function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

let current;
// The stage has its own process group: Ctrl-C, CI's stop or a closed terminal is passed on to it.
for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
  process.on(signal, () => {
    if (current) signalGroup(current.pid, signal);
    process.exit(128 + number);
  });
}

/**
 * Runs one stage in its own process group. Past its time bound the group gets
 * SIGTERM (so after-hooks can clean up and the runner can name what hung),
 * then SIGKILL; once the stage ends, anything it left running is killed.
 */
function run(command, args, timeout, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env }, detached: true });
    current = child;
    let overran = false;
    const timer = setTimeout(() => {
      overran = true;
      signalGroup(child.pid, 'SIGTERM');
      setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
    }, timeout);
    child.on('error', (error) => resolve(error.message));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      signalGroup(child.pid, 'SIGKILL');
      if (overran) resolve(`did not finish within ${timeout / 60_000} minutes`);
      else resolve(code === 0 ? undefined : `exit ${code ?? signal}`);
    });
  });
}

for (const [name, [command, ...args], timeout, env = {}] of stages) {
  console.log(`\n== ${name} ==`);
  const failure = await run(command, args, timeout, env);
  if (failure) {
    console.error(`\n${name} failed (${failure})`);
    process.exit(1);
  }
}
