// Turns a screenshot of a QR code on one browser's screen into a fake-camera file for another browser.
import { writeFileSync } from "node:fs";
import jsQR from "jsqr";
import type { Locator } from "playwright-core";

export interface Shot {
  readonly width: number;
  readonly height: number;
  /** RGBA, row by row. */
  readonly data: Uint8ClampedArray;
}

/** A screenshot of `locator` as pixels (the PNG is decoded by the same browser, which has a decoder). */
export async function screenshotPixels(locator: Locator, path: string): Promise<Shot> {
  const png = await locator.screenshot({ path });
  const { width, height, data } = await locator.page().evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext("2d")!;
    g.drawImage(img, 0, 0);
    return { width: c.width, height: c.height, data: Array.from(g.getImageData(0, 0, c.width, c.height).data) };
  }, png.toString("base64"));
  return { width, height, data: Uint8ClampedArray.from(data) };
}

/** The text jsQR reads from a screenshot (what a camera pointed at that screen would read). */
export function readQr(shot: Shot): string | undefined {
  return jsQR(shot.data, shot.width, shot.height)?.data;
}

/**
 * Writes a YUV4MPEG2 video (PLATFORM.md "camera QR scan") whose frames show the screenshot itself, grey
 * levels from its pixels, scaled up by a whole factor and centred on a white 640x480 picture.
 */
export function writeShotY4m(path: string, shot: Shot, frames = 5): void {
  const width = 640;
  const height = 480;
  const scale = Math.max(1, Math.floor(Math.min((width - 40) / shot.width, (height - 40) / shot.height)));
  const x0 = Math.floor((width - shot.width * scale) / 2);
  const y0 = Math.floor((height - shot.height * scale) / 2);
  const y = new Uint8Array(width * height).fill(235);
  for (let r = 0; r < shot.height * scale; r++) {
    for (let c = 0; c < shot.width * scale; c++) {
      const i = (Math.floor(r / scale) * shot.width + Math.floor(c / scale)) * 4;
      const luma = 0.299 * shot.data[i]! + 0.587 * shot.data[i + 1]! + 0.114 * shot.data[i + 2]!;
      y[(y0 + r) * width + x0 + c] = Math.round(16 + (luma * 219) / 255);
    }
  }
  const chroma = new Uint8Array((width / 2) * (height / 2)).fill(128);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`, "ascii");
  const frame = Buffer.concat([Buffer.from("FRAME\n", "ascii"), y, chroma, chroma]);
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
