// Runs the browser end-to-end tests inside a private network namespace that
// has only loopback, so WebRTC traffic never leaves this machine and Chromium
// gathers loopback candidates (see TESTING.md). Re-executes itself inside the
// namespace; fails loudly if it cannot create one.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

// Every browser test, or the files named: npm run test:e2e -- e2e/call.test.ts
const named = process.argv.slice(2).filter((arg) => arg.endsWith('.test.ts'));
const files = named.length > 0 ? named : readdirSync('e2e').filter((f) => f.endsWith('.test.ts')).map((f) => `e2e/${f}`);
// Node 22 applies --test-timeout to each file as a whole as well, and in-call.test.ts
// (six browsers in one call among its tests) takes over 3 minutes here: the bound
// is per file, and each test keeps its own, shorter, Playwright timeouts.
const testCommand = ['node', '--test', '--test-force-exit', '--test-concurrency=1', '--test-timeout=600000', ...files];

if (process.env.CALLROOM_E2E_NETNS === '1') {
  const result = spawnSync(testCommand[0], testCommand.slice(1), { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

const chrome = process.env.CHROME_PATH ?? '/usr/bin/chromium';
if (!existsSync(chrome)) {
  console.error(`Chromium not found at ${chrome}. Install it (apt-get install -y chromium) or set CHROME_PATH.`);
  process.exit(1);
}
if (!existsSync('dist/assets/room.js')) {
  console.error('dist/assets is missing: run `npm run build` first.');
  process.exit(1);
}

const inner = `ip link set lo up && CALLROOM_E2E_NETNS=1 node scripts/e2e.mjs ${named.join(' ')}`;
// As root a plain network namespace works; otherwise a user namespace maps us to root inside it.
const unshareFlags = process.getuid?.() === 0 ? ['-n'] : ['-r', '-n'];
const result = spawnSync('unshare', [...unshareFlags, 'sh', '-c', inner], { stdio: 'inherit' });
if (result.error) {
  console.error('could not create a network namespace:', result.error.message);
  process.exit(1);
}
process.exit(result.status ?? 1);
