// Draws images/icon.png (128x128 RGBA): a magnifier over a list of trust-list records.
// No dependencies: shapes as signed distances, 4x4 supersampling, PNG written with node:zlib.
//   node scripts/make-icon.mjs [out.png]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4;

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const BACKGROUND = hex('#123048');
const LENS = hex('#e8f1f8');
const HANDLE = hex('#f2b233');
const RECORD = hex('#4fc3c8');

const roundedRect = (x, y, cx, cy, hw, hh, r) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const ring = (x, y, cx, cy, r, width) => Math.abs(Math.hypot(x - cx, y - cy) - r) - width / 2;
const capsule = (x, y, ax, ay, bx, by, r) => {
  const [px, py, dx, dy] = [x - ax, y - ay, bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - dx * t, py - dy * t) - r;
};

// Painted in order; a later shape covers an earlier one.
const shapes = [
  { color: BACKGROUND, inside: (x, y) => roundedRect(x, y, 64, 64, 62, 62, 22) <= 0 },
  { color: RECORD, inside: (x, y) => [42, 55, 68].some((ly) => capsule(x, y, 37, ly, 44, ly, 3.2) <= 0) },
  { color: RECORD, inside: (x, y) => [42, 55, 68].some((ly, i) => capsule(x, y, 50, ly, 72 - i * 6, ly, 2.6) <= 0) },
  { color: LENS, inside: (x, y) => ring(x, y, 55, 55, 33, 9) <= 0 },
  { color: HANDLE, inside: (x, y) => capsule(x, y, 82, 82, 106, 106, 8) <= 0 },
];

function pixel(px, py) {
  let [r, g, b, a] = [0, 0, 0, 0];
  for (let sy = 0; sy < SAMPLES; sy++) {
    for (let sx = 0; sx < SAMPLES; sx++) {
      const x = px + (sx + 0.5) / SAMPLES;
      const y = py + (sy + 0.5) / SAMPLES;
      let color;
      for (const shape of shapes) if (shape.inside(x, y)) color = shape.color;
      if (!color) continue;
      r += color[0];
      g += color[1];
      b += color[2];
      a += 1;
    }
  }
  if (a === 0) return [0, 0, 0, 0];
  return [r / a, g / a, b / a, (255 * a) / (SAMPLES * SAMPLES)].map(Math.round);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
};

const rows = [];
for (let y = 0; y < SIZE; y++) {
  const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0 (None), then RGBA
  for (let x = 0; x < SIZE; x++) Buffer.from(pixel(x, y)).copy(row, 1 + x * 4);
  rows.push(row);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter method extras, no interlace
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = process.argv[2] ?? fileURLToPath(new URL('../images/icon.png', import.meta.url));
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
