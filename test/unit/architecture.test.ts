/**
 * The shape of the code, checked: which module may import which. Layers only
 * import downwards, nothing imports in a circle, the browser and the server
 * share only src/shared, and no module reaches into a library's private parts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

interface Import {
  from: string;
  /** A relative import, resolved to a path like `src/server/app.ts`; or a package name. */
  to: string;
  typeOnly: boolean;
}

const sources = readdirSync('src', { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
  .map((entry) => relative('.', join(entry.parentPath, entry.name)));

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'([^']+)'/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*'([^']+)'\s*\)/g;

function importsOf(file: string): Import[] {
  const code = readFileSync(file, 'utf8');
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) =>
    found.push({ from: file, to: specifier.startsWith('.') ? relative('.', resolve(dirname(file), specifier)) : specifier, typeOnly });
  for (const [, , type, specifier] of code.matchAll(IMPORT)) add(specifier!, type !== undefined);
  for (const [, specifier] of code.matchAll(DYNAMIC_IMPORT)) add(specifier!, false);
  return found;
}

const imports = sources.flatMap(importsOf);
const local = imports.filter((i) => i.to.startsWith('src/'));

/**
 * The server's layers, lowest first. A module imports only from its own layer
 * or those below; `context.ts` describes what the routes are given.
 */
const SERVER_LAYERS: Array<[name: string, matches: (path: string) => boolean]> = [
  ['core', (p) => /^src\/server\/(ids|config|clock|metrics|turn-credentials)\.ts$/.test(p) || p.startsWith('src/server/limits/')],
  ['db', (p) => p.startsWith('src/server/db/')],
  ['repos', (p) => p.startsWith('src/server/repos/')],
  ['realtime', (p) => p.startsWith('src/server/realtime/')],
  ['http', (p) => p.startsWith('src/server/http/')],
  ['auth', (p) => p.startsWith('src/server/auth/')],
  ['routes', (p) => p.startsWith('src/server/routes/') || p === 'src/server/context.ts'],
  ['app', (p) => p === 'src/server/app.ts'],
  ['main', (p) => p === 'src/server/main.ts'],
];

function layerOf(path: string): number {
  if (path.startsWith('src/shared/')) return -1;
  const index = SERVER_LAYERS.findIndex(([, matches]) => matches(path));
  assert.notEqual(index, -1, `${path} belongs to no layer: add it to SERVER_LAYERS`);
  return index;
}

test('every relative import names a file that exists', () => {
  const known = new Set(sources);
  for (const { from, to } of local) assert.ok(known.has(to), `${from} imports ${to}, which does not exist`);
});

test('no module imports in a circle', () => {
  const graph = new Map<string, string[]>();
  for (const { from, to } of local) graph.set(from, [...(graph.get(from) ?? []), to]);
  const done = new Set<string>();
  const visit = (file: string, path: string[]) => {
    const seen = path.indexOf(file);
    assert.equal(seen, -1, `import cycle: ${[...path.slice(seen), file].join(' → ')}`);
    if (done.has(file)) return;
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    done.add(file);
  };
  for (const file of sources) visit(file, []);
});

test('server layers import only downwards', () => {
  for (const { from, to } of local.filter((i) => i.from.startsWith('src/server/'))) {
    assert.ok(layerOf(to) <= layerOf(from), `${from} (${SERVER_LAYERS[layerOf(from)]![0]}) imports ${to} (${SERVER_LAYERS[layerOf(to)]?.[0]})`);
  }
});

test('the browser and the server share only src/shared, which depends on nothing of theirs', () => {
  for (const { from, to } of local) {
    if (from.startsWith('src/shared/')) assert.ok(to.startsWith('src/shared/'), `${from} imports ${to}`);
    if (from.startsWith('src/client/')) assert.ok(!to.startsWith('src/server/'), `${from} imports ${to}`);
    if (from.startsWith('src/server/')) assert.ok(!to.startsWith('src/client/'), `${from} imports ${to}`);
  }
  const shared = imports.filter((i) => i.from.startsWith('src/shared/') && !i.to.startsWith('src/'));
  for (const { from, to } of shared) assert.equal(to, 'zod/mini', `${from} imports the package ${to}: shared code runs in the browser too`);
});

test('the browser takes only types from the HTTP contract (its schemas stay out of the bundles)', () => {
  for (const { from, to, typeOnly } of local) {
    if (from.startsWith('src/client/') && to === 'src/shared/api.ts') assert.ok(typeOnly, `${from} imports values from src/shared/api.ts`);
  }
});

/** The packages the browser bundles may hold; each one is reviewed before it is added. */
const BROWSER_PACKAGES: ReadonlySet<string> = new Set(['uqr']);

test('the browser code imports only the reviewed packages, and the room logic does not import ws', () => {
  for (const { from, to } of imports) {
    if (from.startsWith('src/client/')) assert.ok(to.startsWith('src/') || BROWSER_PACKAGES.has(to), `${from} imports the package ${to}`);
    if (from.startsWith('src/server/realtime/')) assert.notEqual(to, 'ws', `${from} imports ws: room logic depends on PeerSocket`);
  }
});

test("no module reads another library's private members (by convention, names starting with _)", () => {
  for (const file of sources) {
    const code = readFileSync(file, 'utf8');
    const access = /\.\s*_[A-Za-z]\w*/.exec(code);
    assert.equal(access, null, `${file} reads ${access?.[0]}`);
  }
});
