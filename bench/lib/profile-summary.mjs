// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by
// function and by package, the top entries first, over the busiest
// `window` seconds of the profile (the load, not start-up or idle time).
//   node bench/lib/profile-summary.mjs <file.cpuprofile> [top] [window seconds] [window start second]
import { readFileSync } from 'node:fs';
import { frameLabel, shortUrl } from './frame-label.mjs';

const [file, topArg, windowArg, startArg] = process.argv.slice(2);
const top = Number(topArg) || 25;
const windowSeconds = Number(windowArg) || 10;
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
const deltas = profile.timeDeltas;
const times = [];
let clock = 0;
for (let i = 0; i < profile.samples.length; i += 1) {
  clock += deltas[i] ?? 0;
  times.push(clock);
}
// Busy microseconds per second of the profile, then the busiest window.
const busy = [];
for (let i = 0; i < times.length; i += 1) {
  const second = Math.floor(times[i] / 1e6);
  busy[second] = (busy[second] ?? 0) + (idleIds.has(profile.samples[i]) ? 0 : deltas[i] ?? 0);
}
let best = 0;
let bestSum = -1;
for (let s = 0; s + windowSeconds <= busy.length; s += 1) {
  let sum = 0;
  for (let k = s; k < s + windowSeconds; k += 1) sum += busy[k] ?? 0;
  if (sum > bestSum) [best, bestSum] = [s, sum];
}
if (startArg !== undefined) {
  best = Number(startArg);
  bestSum = 0;
  for (let k = best; k < best + windowSeconds; k += 1) bestSum += busy[k] ?? 0;
}
console.log(`busy ms per second: ${busy.map((b) => Math.round((b ?? 0) / 1000)).join(' ')}`);
console.log(`window: seconds ${best}–${best + windowSeconds} of ${busy.length}, main thread busy ${((bestSum / (windowSeconds * 1e6)) * 100).toFixed(0)}%`);
const self = new Map();
for (let i = 0; i < profile.samples.length; i += 1) {
  if (times[i] < best * 1e6 || times[i] >= (best + windowSeconds) * 1e6) continue;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (deltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map();
const pkg = new Map();
for (const [id, us] of self) {
  const { callFrame } = byId.get(id);
  const where = shortUrl(callFrame.url);
  const key = frameLabel(callFrame, '  ');
  fn.set(key, (fn.get(key) ?? 0) + us);
  const group = !callFrame.url ? callFrame.functionName || '(native)' : where.startsWith('nm:') ? where.split('/').slice(0, where.startsWith('nm:@') ? 2 : 1).join('/') : where.startsWith('node:') ? 'node:' + where.slice(5).split('/')[0] : where.split(':')[0];
  pkg.set(group, (pkg.get(group) ?? 0) + us);
}
const show = (title, map) => {
  console.log(`\n${title} (of ${(total / 1e6).toFixed(1)} s sampled)`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
};
show('self time by package', pkg);
show('self time by function', fn);

// The longest stretches without an idle sample (event-loop stalls) and what filled them:
// self time by function, and by the outermost JavaScript frame (the task that ran).
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const outermost = (id) => {
  let frame = id;
  let best = id;
  while (parent.has(frame)) {
    frame = parent.get(frame);
    const { callFrame } = byId.get(frame);
    if (callFrame.url) best = frame;
  }
  const { callFrame } = byId.get(best);
  return frameLabel(callFrame, '  ');
};
const stretches = [];
let current = null;
for (let i = 0; i < profile.samples.length; i += 1) {
  const idle = idleIds.has(profile.samples[i]);
  if (!idle) {
    current ??= { start: times[i], end: times[i], samples: [] };
    current.end = times[i];
    current.samples.push(i);
  } else if (current) {
    stretches.push(current);
    current = null;
  }
}
if (current) stretches.push(current);
console.log('\nlongest stretches without idle (ms, at second of profile):');
const fromSecond = Number(process.env.STRETCH_FROM_S ?? 0);
for (const stretch of stretches.filter((s) => s.start >= fromSecond * 1e6).sort((a, b) => (b.end - b.start) - (a.end - a.start)).slice(0, 6)) {
  const bySelf = new Map();
  const byTask = new Map();
  for (const i of stretch.samples) {
    const id = profile.samples[i];
    const { callFrame } = byId.get(id);
    const key = frameLabel(callFrame);
    bySelf.set(key, (bySelf.get(key) ?? 0) + (deltas[i] ?? 0));
    const task = outermost(id);
    byTask.set(task, (byTask.get(task) ?? 0) + (deltas[i] ?? 0));
  }
  const fmt = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, us]) => `${(us / 1000).toFixed(0)} ms ${k}`).join('; ');
  console.log(`${((stretch.end - stretch.start) / 1000).toFixed(0).padStart(5)} ms at ${(stretch.start / 1e6).toFixed(1)} s\n    self: ${fmt(bySelf)}\n    tasks: ${fmt(byTask)}`);
}
