// The one command that runs every test: type check, build, unit and
// integration tests (real SQLite on disk), then the browser end-to-end tests
// in a loopback-only network namespace. Stops at the first failing stage.
import { spawnSync } from 'node:child_process';

const stages = [
  ['type check', ['npx', 'tsc', '-p', '.']],
  ['build', ['node', 'scripts/build.mjs']],
  ['unit and integration tests', ['npm', 'run', '--silent', 'test:unit']],
  ['browser end-to-end tests', ['npm', 'run', '--silent', 'test:e2e']],
];

for (const [name, [command, ...args]] of stages) {
  console.log(`\n== ${name} ==`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n${name} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
