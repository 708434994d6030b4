import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `npm test` builds before the unit tests; run `npm run build` first when running this alone. */
const ASSETS = 'dist/assets';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.js') ? [join(dir, entry.name)] : [],
  );
}

test('the browser bundle builds its WebSocket URL from the page (wss: on https:), with no ws:// literal', () => {
  const scripts = files(ASSETS);
  assert.ok(scripts.length >= 4, 'the bundle was built');
  for (const file of scripts) {
    const code = readFileSync(file, 'utf8');
    assert.equal(/["'`]ws:\/\//.test(code), false, `${file} has a ws:// literal`);
    assert.equal(code.includes('innerHTML'), false, `${file} writes innerHTML`);
    assert.equal(/\beval\(|new Function\(/.test(code), false, `${file} evaluates strings`);
  }
});

test('no SQL is built from strings: every query has bound parameters (Kysely, or constant prepared statements)', () => {
  const sources = readdirSync('src/server', { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
  assert.ok(sources.length > 20);
  for (const file of sources) {
    const code = readFileSync(file, 'utf8');
    assert.equal(/sql`[^`]*\$\{/.test(code), false, `${file}: interpolation inside a sql template`);
    assert.equal(/sql\.raw\(|\.query\(\s*`/.test(code), false, `${file}: raw SQL`);
    assert.equal(/`\s*(SELECT|INSERT|UPDATE|DELETE)\b[^`]*\$\{/i.test(code), false, `${file}: SQL built in a template string`);
  }
});

test('each page asks for its script\'s shared chunks at once (modulepreload), not after the script arrives', async () => {
  const { createPageRenderer, readPreloads } = await import('../../src/server/http/pages.ts');
  const preloads = readPreloads(join(ASSETS, 'preload.json'));
  const pages = createPageRenderer('public/pages', preloads);
  for (const page of ['signin', 'dashboard', 'account', 'room'] as const) {
    const script = readFileSync(join(ASSETS, `${page}.js`), 'utf8');
    const imported = [...script.matchAll(/from"\.\/(chunks\/[\w-]+\.js)"/g)].map((m) => `/assets/${m[1]}`);
    assert.ok(imported.length > 0, `${page}.js imports a shared chunk`);
    const html = pages.render(page, 'en');
    for (const chunk of imported) assert.ok(html.includes(`<link rel="modulepreload" href="${chunk}">`), `${page} preloads ${chunk}`);
    assert.equal(html.includes('{{preload'), false);
  }
});
