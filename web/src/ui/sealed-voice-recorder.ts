import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html, svg } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { shared } from "../styles/shared.js";
import { formatDuration } from "./attachment-format.js";
import { closeIcon, sendIcon } from "./icons.js";
import { VoiceRecording, microphoneErrorText, type VoiceNote } from "./voice-recording.js";

const micIcon = svg`<svg viewBox="0 0 24 24" width="1.2em" height="1.2em" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3"/></svg>`;

/**
 * The voice-message control of the composer: a microphone button, then while recording a region with a
 * red dot, the elapsed time (m:ss), Cancel and Send. Escape cancels. Events (bubbling):
 * `recording-change` (detail: true while recording, so the composer hides the text box), `voice-recorded`
 * (detail: the VoiceNote to send), `voice-error` (detail: a sentence, e.g. the microphone was denied).
 */
@localized()
@customElement("sealed-voice-recorder")
export class SealedVoiceRecorder extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: flex;
        align-items: center;
        flex: none;
      }
      :host([recording]) {
        flex: 1;
      }
      button {
        width: 2.75rem;
        height: 2.75rem;
        padding: 0;
        flex: none;
      }
      .icon {
        color: var(--muted);
        background: transparent;
      }
      .region {
        flex: 1;
        display: flex;
        align-items: center;
        gap: 0.5rem;
        min-height: 2.75rem;
        padding: 0 0.25rem 0 0.9rem;
        border-radius: 22px;
        background: var(--surface-2);
      }
      .dot {
        width: 0.7rem;
        height: 0.7rem;
        border-radius: 50%;
        background: var(--danger, #c62828);
        animation: pulse 1.2s ease-in-out infinite;
      }
      @media (prefers-reduced-motion: reduce) {
        .dot {
          animation: none;
        }
      }
      @keyframes pulse {
        50% {
          opacity: 0.35;
        }
      }
      .time {
        flex: 1;
        font-variant-numeric: tabular-nums;
        font-weight: 600;
      }
    `,
  ];

  @property({ type: Boolean }) disabled = false;
  @property({ type: Boolean, reflect: true }) recording = false;
  @state() private elapsed = 0;
  private rec: VoiceRecording | undefined;
  private tick: ReturnType<typeof setInterval> | undefined;
  private starting = false;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop()?.discard();
  }

  private emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }

  private async start(): Promise<void> {
    if (this.rec || this.starting || this.disabled) return;
    this.starting = true;
    try {
      this.rec = await VoiceRecording.start();
    } catch (e) {
      this.emit("voice-error", microphoneErrorText(e));
      return;
    } finally {
      this.starting = false;
    }
    this.elapsed = 0;
    this.recording = true;
    this.tick = setInterval(() => (this.elapsed = this.rec?.elapsedMs ?? 0), 250);
    this.emit("recording-change", true);
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>("[data-testid=recording-send]")?.focus();
  }

  /** Ends the recording state; returns the recording (to finish or discard) at most once. */
  private stop(): VoiceRecording | undefined {
    const rec = this.rec;
    this.rec = undefined;
    clearInterval(this.tick);
    if (rec) {
      this.recording = false;
      this.emit("recording-change", false);
    }
    return rec;
  }

  private cancel(): void {
    this.stop()?.discard();
  }

  private async send(): Promise<void> {
    const rec = this.stop();
    if (!rec) return;
    const note: VoiceNote = await rec.finish();
    this.emit("voice-recorded", note);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key !== "Escape") return;
    e.preventDefault();
    e.stopPropagation();
    this.cancel();
  }

  override render() {
    if (!this.recording)
      return html`<button type="button" class="icon" aria-label=${msg("Record a voice message")} data-testid="record-voice" ?disabled=${this.disabled} @click=${this.start}>${micIcon}</button>`;
    return html`<div class="region" role="group" aria-label=${msg("Recording voice message")} data-testid="recording" @keydown=${this.onKey}>
      <span class="dot" aria-hidden="true"></span>
      <span class="time" role="timer" aria-label=${msg(str`Recorded ${formatDuration(this.elapsed)}`)} data-testid="recording-time">${formatDuration(this.elapsed)}</span>
      <button type="button" class="ghost" aria-label=${msg("Cancel recording")} data-testid="recording-cancel" @click=${this.cancel}>${closeIcon}</button>
      <button type="button" class="primary" aria-label=${msg("Send voice message")} data-testid="recording-send" @click=${this.send}>${sendIcon}</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-voice-recorder": SealedVoiceRecorder;
  }
}
