// Summarises a sampling heap profile (.heapprofile, e.g. from heap-sampling.cjs):
// bytes by allocating function, then by the last five frames of the stack.
//   node bench/lib/heap-summary.mjs <file.heapprofile> [top]
import { readFileSync } from 'node:fs';
import { frameLabel } from './frame-label.mjs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg) || 20;
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byFunction = new Map();
const byStack = new Map();
let total = 0;
const walk = (node, stack) => {
  const here = [...stack, frameLabel(node.callFrame)];
  if (node.selfSize > 0) {
    total += node.selfSize;
    byFunction.set(here.at(-1), (byFunction.get(here.at(-1)) ?? 0) + node.selfSize);
    const key = here.slice(-5).reverse().join(' < ');
    byStack.set(key, (byStack.get(key) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, here);
};
walk(profile.head, []);
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(2).padStart(7)} MB`;
console.log(`sampled ${mb(total)}\n\nby allocating function:`);
for (const [name, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${mb(bytes)}  ${name}`);
console.log('\nby stack (innermost first):');
for (const [stack, bytes] of [...byStack].sort((a, b) => b[1] - a[1]).slice(0, Math.ceil(top / 2))) console.log(`${mb(bytes)}  ${stack}`);
