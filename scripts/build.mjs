// Builds the browser bundles (one per page) and the server into dist/.
// Fails loudly: any esbuild error exits non-zero.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

await rm('dist', { recursive: true, force: true });

await build({
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
});

await build({
  entryPoints: ['src/server/main.ts'],
  outfile: 'dist/server/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
