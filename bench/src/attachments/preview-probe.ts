// Measuring code that runs inside the app's page (passed to page.evaluate, so each function is
// self-contained): when an image attachment's preview has been decoded in the open chat.
import type { ShadowFind } from "../page/shadow-find.js";

/** A small JPEG thumbnail made by the page's own encoder, as the sender's app makes one. */
export async function makePreviewInPage(): Promise<number[]> {
  const canvas = new OffscreenCanvas(160, 120);
  const g = canvas.getContext("2d")!;
  g.fillStyle = "#2a7";
  g.fillRect(0, 0, 160, 120);
  g.fillStyle = "#fc3";
  g.fillRect(40, 30, 80, 60);
  const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.6 });
  return [...new Uint8Array(await blob.arrayBuffer())];
}

/**
 * Waits, frame by frame, until the open chat holds `count` image previews that have decoded (complete,
 * with pixels); returns Date.now() of that frame, so the caller can take the time from its own clock.
 */
export async function waitForPreviewsInPage(a: { count: number; timeoutMs: number }): Promise<number> {
  const find = (globalThis as unknown as { sealedFind: ShadowFind }).sealedFind;
  const t0 = performance.now();
  return new Promise<number>((resolve, reject) => {
    const frame = (now: number) => {
      const ol = find(document, "sealed-message-list")?.shadowRoot?.querySelector("[data-testid=message-list]");
      const shown = ol
        ? [...ol.querySelectorAll("sealed-attachment")].filter((el) => {
            const img = el.shadowRoot?.querySelector<HTMLImageElement>("[data-testid=attachment-preview]");
            return img !== null && img !== undefined && img.complete && img.naturalWidth > 0;
          }).length
        : 0;
      if (shown >= a.count) return resolve(Date.now());
      if (now - t0 > a.timeoutMs) return reject(new Error(`${a.count} previews not shown after ${a.timeoutMs} ms (${shown} shown)`));
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}
