/**
 * Page weight: the JavaScript and CSS that the sign-in, dashboard and room
 * pages load (every script and stylesheet response, dynamic chunks
 * included), raw and gzipped (level 9), and Lighthouse 12.2.3 performance,
 * accessibility and best-practices scores (default mobile profile with
 * simulated throttling), fetched with
 * `npx --yes lighthouse@12.2.3` rather than installed in the project.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { QUICK, createRoom, createUsers, log, median, round, startServer } from './lib/common.mjs';

const LIGHTHOUSE = 'lighthouse@12.2.3';
const RUNS = QUICK ? 1 : 3;
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

async function assets(browser, url, cookie) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  if (cookie) {
    const [name, value] = cookie.split('=');
    await context.addCookies([{ name, value, url }]);
  }
  const page = await context.newPage();
  const seen = [];
  page.on('response', (response) => {
    const type = response.request().resourceType();
    if (type === 'script' || type === 'stylesheet') seen.push({ type, response });
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  const files = [];
  for (const { type, response } of seen) {
    const body = await response.body().catch(() => Buffer.alloc(0));
    files.push({ url: new URL(response.url()).pathname, type, raw: body.length, gzip: gzipSync(body, { level: 9 }).length, encoding: response.headers()['content-encoding'] ?? null });
  }
  await context.close();
  const sum = (type, key) => files.filter((f) => f.type === type).reduce((n, f) => n + f[key], 0) / 1024;
  return {
    jsRawKB: round(sum('script', 'raw'), 1),
    jsGzipKB: round(sum('script', 'gzip'), 1),
    cssRawKB: round(sum('stylesheet', 'raw'), 1),
    cssGzipKB: round(sum('stylesheet', 'gzip'), 1),
    servedCompressed: files.length > 0 && files.every((f) => f.encoding),
    files,
  };
}

function lighthouse(url, cookie, dir) {
  const scores = [];
  const accessibility = [];
  const bestPractices = [];
  const metrics = [];
  for (let i = 0; i < RUNS; i += 1) {
    const output = join(dir, `lh-${i}.json`);
    const args = ['--yes', LIGHTHOUSE, url, '--output=json', `--output-path=${output}`, '--only-categories=performance,accessibility,best-practices', '--quiet',
      `--chrome-flags=--headless=new ${FLAGS.join(' ')}`];
    if (cookie) args.push(`--extra-headers=${JSON.stringify({ Cookie: cookie })}`);
    let result;
    // Lighthouse's trace recording fails now and then (NO_NAVSTART); one retry.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      result = spawnSync('npx', args, { env: { ...process.env, CHROME_PATH: CHROME }, encoding: 'utf8', timeout: 180_000 });
      if (result.status === 0) break;
    }
    if (result.status !== 0) return { error: `lighthouse failed (${result.status ?? result.signal}): ${(result.stderr || '').trim().split('\n').slice(-3).join(' ')}` };
    const report = JSON.parse(readFileSync(output, 'utf8'));
    scores.push(Math.round(report.categories.performance.score * 100));
    accessibility.push(Math.round(report.categories.accessibility.score * 100));
    bestPractices.push(Math.round(report.categories['best-practices'].score * 100));
    const audit = (id) => report.audits[id]?.numericValue;
    metrics.push({ fcpMs: audit('first-contentful-paint'), lcpMs: audit('largest-contentful-paint'), tbtMs: audit('total-blocking-time'), cls: audit('cumulative-layout-shift'), speedIndexMs: audit('speed-index') });
  }
  const mid = (key) => round(median(metrics.map((m) => m[key])), key === 'cls' ? 3 : 0);
  return { median: median(scores), scores, accessibility: median(accessibility), bestPractices: median(bestPractices), fcpMs: mid('fcpMs'), lcpMs: mid('lcpMs'), tbtMs: mid('tbtMs'), cls: mid('cls'), speedIndexMs: mid('speedIndexMs') };
}

export async function runWeight() {
  const server = await startServer({ label: 'weight' });
  const dir = mkdtempSync(join(tmpdir(), 'callroom-bench-lh-'));
  const browser = await chromium.launch({ executablePath: CHROME, args: FLAGS });
  try {
    const [user] = await createUsers(server.origin, 1, { prefix: 'weight' });
    const roomId = await createRoom(server.origin, user, 'weight');
    const pages = [
      { page: 'sign-in', url: `${server.origin}/`, cookie: null },
      { page: 'dashboard', url: `${server.origin}/dashboard`, cookie: user.cookie },
      { page: 'room', url: `${server.origin}/room/${roomId}`, cookie: user.cookie },
    ];
    // Fetch Lighthouse once (outside any timing); say so if the registry cannot be reached.
    const fetched = spawnSync('npx', ['--yes', LIGHTHOUSE, '--version'], { encoding: 'utf8', timeout: 300_000 });
    const lighthouseAvailable = fetched.status === 0;
    if (!lighthouseAvailable) log(`  npx could not fetch ${LIGHTHOUSE}: ${(fetched.stderr || '').trim().split('\n').slice(-2).join(' ')}`);
    const results = [];
    for (const p of pages) {
      const weight = await assets(browser, p.url, p.cookie);
      const lh = lighthouseAvailable ? lighthouse(p.url, p.cookie, dir) : { error: `npx could not fetch ${LIGHTHOUSE}` };
      results.push({ page: p.page, ...weight, lighthouse: lh });
      log(`  ${p.page}: JS ${weight.jsGzipKB} KB gz (${weight.jsRawKB} KB raw), CSS ${weight.cssGzipKB} KB gz, served compressed: ${weight.servedCompressed}, Lighthouse performance ${lh.median ?? lh.error} (${lh.scores?.join(', ') ?? ''}), accessibility ${lh.accessibility ?? '-'}, best practices ${lh.bestPractices ?? '-'}`);
    }
    return {
      definition: 'Every script and stylesheet response of the page load (Playwright, networkidle), gzip level 9 sizes; Lighthouse performance, accessibility and best-practices categories, default mobile profile (simulated throttling), median of runs.',
      lighthouseVersion: lighthouseAvailable ? fetched.stdout.trim() : null,
      runs: RUNS,
      pages: results,
    };
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
