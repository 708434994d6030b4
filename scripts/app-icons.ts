// The installed app's icons as PNG (phones' home screens, iOS above all,
// want bitmaps), drawn from the same shapes as src/client/assets/icon.svg:
// a blue rounded square with a white camera. Kept in step with that file by
// test/unit/app-icons.test.ts. Plain Node: a few shapes, 4x4 supersampling,
// and a PNG writer; scripts/build.mjs writes the files.
import { crc32, deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];
const BLUE: Rgb = [0x2f, 0x7d, 0xe1];
const WHITE: Rgb = [0xff, 0xff, 0xff];
/** Subsamples per pixel side: 16 per pixel, enough for smooth edges. */
const SAMPLES = 4;

/** Inside a rounded rectangle (x, y, width, height, corner radius), in the 64-unit space of icon.svg. */
function inRoundedRect(px: number, py: number, x: number, y: number, w: number, h: number, r: number): boolean {
  if (px < x || py < y || px > x + w || py > y + h) return false;
  const cx = Math.min(Math.max(px, x + r), x + w - r);
  const cy = Math.min(Math.max(py, y + r), y + h - r);
  return (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
}

/** Inside the lens: the quadrilateral 44,28 52,22 52,42 44,36. */
function inLens(px: number, py: number): boolean {
  if (px < 44 || px > 52) return false;
  const t = (px - 44) / 8;
  return py >= 28 - 6 * t && py <= 36 + 6 * t;
}

/**
 * The icon's colour at a point of the 64-unit space, or null outside it.
 * `maskable`: the background fills the square (the launcher cuts its own shape).
 */
export function iconColour(px: number, py: number, maskable: boolean): Rgb | null {
  const inBackground = maskable ? px >= 0 && py >= 0 && px <= 64 && py <= 64 : inRoundedRect(px, py, 0, 0, 64, 64, 14);
  if (!inBackground) return null;
  return inRoundedRect(px, py, 14, 18, 28, 28, 4) || inLens(px, py) ? WHITE : BLUE;
}

/** RGBA pixels of the icon at `size` x `size`. */
export function drawIcon(size: number, maskable = false): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const unit = 64 / size;
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      let r = 0, g = 0, b = 0, covered = 0;
      for (let sy = 0; sy < SAMPLES; sy += 1) {
        for (let sx = 0; sx < SAMPLES; sx += 1) {
          const colour = iconColour((x + (sx + 0.5) / SAMPLES) * unit, (y + (sy + 0.5) / SAMPLES) * unit, maskable);
          if (!colour) continue;
          r += colour[0]; g += colour[1]; b += colour[2]; covered += 1;
        }
      }
      const i = (y * size + x) * 4;
      if (covered === 0) continue;
      pixels[i] = Math.round(r / covered);
      pixels[i + 1] = Math.round(g / covered);
      pixels[i + 2] = Math.round(b / covered);
      pixels[i + 3] = Math.round((255 * covered) / (SAMPLES * SAMPLES));
    }
  }
  return pixels;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG file (8-bit RGBA, no filtering) of square RGBA pixels. */
export function encodePng(size: number, pixels: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y += 1) pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The files the app's manifest and pages name: file name → PNG bytes. */
export function appIcons() {
  return {
    'icon-192.png': encodePng(192, drawIcon(192)),
    'icon-512.png': encodePng(512, drawIcon(512)),
    'icon-maskable-512.png': encodePng(512, drawIcon(512, true)),
    // iOS rounds the corners itself and shows transparency as black: the square variant.
    'apple-touch-icon.png': encodePng(180, drawIcon(180, true)),
  };
}
