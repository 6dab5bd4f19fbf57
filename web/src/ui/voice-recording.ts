import { msg } from "@lit/localize";
import { frameLevel, waveformFromLevels } from "./voice-waveform.js";

/** What a finished recording gives the composer to send. */
export interface VoiceNote {
  readonly file: Blob;
  readonly mimeType: string;
  readonly durationMs: number;
  readonly waveform: Uint8Array;
}

/** The container and codec asked for (PLATFORM.md: Chromium records it, also headless). */
const PREFERRED_TYPE = "audio/webm;codecs=opus";
/** How often the level is measured for the waveform. */
const LEVEL_EVERY_MS = 50;

/** A sentence for why recording could not start (a getUserMedia or MediaRecorder failure). */
export function microphoneErrorText(e: unknown): string {
  const name = e instanceof DOMException || e instanceof Error ? e.name : "";
  if (name === "NotAllowedError" || name === "SecurityError")
    return msg("Sealed isn't allowed to use the microphone. Allow it in your browser's site settings to record voice messages.");
  if (name === "NotFoundError" || name === "OverconstrainedError") return msg("No microphone was found. Connect one to record voice messages.");
  if (name === "NotReadableError" || name === "AbortError") return msg("The microphone is in use by another app or couldn't be started.");
  if (name === "NotSupportedError") return msg("This browser can't record voice messages.");
  return msg("The microphone couldn't be started.");
}

/**
 * One voice recording with MediaRecorder: the microphone stream, the recorder, and an AnalyserNode whose
 * level is read every LEVEL_EVERY_MS for the waveform. `start` asks for the microphone (and rejects with
 * its DOMException); `finish` stops and gives the note; `discard` stops and keeps nothing. Either releases
 * the microphone (the browser's recording indicator goes off).
 */
export class VoiceRecording {
  private readonly chunks: Blob[] = [];
  private readonly levels: number[] = [];
  private startedAt = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private audio: AudioContext | undefined;

  private constructor(
    private readonly stream: MediaStream,
    private readonly recorder: MediaRecorder,
  ) {}

  static async start(): Promise<VoiceRecording> {
    if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === "undefined") throw new DOMException("no MediaRecorder", "NotSupportedError");
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    try {
      const type = MediaRecorder.isTypeSupported(PREFERRED_TYPE) ? PREFERRED_TYPE : "";
      const recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
      const r = new VoiceRecording(stream, recorder);
      r.begin();
      return r;
    } catch (e) {
      for (const t of stream.getTracks()) t.stop();
      throw e;
    }
  }

  private begin(): void {
    this.recorder.addEventListener("dataavailable", (e) => {
      if (e.data.size > 0) this.chunks.push(e.data);
    });
    this.recorder.start(250);
    this.startedAt = performance.now();
    try {
      const audio = new AudioContext();
      const analyser = audio.createAnalyser();
      analyser.fftSize = 1024;
      audio.createMediaStreamSource(this.stream).connect(analyser);
      const frame = new Uint8Array(analyser.fftSize);
      this.audio = audio;
      this.timer = setInterval(() => {
        analyser.getByteTimeDomainData(frame);
        this.levels.push(frameLevel(frame));
      }, LEVEL_EVERY_MS);
    } catch {
      // No Web Audio: the note is sent with a flat waveform.
    }
  }

  /** Milliseconds recorded so far. */
  get elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /** Stops and gives the recorded note (its duration measured from start to stop). */
  async finish(): Promise<VoiceNote> {
    const durationMs = Math.round(this.elapsedMs);
    const stopped = new Promise<void>((resolve) => this.recorder.addEventListener("stop", () => resolve(), { once: true }));
    if (this.recorder.state !== "inactive") this.recorder.stop();
    await stopped;
    this.release();
    const mimeType = (this.recorder.mimeType || "audio/webm").split(";")[0]!.trim();
    return { file: new Blob(this.chunks, { type: mimeType }), mimeType, durationMs, waveform: waveformFromLevels(this.levels) };
  }

  discard(): void {
    if (this.recorder.state !== "inactive") this.recorder.stop();
    this.chunks.length = 0;
    this.release();
  }

  private release(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    void this.audio?.close().catch(() => {});
    this.audio = undefined;
    for (const t of this.stream.getTracks()) t.stop();
  }
}
