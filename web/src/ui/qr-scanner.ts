/** How often a camera frame is decoded while scanning. */
const SCAN_INTERVAL_MS = 150;

/**
 * The camera QR scanner of the safety-number dialog: getUserMedia into a <video>, frames drawn on a
 * hidden <canvas> and decoded by jsQR, which loads only when scanning starts (kept out of the start
 * bundle). Calls `found` with the first decoded text and stops. The link dialog does the same inline.
 */
export class QrScanner {
  private stream: MediaStream | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  /** Resolves to an error sentence for the user, or undefined once the camera runs. */
  async start(video: HTMLVideoElement, canvas: HTMLCanvasElement, found: (text: string) => void): Promise<string | undefined> {
    if (!navigator.mediaDevices?.getUserMedia) return "This browser has no camera access.";
    const decoder = import("jsqr").then(
      (m) => m.default,
      () => undefined,
    );
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch {
      return "The camera isn't available.";
    }
    const decode = await decoder;
    if (!decode) {
      this.stop();
      return "The code scanner couldn't be loaded.";
    }
    if (!this.stream) return undefined; // stopped while starting
    video.srcObject = this.stream;
    await video.play().catch(() => undefined);
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
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = undefined;
  }
}
