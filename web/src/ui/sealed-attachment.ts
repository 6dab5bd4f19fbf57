import { localized, msg, str } from "@lit/localize";
import { consume } from "@lit/context";
import { LitElement, css, html, nothing, svg, type PropertyValues } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import { previewMimeType, type MessageRef } from "../../../protocol/index.js";
import { isClientError, type AttachmentView, type ChatClient, type DownloadProgress } from "../client/index.js";
import { shared } from "../styles/shared.js";
import { clientContext } from "./context.js";
import { dialogStyles } from "./dialog-styles.js";
import { errorText } from "./error-text.js";
import { formatBytes, formatDuration, previewBox } from "./attachment-format.js";

const fileIcon = svg`<svg viewBox="0 0 24 24" width="2em" height="2em" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"><path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5"/></svg>`;
const playIcon = svg`<svg viewBox="0 0 24 24" width="1.2em" height="1.2em" aria-hidden="true" fill="currentColor"><path d="M8 5v14l11-7z"/></svg>`;

/**
 * The file of an attachment bubble (issue 18, the read side): an image shown at once from its preview in
 * a box of its own proportions (the list does not jump when it loads) that opens the full image in a
 * lightbox; a file with its name, size and a Download button; a voice note with a play button and its
 * duration. Every download shows its progress with Cancel, and a file that fails its checks says so
 * ("This file was changed on the server and can't be opened"); nothing partial is ever shown or saved.
 */
