// The benchmark suite (not part of `npm test`). Builds the current sources
// into a private folder, runs the parts asked for, and writes
// bench/results/latest.json and bench/results/latest.md.
//
//   npm run bench                      every part (about 11 minutes; 25 at most with waits)
//   npm run bench -- join chat         some parts: join, signalling, chat, weight, multiprocess
//   BENCH_QUICK=1 npm run bench        few trials, small steps (development)
//   BENCH_SKIP_BUILD=1                 use the existing dist/ instead of building
//   BENCH_PROFILE=1                    servers write CPU profiles to bench/results/profiles/
//                                      (summarise: node bench/lib/profile-summary.mjs <file>)
//   BENCH_QUIET_WAIT_S=180             how long a part waits for other work on the machine to stop
//
// Browser parts run inside a private network namespace that has only
// loopback (like scripts/e2e.mjs). The others need the machine's PostgreSQL
// (127.0.0.1:5432) and Redis (127.0.0.1:6379) and run outside it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QUICK, ROOT, log, prepareAppDir, revision, waitForQuiet, writeJson } from '../bench/lib/common.mjs';
import { renderMarkdown } from '../bench/lib/report.mjs';

const PARTS = ['join', 'signalling', 'chat', 'weight', 'multiprocess'];
const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = asked.filter((a) => !PARTS.includes(a));
if (unknown.length > 0) {
  console.error(`unknown part(s): ${unknown.join(', ')}; choose from ${PARTS.join(', ')}`);
  process.exit(2);
}
const parts = asked.length > 0 ? PARTS.filter((p) => asked.includes(p)) : PARTS;

const resultsDir = join(ROOT, 'bench/results');
const profileDir = join(resultsDir, 'profiles');
mkdirSync(resultsDir, { recursive: true });
const nodeArgs = process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
// For experiments with the server's runtime flags, e.g. BENCH_SERVER_NODE_ARGS="--single-threaded-gc".
if (process.env.BENCH_SERVER_NODE_ARGS) nodeArgs.push(...process.env.BENCH_SERVER_NODE_ARGS.split(/\s+/).filter(Boolean));
if (nodeArgs.length > 0) mkdirSync(profileDir, { recursive: true });

const chrome = process.env.CHROME_PATH ?? '/usr/bin/chromium';
if ((parts.includes('join') || parts.includes('weight')) && !existsSync(chrome)) {
  console.error(`Chromium not found at ${chrome}: apt-get install -y chromium, or set CHROME_PATH.`);
  process.exit(1);
}

const latestPath = join(resultsDir, 'latest.json');
let latest = { parts: {} };
if (existsSync(latestPath)) {
  try {
    latest = JSON.parse(readFileSync(latestPath, 'utf8'));
    latest.parts ??= {};
  } catch {
    latest = { parts: {} };
  }
}

log(`parts: ${parts.join(', ')}${QUICK ? ' (quick mode)' : ''}`);
const appDir = prepareAppDir({ build: process.env.BENCH_SKIP_BUILD !== '1' });
process.env.BENCH_APP_DIR = appDir;
const started = Date.now();
let failed = false;

/** Runs a browser part inside a loopback-only network namespace; it writes its result to a file. */
function inNamespace(script) {
  const out = join(appDir, `${script.replace(/\W/g, '_')}.json`);
  const inner = `ip link set lo up && exec node ${script} ${out}`;
  const flags = process.getuid?.() === 0 ? ['-n'] : ['-r', '-n'];
  const result = spawnSync('unshare', [...flags, 'sh', '-c', inner], { cwd: ROOT, stdio: 'inherit', env: process.env, timeout: 15 * 60_000 });
  if (result.error) throw new Error(`could not create a network namespace: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${script} exited with ${result.status ?? result.signal}`);
  return JSON.parse(readFileSync(out, 'utf8'));
}

const meta = {
  date: new Date().toISOString(),
  quick: QUICK,
  ...revision(),
  node: process.version,
  machine: `${spawnSync('nproc').stdout.toString().trim()} cores, ${/model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU'}, load average at start ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
};

try {
  for (const part of parts) {
    const partStarted = Date.now();
    log(`== ${part} ==`);
    const machineBusyPercentAtStart = await waitForQuiet();
    try {
      let result;
      if (part === 'join') result = inNamespace('bench/join.mjs');
      else if (part === 'signalling') result = await (await import('../bench/signalling.mjs')).runSignalling({ nodeArgs });
      else if (part === 'chat') result = await (await import('../bench/chat.mjs')).runChat({ nodeArgs });
      else if (part === 'weight') result = await (await import('../bench/weight.mjs')).runWeight();
      else if (part === 'multiprocess') result = await (await import('../bench/multiprocess.mjs')).runMultiprocess({ nodeArgs });
      latest.parts[part] = { ...meta, machineBusyPercentAtStart, seconds: Math.round((Date.now() - partStarted) / 1000), result };
    } catch (error) {
      failed = true;
      console.error(`${part} failed:`, error);
      latest.parts[part] = { ...meta, seconds: Math.round((Date.now() - partStarted) / 1000), error: String(error?.message ?? error) };
    }
    writeJson(latestPath, latest);
    writeFileSync(join(resultsDir, 'latest.md'), renderMarkdown(latest));
    log(`${part} took ${Math.round((Date.now() - partStarted) / 1000)} s`);
  }
} finally {
  rmSync(appDir, { recursive: true, force: true });
}
log(`done in ${Math.round((Date.now() - started) / 1000)} s: bench/results/latest.json, bench/results/latest.md`);
process.exit(failed ? 1 : 0);
