// The one command that runs every test: type check, build, unit and
// integration tests (real SQLite on disk), the integration tests again on
// PostgreSQL when TEST_DATABASE_URL names a server, the chat chaos test
// (two server processes, faults injected), then the browser end-to-end tests
// in a loopback-only network namespace. Stops at the first
// failing stage.
import { spawnSync } from 'node:child_process';

const stages = [
  ['type check', ['npx', 'tsc', '-p', '.']],
  ['build', ['node', 'scripts/build.mjs']],
  ['unit tests', ['npm', 'run', '--silent', 'test:unit']],
  ['integration tests on SQLite', ['npm', 'run', '--silent', 'test:integration'], { TEST_DATABASE_URL: '' }],
  ...(process.env.TEST_DATABASE_URL
    ? [['integration tests on PostgreSQL', ['npm', 'run', '--silent', 'test:integration']]]
    : []),
  ['chat chaos test', ['npm', 'run', '--silent', 'test:chaos']],
  ['browser end-to-end tests', ['npm', 'run', '--silent', 'test:e2e']],
];
if (!process.env.TEST_DATABASE_URL) {
  console.log('TEST_DATABASE_URL is not set: the integration tests run on SQLite only.');
}
if (!process.env.TEST_REDIS_URL) {
  console.log('TEST_REDIS_URL is not set: the multi-instance (Redis) tests are skipped.');
}

for (const [name, [command, ...args], env = {}] of stages) {
  console.log(`\n== ${name} ==`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`\n${name} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