@localized()
@customElement("sealed-attachment")
export class SealedAttachment extends LitElement {
  static override styles = [
    shared,
    dialogStyles,
    css`
      /* The bubble keeps a message's own line breaks (pre-wrap); this element's markup has none to keep. */
      /* The bubble's text colour (shared sets --text, which is unreadable on one's own accent bubbles). */
      :host {
        display: block;
        white-space: normal;
        color: inherit;
      }
      .image {
        display: block;
        padding: 0;
        border: none;
        background: var(--surface-2, rgb(127 127 127 / 15%));
        border-radius: 12px;
        overflow: hidden;
        cursor: zoom-in;
        max-width: 100%;
      }
      .image img,
      .image svg {
        display: block;
        max-width: 100%;
        height: auto;
      }
      .file,
      .voice {
        display: flex;
        align-items: center;
        gap: 0.6rem;
        min-width: 12rem;
      }
      /* The name takes the room left by the icon and the button; it wraps only when longer than that. */
      .file .what {
        display: flex;
        flex-direction: column;
        flex: 1 1 auto;
        min-width: 6rem;
      }
      .file > svg,
      .file > button {
        flex: none;
      }
      .name {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      /* The bubble's own text colour, softened: --muted was unreadable on one's own (accent) bubbles. */
      .size,
      .duration {
        color: inherit;
        /* 0.9 keeps 4.5:1 on the dark theme's own bubble (0.8 measured 3.96 with axe). */
        opacity: 0.9;
        font-size: 0.85rem;
      }
      .progress {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        margin-top: 0.35rem;
      }
      progress {
        flex: 1;
        min-width: 6rem;
      }
      .error {
        color: var(--danger);
        font-size: 0.85rem;
        margin-top: 0.35rem;
      }
      dialog.lightbox {
        width: auto;
        max-width: 96vw;
        max-height: 96vh;
        padding: 0.5rem;
      }
      dialog.lightbox img {
        display: block;
        max-width: calc(96vw - 1rem);
        max-height: calc(96vh - 4rem);
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @property({ attribute: false }) view!: AttachmentView;
  @property({ attribute: false }) messageRef!: MessageRef;
  @state() private progress: DownloadProgress | undefined;
  @state() private error: string | undefined;
  /** The opened file's blob: URL (full image in the lightbox, or the voice note's audio). */
  @state() private fileUrl: string | undefined;
  @query("dialog.lightbox") private lightbox: HTMLDialogElement | undefined;
  @query("audio") private audio: HTMLAudioElement | undefined;
  private previewUrl: string | undefined;
  private previewOf: Uint8Array | undefined;
  private abort: AbortController | undefined;

  override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has("view")) return;
    const preview = this.view.type === "image" ? this.view.preview : undefined;
    if (preview === this.previewOf) return;
    this.revokePreview();
    this.previewOf = preview;
    const type = preview && preview.length > 0 ? previewMimeType(preview) : undefined;
    // Only a JPEG or WebP by signature (the decoder checks it too) becomes an image URL.
    if (preview && type) this.previewUrl = URL.createObjectURL(new Blob([new Uint8Array(preview)], { type }));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
    this.revokePreview();
    if (this.fileUrl) URL.revokeObjectURL(this.fileUrl);
    this.fileUrl = undefined;
  }

  private revokePreview(): void {
    if (this.previewUrl) URL.revokeObjectURL(this.previewUrl);
    this.previewUrl = undefined;
  }

  /** Downloads, checks and decrypts the file; undefined when cancelled or refused (the error is shown). */
  private async open(): Promise<Blob | undefined> {
    if (this.abort) return undefined;
    const abort = new AbortController();
    this.abort = abort;
    this.error = undefined;
    this.progress = { done: 0, total: 1 };
    try {
      return await this.client.attachments.open(this.view.conversationId, this.messageRef, { signal: abort.signal, onProgress: (p) => (this.progress = p) });
    } catch (e) {
      if (!isClientError(e, "attachment_cancelled")) this.error = errorText(e);
      return undefined;
    } finally {
      this.abort = undefined;
      this.progress = undefined;
    }
  }

  private cancel(e: Event): void {
    e.stopPropagation();
    this.abort?.abort();
  }

  private async showImage(e: Event): Promise<void> {
    e.stopPropagation();
    if (!this.fileUrl) {
      const file = await this.open();
      if (!file) return;
      this.fileUrl = URL.createObjectURL(file);
    }
    await this.updateComplete;
    this.lightbox?.showModal();
  }

  private async download(e: Event): Promise<void> {
    e.stopPropagation();
    const file = await this.open();
    if (!file) return;
    const url = URL.createObjectURL(file);
    const a = document.createElement("a");
    a.href = url;
    a.download = this.view.name;
    a.rel = "noopener";
    a.click();
    // The browser has taken the file once the click's navigation started.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  private async play(e: Event): Promise<void> {
    e.stopPropagation();
    if (!this.fileUrl) {
      const file = await this.open();
      if (!file) return;
      this.fileUrl = URL.createObjectURL(file);
      await this.updateComplete;
    }
    await this.audio?.play().catch(() => {});
  }

  override render() {
    const v = this.view;
    return html`${v.type === "image" ? this.image(v) : v.type === "voice" ? this.voice(v) : this.file(v)}${this.progressTemplate()}${this.error
      ? html`<div class="error" role="alert" data-testid="attachment-error">${this.error}</div>`
      : nothing}`;
  }

  private image(v: Extract<AttachmentView, { type: "image" }>) {
    const box = previewBox(v.width, v.height);
    const label = msg(str`Photo ${v.name}, ${v.width} by ${v.height}. Open full size`);
    return html`<button type="button" class="image" aria-label=${label} data-testid="attachment-image" @click=${this.showImage}>
        ${this.previewUrl
          ? html`<img src=${this.previewUrl} width=${box.width} height=${box.height} alt="" data-testid="attachment-preview" />`
          : html`<svg viewBox="0 0 ${box.width} ${box.height}" width=${box.width} height=${box.height} aria-hidden="true" data-testid="attachment-placeholder"></svg>`}
      </button>
      ${this.fileUrl
        ? html`<dialog class="lightbox" aria-label=${v.name} data-testid="lightbox" @click=${(e: Event) => e.stopPropagation()}>
            <img src=${this.fileUrl} alt=${v.caption || v.name} data-testid="lightbox-image" />
            <div class="actions"><button type="button" class="secondary" @click=${() => this.lightbox?.close()} data-testid="lightbox-close">${msg("Close")}</button></div>
          </dialog>`
        : nothing}`;
  }

  private file(v: Extract<AttachmentView, { type: "file" }>) {
    return html`<div class="file" data-testid="attachment-file">
      ${fileIcon}
      <span class="what"><span class="name" data-testid="attachment-name" dir="auto">${v.name}</span><span class="size" data-testid="attachment-size">${formatBytes(v.size)}</span></span>
      ${this.abort
        ? nothing
        : html`<button type="button" class="secondary" aria-label=${msg(str`Download ${v.name}, ${formatBytes(v.size)}`)} data-testid="attachment-download" @click=${this.download}>${msg("Download")}</button>`}
    </div>`;
  }

  private voice(v: Extract<AttachmentView, { type: "voice" }>) {
    const duration = formatDuration(v.durationMs);
    return html`<div class="voice" data-testid="attachment-voice">
      ${this.fileUrl
        ? html`<audio controls src=${this.fileUrl} aria-label=${msg(str`Voice message, ${duration}`)} data-testid="attachment-audio"></audio>`
        : html`<button type="button" class="secondary" aria-label=${msg(str`Play voice message, ${duration}`)} data-testid="attachment-play" ?disabled=${this.abort !== undefined} @click=${this.play}>${playIcon}</button>
            <span class="duration" data-testid="attachment-duration">${duration}</span>`}
    </div>`;
  }

  private progressTemplate() {
    const p = this.progress;
    if (!p) return nothing;
    const pct = Math.round((100 * p.done) / Math.max(1, p.total));
    return html`<div class="progress" data-testid="attachment-progress">
      <progress max="100" value=${pct} aria-label=${msg(str`Downloading ${this.view.name}: ${pct}%`)}></progress>
      <button type="button" class="ghost" data-testid="attachment-cancel" aria-label=${msg(str`Cancel download of ${this.view.name}`)} @click=${this.cancel}>${msg("Cancel")}</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-attachment": SealedAttachment;
  }
}
