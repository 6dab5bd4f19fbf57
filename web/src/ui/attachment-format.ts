import { formatLocale, numberFormat } from "./i18n/intl.js";

/** How attachments' sizes, durations and boxes are shown (ui/sealed-attachment.ts, and the list line). */

const UNITS = ["KB", "MB", "GB"] as const;

/**
 * "512 B", "1.4 KB", "23 MB", "1.1 GB" (1 KB = 1,000 bytes, as file managers show sizes); the number in the
 * locale ("1,4 KB" in German). The unit symbols are the same in English and German, and Intl's own
 * "kilobyte" unit writes "kB", which file managers do not.
 */
export function formatBytes(n: number, locale = formatLocale()): string {
  if (n < 1000) return `${numberFormat({}, locale).format(n)} B`;
  let v = n;
  let unit: (typeof UNITS)[number] = "KB";
  for (const u of UNITS) {
    v /= 1000;
    unit = u;
    if (v < 1000) break;
  }
  const digits = v < 10 ? 1 : 0;
  const shown = numberFormat({ minimumFractionDigits: digits, maximumFractionDigits: digits }, locale).format(v < 10 ? Math.round(v * 10) / 10 : Math.round(v));
  return `${shown} ${unit}`;
}

/** "0:04", "12:30", "1:00:00". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const two = (x: number) => String(x).padStart(2, "0");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** The largest side of an image's box in the chat, in CSS pixels. */
const MAX_SIDE = 280;
/** The smallest, so a 1 x 5000 image is still a target one can click. */
const MIN_SIDE = 48;

/**
 * The box an image takes in the chat before and after it loads: its own proportions within MAX_SIDE,
 * from the dimensions the message carries, so nothing below it moves when the preview decodes.
 */
export function previewBox(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  return { width: Math.max(MIN_SIDE, Math.round(width * scale)), height: Math.max(MIN_SIDE, Math.round(height * scale)) };
}
