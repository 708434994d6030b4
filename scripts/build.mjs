// Builds the browser bundles (one per page) into dist/assets. The server needs
// no build: Node runs its TypeScript as it is (src/server/main.ts).
// Fails loudly: any esbuild error exits non-zero.
import { build } from 'esbuild';
import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { appIcons } from './app-icons.ts';
import { webManifest } from './web-manifest.ts';

await rm('dist', { recursive: true, force: true });

const client = await build({
  entryPoints: {
    signin: 'src/client/signin/main.ts',
    dashboard: 'src/client/dashboard/main.ts',
    room: 'src/client/room/main.ts',
    account: 'src/client/account/main.ts',
    'not-found': 'src/client/not-found/main.ts',
    guest: 'src/client/guest/main.ts',
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

// The favicon, served next to the bundles, and what installs the app on a
// phone: its manifest and bitmap icons.
await copyFile('src/client/assets/icon.svg', 'dist/assets/icon.svg');
for (const [name, png] of Object.entries(appIcons())) await writeFile(`dist/assets/${name}`, png);
await writeFile('dist/assets/manifest.webmanifest', `${JSON.stringify(webManifest(), null, 2)}\n`);

// Compressed once here rather than per request: the server sends the .br or
// .gz twin when the browser accepts it (a cold room page: ~78 KB → ~23 KB).
for (const entry of await readdir('dist/assets', { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !/\.(js|css|svg|webmanifest)$/.test(entry.name)) continue;
  const file = join(entry.parentPath, entry.name);
  const content = await readFile(file);
  await writeFile(`${file}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  await writeFile(`${file}.gz`, gzipSync(content, { level: 9 }));
}
