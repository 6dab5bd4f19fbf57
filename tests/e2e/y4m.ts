// A fake-camera video for Chromium (--use-file-for-fake-video-capture): a QR code in a YUV4MPEG2 file.
import { writeFileSync } from "node:fs";
import QRCode from "qrcode";

/**
 * Writes `frames` identical 4:2:0 frames of `text` as a QR code, black on white, centred in a
 * `width` x `height` picture (both even). docs: YUV4MPEG2 is a text header, then "FRAME\n" + Y, U, V planes.
 */
export function writeQrY4m(path: string, text: string, o: { width?: number; height?: number; frames?: number } = {}): void {
  const width = o.width ?? 640;
  const height = o.height ?? 480;
  const frames = o.frames ?? 5;
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const modules = qr.modules.size;
  const quiet = 4;
  const scale = Math.floor(Math.min(width, height) / (modules + 2 * quiet));
  const side = scale * (modules + 2 * quiet);
  const x0 = Math.floor((width - side) / 2);
  const y0 = Math.floor((height - side) / 2);
  const y = new Uint8Array(width * height).fill(235);
  for (let r = 0; r < modules; r++) {
    for (let c = 0; c < modules; c++) {
      if (!qr.modules.get(r, c)) continue;
      const top = y0 + (r + quiet) * scale;
      const left = x0 + (c + quiet) * scale;
      for (let dy = 0; dy < scale; dy++) y.fill(16, (top + dy) * width + left, (top + dy) * width + left + scale);
    }
  }
  const chroma = new Uint8Array((width / 2) * (height / 2)).fill(128);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`, "ascii");
  const frame = Buffer.concat([Buffer.from("FRAME\n", "ascii"), y, chroma, chroma]);
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
