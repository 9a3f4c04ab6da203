// Draws EchoScope's app icon (a broadcast dot with three waves on a dark rounded square) and
// writes it as PNGs: build/icon.png (1024 px: macOS and Windows, converted by electron-builder)
// and build/icons/<n>x<n>.png (Linux). Pure Node (zlib for PNG's deflate), no image tools, so
// anyone can regenerate the committed files: `node build/make-icons.mjs`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An 8-bit RGBA PNG from `rgba` (size × size × 4 bytes). */
export function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const clamp = (v) => Math.min(1, Math.max(0, v));
/** Coverage of a shape from its signed distance (negative inside), anti-aliased over one pixel. */
const cover = (distance, pixel) => clamp(0.5 - distance / pixel);

function roundedSquare(x, y, margin, radius) {
  const half = 0.5 - margin;
  const qx = Math.abs(x - 0.5) - (half - radius);
  const qy = Math.abs(y - 0.5) - (half - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

const DOT = { x: 0.5, y: 0.64 };
const WAVES = [0.19, 0.31, 0.43];
const HALF_ANGLE = (52 * Math.PI) / 180;

/** One pixel's colour (straight RGBA, 0–1) at unit coordinates (x, y). */
function shade(x, y, pixel) {
  const inside = cover(roundedSquare(x, y, 0.05, 0.2), pixel);
  if (inside === 0) return [0, 0, 0, 0];
  // Night-blue background, lighter at the top.
  let r = 0.12 - 0.08 * y;
  let g = 0.17 - 0.1 * y;
  let b = 0.32 - 0.17 * y;
  const paint = (alpha, [pr, pg, pb]) => {
    r += (pr - r) * alpha;
    g += (pg - g) * alpha;
    b += (pb - b) * alpha;
  };
  const teal = [0.37, 0.92, 0.83];
  const dx = x - DOT.x;
  const dy = y - DOT.y;
  const distance = Math.hypot(dx, dy);
  // Waves: ring segments opening upwards, fading outwards, with rounded ends.
  const angle = Math.atan2(dx, -dy);
  WAVES.forEach((radius, i) => {
    // Distance to the arc's centre line: to the circle within the opening, else to the nearer end.
    const side = Math.sign(angle) || 1;
    const toLine =
      Math.abs(angle) <= HALF_ANGLE ? Math.abs(distance - radius) : Math.hypot(x - (DOT.x + side * radius * Math.sin(HALF_ANGLE)), y - (DOT.y - radius * Math.cos(HALF_ANGLE)));
    paint(cover(toLine - 0.028, pixel) * (1 - i * 0.22), teal);
  });
  paint(cover(distance - 0.075, pixel), teal);
  return [clamp(r), clamp(g), clamp(b), inside];
}

export function drawIcon(size) {
  const rgba = Buffer.alloc(size * size * 4);
  const pixel = 1 / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const [r, g, b, a] = shade((px + 0.5) / size, (py + 0.5) / size, pixel);
      const at = (py * size + px) * 4;
      rgba[at] = Math.round(r * 255);
      rgba[at + 1] = Math.round(g * 255);
      rgba[at + 2] = Math.round(b * 255);
      rgba[at + 3] = Math.round(a * 255);
    }
  }
  return encodePng(size, rgba);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(here, 'icon.png'), drawIcon(1024));
  mkdirSync(join(here, 'icons'), { recursive: true });
  for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) writeFileSync(join(here, 'icons', `${size}x${size}.png`), drawIcon(size));
  console.log('wrote build/icon.png and build/icons/*.png');
}
