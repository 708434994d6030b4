/** The installable app: its manifest names icons the build writes, drawn like the favicon. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { appIcons } from '../../scripts/app-icons.ts';
import { webManifest } from '../../scripts/web-manifest.ts';

/** The RGBA pixel at x, y of a PNG written by encodePng (8-bit RGBA, filter 0 on every row). */
function pixel(png: Buffer, x: number, y: number): number[] {
  const size = png.readUInt32BE(16);
  let at = 8;
  const data: Buffer[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') data.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const rows = inflateSync(Buffer.concat(data));
  const i = y * (size * 4 + 1) + 1 + x * 4;
  return [...rows.subarray(i, i + 4)];
}

test('the bitmap icons are the favicon’s shapes: a white camera on a blue rounded square', () => {
  // The rasterizer draws these shapes; if icon.svg changes, scripts/app-icons.ts must follow.
  assert.equal(
    readFileSync('src/client/assets/icon.svg', 'utf8').trim(),
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#2f7de1"/><path fill="#fff" d="M14 22a4 4 0 0 1 4-4h20a4 4 0 0 1 4 4v20a4 4 0 0 1-4 4H18a4 4 0 0 1-4-4zm30 6 8-6v20l-8-6z"/></svg>',
  );
  const icons = appIcons();
  const icon = icons['icon-512.png'];
  assert.deepEqual([...icon.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [512, 512]);
  assert.deepEqual(pixel(icon, 0, 0), [0, 0, 0, 0], 'outside the rounded corner: transparent');
  assert.deepEqual(pixel(icon, 256, 40), [0x2f, 0x7d, 0xe1, 255], 'the background');
  assert.deepEqual(pixel(icon, 224, 256), [255, 255, 255, 255], 'the camera body');
  assert.deepEqual(pixel(icon, 400, 256), [255, 255, 255, 255], 'the lens');
  assert.deepEqual(pixel(icons['icon-maskable-512.png'], 0, 0), [0x2f, 0x7d, 0xe1, 255], 'a maskable icon fills its square');
  assert.equal(icons['apple-touch-icon.png'].readUInt32BE(16), 180);
});

test('the manifest opens the dashboard full screen, with icons the build writes', () => {
  const manifest = webManifest();
  assert.equal(manifest.start_url, '/dashboard');
  assert.equal(manifest.display, 'standalone');
  const written = new Set([...Object.keys(appIcons()), 'icon.svg'].map((name) => `/assets/${name}`));
  for (const icon of manifest.icons) assert.ok(written.has(icon.src), icon.src);
  const sizes = manifest.icons.map((icon) => icon.sizes);
  assert.ok(sizes.includes('192x192') && sizes.includes('512x512'), 'the sizes phones ask for');
  assert.ok(manifest.icons.some((icon) => icon.purpose === 'maskable'));
});
