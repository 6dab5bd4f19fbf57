import { localized, msg, str } from "@lit/localize";
import { uploadErrorText } from "./upload-error-text.js";
import { consume } from "@lit/context";
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { customElement, property } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { styleMap } from "lit/directives/style-map.js";
import { previewMimeType, type ConversationId } from "../../../protocol/index.js";
import type { ChatClient, UploadView } from "../client/index.js";
import { shared } from "../styles/shared.js";
import { Action } from "./action.js";
import { formatDuration } from "./attachment-format.js";
import { clientContext } from "./context.js";
import { LiveQuery } from "./live-query.js";
import { uploadPercent, uploadStatusText } from "./upload-status.js";

/**
 * The files of one chat on their way out (issue 18), below its messages, oldest first, live from the
 * store: each with a thumbnail (an image's preview) or its name and size, a progress bar, Cancel, and when
 * it failed the reason with Retry; "Waiting for network…" while the client waits to try again. An upload
 * leaves this list when its message is sealed: it shows in the history as a bubble from then on.
 */
@localized()
@customElement("sealed-uploads")
export class SealedUploads extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
        flex: none;
        max-height: 40vh;
        overflow-y: auto;
      }
      ol {
        list-style: none;
        margin: 0 auto;
        padding: 0.25rem 1rem 0.5rem;
        max-width: 52rem;
        display: flex;
        flex-direction: column;
        align-items: flex-end;
        gap: 0.4rem;
      }
      li {
        display: flex;
        align-items: center;
        gap: 0.6rem;
        width: min(80%, 22rem);
        padding: 0.5rem 0.5rem 0.5rem 0.6rem;
        border-radius: 18px;
        border-top-right-radius: 6px;
        background: var(--accent-soft);
        color: var(--text);
      }
      li[data-state="failed"] {
        flex-wrap: wrap;
        background: var(--danger-bg);
        border: 1px solid var(--danger-border);
      }
      /* The reason takes the whole width; Retry and Cancel go below it. */
      li[data-state="failed"] .actions {
        width: 100%;
        justify-content: flex-end;
      }
      .thumb {
        flex: none;
        width: 3rem;
        height: 3rem;
        border-radius: 10px;
        object-fit: cover;
        background: var(--surface-2);
      }
      .body {
        flex: 1;
        min-width: 0;
        display: flex;
        flex-direction: column;
        gap: 0.25rem;
      }
      .name {
        font-weight: 600;
        font-size: 0.9rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .status {
        font-size: 0.8rem;
        color: var(--muted);
      }
      .error {
        font-size: 0.82rem;
        color: var(--danger);
      }
      .bar {
        height: 0.35rem;
        border-radius: 999px;
        background: var(--surface);
        overflow: hidden;
      }
      .bar span {
        display: block;
        height: 100%;
        background: var(--accent);
        transition: width 200ms linear;
      }
      @media (prefers-reduced-motion: reduce) {
        .bar span {
          transition: none;
        }
      }
      .actions {
        display: flex;
        gap: 0.25rem;
        flex: none;
      }
      .actions button {
        min-height: 2.25rem;
        padding: 0.3rem 0.75rem;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @property({ attribute: false }) conversationId!: ConversationId;
  private readonly uploads = new LiveQuery(
    this,
    () => this.client.views.uploads(this.conversationId),
    () => [this.conversationId],
  );
  /** Preview blob: URLs by upload id, revoked when the upload leaves the list. */
  private readonly previews = new Map<string, { of: Uint8Array; url: string }>();

  private readonly acting = new Action(this, async (what: "cancel" | "retry", id: string) => {
    if (what === "cancel") await this.client.attachments.cancel(id);
    else await this.client.attachments.retry(id);
  });

  protected override willUpdate(_: PropertyValues<this>): void {
    const list = this.uploads.value ?? [];
    const ids = new Set(list.map((u) => u.id));
    for (const [id, p] of this.previews) {
      if (ids.has(id)) continue;
      URL.revokeObjectURL(p.url);
      this.previews.delete(id);
    }
    for (const u of list) {
      const preview = u.preview;
      if (!preview || preview.length === 0 || this.previews.get(u.id)?.of === preview) continue;
      const type = previewMimeType(preview);
      if (!type) continue;
      const old = this.previews.get(u.id);
      if (old) URL.revokeObjectURL(old.url);
      this.previews.set(u.id, { of: preview, url: URL.createObjectURL(new Blob([new Uint8Array(preview)], { type })) });
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const p of this.previews.values()) URL.revokeObjectURL(p.url);
    this.previews.clear();
  }

  private renderUpload(u: UploadView) {
    const pct = uploadPercent(u);
    const status = uploadStatusText(u);
    const preview = this.previews.get(u.id)?.url;
    const what = u.type === "voice" ? (u.durationMs !== undefined ? msg(str`Voice message, ${formatDuration(u.durationMs)}`) : msg("Voice message")) : u.name;
    return html`<li data-testid="upload" data-state=${u.state} data-upload-id=${u.id} aria-label=${msg(str`Sending ${what}`)}>
      ${preview ? html`<img class="thumb" src=${preview} alt="" data-testid="upload-preview" />` : nothing}
      <div class="body">
        <span class="name">${what}</span>
        ${u.state === "failed"
          ? html`<span class="error" role="alert" data-testid="upload-error">${u.error?.message ? uploadErrorText(u.error.message) : msg("The file couldn't be sent.")}</span>`
          : html`<div class="bar" role="progressbar" aria-label=${msg(str`Upload of ${u.name}`)} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${pct} data-testid="upload-progress">
                <span style=${styleMap({ width: `${pct}%` })}></span>
              </div>
              <span class="status" data-testid=${u.state === "waiting" ? "upload-waiting" : "upload-status"}>${status}</span>`}
      </div>
      <div class="actions">
        ${u.state === "failed"
          ? html`<button type="button" class="secondary" aria-label=${msg(str`Retry upload of ${u.name}`)} data-testid="upload-retry" @click=${() => this.acting.run("retry", u.id)}>${msg("Retry")}</button>`
          : nothing}
        <button type="button" class="ghost" aria-label=${msg(str`Cancel upload of ${u.name}`)} data-testid="upload-cancel" @click=${() => this.acting.run("cancel", u.id)}>${msg("Cancel")}</button>
      </div>
    </li>`;
  }

  override render() {
    const list = this.uploads.value ?? [];
    if (list.length === 0 && !this.acting.error) return nothing;
    return html`${this.acting.error ? html`<p class="error" role="alert">${this.acting.error}</p>` : nothing}
      <ol aria-label=${msg("Files being sent")} aria-live="polite" data-testid="uploads">
        ${repeat(list, (u) => u.id, (u) => this.renderUpload(u))}
      </ol>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-uploads": SealedUploads;
  }
}
