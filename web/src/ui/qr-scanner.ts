import { msg } from "@lit/localize";
import { css } from "lit";

/** How often a camera frame is decoded while scanning. */
const SCAN_INTERVAL_MS = 150;

/** The camera preview of a scanning dialog: `<video>` shown, `<canvas class="frame">` (the decoded frame) hidden. */
export const scannerStyles = css`
  video {
    width: 100%;
    border-radius: 12px;
    background: #000;
    aspect-ratio: 4 / 3;
    object-fit: cover;
  }
  canvas.frame {
    display: none;
  }
`;

/**
 * The camera QR scanner of the safety-number and link dialogs: getUserMedia into a <video>, frames drawn
 * on a hidden <canvas> and decoded by jsQR, which loads only when scanning starts (kept out of the start
 * bundle). Calls `found` with the first decoded text and stops.
 */
export class QrScanner {
  private stream: MediaStream | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Counts stops, so that a start still waiting for the camera knows it was stopped meanwhile. */
  private stops = 0;

  /** Resolves to an error sentence for the user, or undefined once the camera runs (or it was stopped while starting). */
  async start(video: HTMLVideoElement, canvas: HTMLCanvasElement, found: (text: string) => void): Promise<string | undefined> {
    this.stop();
    const run = this.stops;
    if (!navigator.mediaDevices?.getUserMedia) return msg("This browser has no camera access.");
    // The decoder loads while the user answers the camera prompt (from the service worker's precache when installed).
    const decoder = import("jsqr").then(
      (m) => m.default,
      () => undefined,
    );
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch {
      return msg("The camera isn't available.");
    }
    const decode = await decoder;
    if (run !== this.stops || !decode) {
      for (const t of stream.getTracks()) t.stop();
      return decode ? undefined : msg("The code scanner couldn't be loaded.");
    }
    this.stream = stream;
    video.srcObject = stream;
    await video.play().catch(() => undefined);
    if (run !== this.stops) return undefined;
    this.timer = setInterval(() => {
      if (video.videoWidth === 0) return;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const g = canvas.getContext("2d", { willReadFrequently: true });
      if (!g) return;
      g.drawImage(video, 0, 0);
      const img = g.getImageData(0, 0, canvas.width, canvas.height);
      const hit = decode(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
      if (hit?.data) {
        this.stop();
        found(hit.data);
      }
    }, SCAN_INTERVAL_MS);
    return undefined;
  }

  stop(): void {
    this.stops++;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = undefined;
  }
}
