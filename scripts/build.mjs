// Builds the browser bundles (one per page) and the server into dist/.
// Fails loudly: any esbuild error exits non-zero.
import { build } from 'esbuild';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

await rm('dist', { recursive: true, force: true });

const client = await build({
  entryPoints: {
    signin: 'src/client/signin/main.ts',
    dashboard: 'src/client/dashboard/main.ts',
    room: 'src/client/room/main.ts',
    account: 'src/client/account/main.ts',
    app: 'src/client/styles/app.css',
  },
  outdir: 'dist/assets',
  bundle: true,
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

// The shared chunks each page's script imports, so the page can ask for them
// at once (<link rel="modulepreload">) instead of after its script arrives.
const outputs = client.metafile.outputs;
const chunksOf = (file, seen = new Set()) => {
  for (const { path, kind } of outputs[file]?.imports ?? []) {
    if (kind !== 'import-statement' || seen.has(path)) continue;
    seen.add(path);
    chunksOf(path, seen);
  }
  return seen;
};
const preloads = {};
for (const [file, output] of Object.entries(outputs)) {
  if (!output.entryPoint || !file.endsWith('.js')) continue;
  const page = file.slice('dist/assets/'.length, -'.js'.length);
  preloads[page] = [...chunksOf(file)].map((path) => `/${path.replace(/^dist\//, '')}`);
}
await writeFile('dist/assets/preload.json', `${JSON.stringify(preloads, null, 2)}\n`);

// Compressed once here rather than per request: the server sends the .br or
// .gz twin when the browser accepts it (a cold room page: ~78 KB → ~23 KB).
for (const entry of await readdir('dist/assets', { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !/\.(js|css)$/.test(entry.name)) continue;
  const file = join(entry.parentPath, entry.name);
  const content = await readFile(file);
  await writeFile(`${file}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  await writeFile(`${file}.gz`, gzipSync(content, { level: 9 }));
}

// The server: one CommonJS file holding our code and every pure-JavaScript
// dependency. An idle server is mostly the code it loaded (docs/performance.md,
// "What bounds base RSS"): one file without comments or indentation keeps
// V8's copy of the sources and its per-module bookkeeping ~6 MB smaller than
// the same code loaded from 500 files in node_modules. Function names are
// kept, so a stack trace still says which function threw; `dist/server/main.cjs.map`
// maps it back with `node --enable-source-maps` (which costs ~4 MB of RSS).
await build({
  entryPoints: ['src/server/main.ts'],
  outfile: 'dist/server/main.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Native addons; Swagger UI, which serves files from its own folder; and the
  // PostgreSQL and Redis clients, loaded only when configured.
  external: ['better-sqlite3', '@node-rs/argon2', 'callroom-memory-release', '@fastify/swagger-ui', 'pg', 'ioredis'],
  define: { 'import.meta.url': 'importMetaUrl' },
  // The directive must open the file: after the banner's statement it would
  // be an ordinary string, and the whole bundle would run in sloppy mode.
  banner: { js: `"use strict";var importMetaUrl = require('node:url').pathToFileURL(__filename).href;` },
  minifyWhitespace: true,
  minifySyntax: true,
  // Node prints the whole source line of an uncaught exception.
  lineLimit: 500,
  // The bundled packages' license notices, in dist/server/main.cjs.LEGAL.txt.
  legalComments: 'external',
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  write: true,
});
const serverCode = await readFile('dist/server/main.cjs', 'latin1');
if (!serverCode.startsWith('"use strict";')) {
  console.error('dist/server/main.cjs does not start with "use strict": it would run in sloppy mode');
  process.exit(1);
}
// V8 holds a script with any non-ASCII character as two bytes per character:
// esbuild escapes them (charset 'ascii'), and this keeps it that way.
const nonAscii = serverCode.search(/[^\x00-\x7f]/);
if (nonAscii >= 0) {
  console.error(`dist/server/main.cjs has a non-ASCII character at ${nonAscii}: ${JSON.stringify(serverCode.slice(nonAscii - 40, nonAscii + 40))}`);
  process.exit(1);
}
