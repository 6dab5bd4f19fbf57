// Writes the app's PNG icons (web/public/icons/) with no image library: a padlock drawn by shape tests,
// 4x4 supersampled, encoded as an RGBA PNG with node:zlib. Re-run after changing the design:
//   node web/tools/make-icons.mjs
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const ACCENT = [0x4a, 0x55, 0xc8];
const WHITE = [0xff, 0xff, 0xff];
const OUT = new URL("../public/icons/", import.meta.url);

// CRC-32 (ISO 3309), as every PNG chunk needs one.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** RGBA pixels (size*size*4) to PNG bytes: 8-bit RGBA, no interlace, filter 0 on every row. */
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}

function inRoundRect(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** The padlock in a unit box: 1 where white, 0 elsewhere. */
function lock(x, y) {
  const keyhole = (x - 0.5) ** 2 + (y - 0.63) ** 2 <= 0.055 ** 2 || (Math.abs(x - 0.5) <= 0.022 && y >= 0.63 && y <= 0.75);
  if (inRoundRect(x, y, 0.22, 0.45, 0.78, 0.86, 0.08)) return !keyhole;
  const d = Math.hypot(x - 0.5, y - 0.33);
  if (y <= 0.33 && d <= 0.2 && d >= 0.125) return true; // shackle arc
  return y > 0.33 && y < 0.46 && ((x >= 0.3 && x <= 0.375) || (x >= 0.625 && x <= 0.7)); // shackle legs
}

/**
 * `maskable`: full-bleed background, the lock inside the central 60% (the safe zone is a circle of 40%
 * radius). Otherwise a rounded square with the lock at 80%.
 */
function draw(size, maskable) {
  const out = Buffer.alloc(size * size * 4);
  const S = 4;
  const scale = maskable ? 0.6 : 0.8;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const u = (px + (sx + 0.5) / S) / size;
          const v = (py + (sy + 0.5) / S) / size;
          const inBg = maskable || inRoundRect(u, v, 0, 0, 1, 1, 0.22);
          if (!inBg) continue;
          bg++;
          if (lock((u - 0.5) / scale + 0.5, (v - 0.5) / scale + 0.5)) fg++;
        }
      }
      const a = bg / (S * S);
      const f = bg ? fg / bg : 0;
      const i = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) out[i + c] = Math.round(ACCENT[c] * (1 - f) + WHITE[c] * f);
      out[i + 3] = Math.round(a * 255);
    }
  }
  return png(size, out);
}

for (const [name, size, maskable] of [
  ["icon-192.png", 192, false],
  ["icon-512.png", 512, false],
  ["icon-maskable-512.png", 512, true],
  ["apple-touch-icon-180.png", 180, true],
]) {
  writeFileSync(new URL(name, OUT), draw(size, maskable));
  console.log(`wrote web/public/icons/${name}`);
}
