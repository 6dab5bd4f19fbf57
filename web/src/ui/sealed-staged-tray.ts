import { localized, msg, str } from "@lit/localize";
import { formatCount } from "./i18n/intl.js";
import { LitElement, css, html, nothing, svg, type PropertyValues } from "lit";
import { customElement, property } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { shared } from "../styles/shared.js";
import { formatBytes } from "./attachment-format.js";
import { closeIcon } from "./icons.js";
import type { StagedFile } from "./staged-files.js";

const docIcon = svg`<svg viewBox="0 0 24 24" width="1.6em" height="1.6em" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"><path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5"/></svg>`;

/** Image types the browser shows as a thumbnail here (the client strips their metadata before sending). */
const THUMBNAIL_TYPES = new Set(["image/jpeg", "image/png", "image/webp", "image/gif"]);

/**
 * The files staged above the composer, not sent yet: a thumbnail for an image, an icon with name and size
 * for any other file, each with a remove button named for its file. Below them the note that photos lose
 * their location and camera details before sending. Fires `unstage` (detail: the staged key) on remove.
 */
@localized()
@customElement("sealed-staged-tray")
export class SealedStagedTray extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
        margin: 0 0 0.5rem;
      }
      ul {
        display: flex;
        gap: 0.5rem;
        margin: 0;
        padding: 0 0 0.25rem;
        list-style: none;
        overflow-x: auto;
      }
      li {
        position: relative;
        flex: none;
        display: flex;
        align-items: center;
        gap: 0.45rem;
        height: 4.5rem;
        max-width: 14rem;
        padding: 0.4rem 2.1rem 0.4rem 0.5rem;
        border: 1px solid var(--border);
        border-radius: 12px;
        background: var(--surface-2);
      }
      li.image {
        width: 4.5rem;
        padding: 0;
        overflow: hidden;
      }
      img {
        width: 100%;
        height: 100%;
        object-fit: cover;
      }
      .what {
        display: flex;
        flex-direction: column;
        min-width: 0;
        font-size: 0.85rem;
      }
      .name {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .size,
      .note {
        color: var(--muted);
        font-size: 0.8rem;
      }
      .note {
        margin: 0.2rem 0 0;
      }
      button.remove {
        position: absolute;
        top: 0.2rem;
        right: 0.2rem;
        min-height: 0;
        width: 1.75rem;
        height: 1.75rem;
        padding: 0;
        color: var(--text);
        background: var(--surface);
        border-color: var(--border);
      }
    `,
  ];

  @property({ attribute: false }) files: readonly StagedFile[] = [];
  /** Thumbnail blob: URLs by staged key, revoked when the file leaves the tray. */
  private readonly urls = new Map<string, string>();

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has("files")) return;
    const keys = new Set(this.files.map((f) => f.key));
    for (const [key, url] of this.urls) {
      if (keys.has(key)) continue;
      URL.revokeObjectURL(url);
      this.urls.delete(key);
    }
    for (const { key, file } of this.files) {
      if (THUMBNAIL_TYPES.has(file.type) && !this.urls.has(key)) this.urls.set(key, URL.createObjectURL(file));
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls.clear();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Back in the page (the composer re-rendered): thumbnails are made again.
    this.requestUpdate("files");
  }

  private unstage(key: string): void {
    this.dispatchEvent(new CustomEvent<string>("unstage", { detail: key, bubbles: true, composed: true }));
  }

  override render() {
    const count = this.files.length;
    return html`<ul data-testid="staged-attachments" aria-label=${count === 1 ? msg("1 file to send") : msg(str`${formatCount(count)} files to send`)}>
        ${repeat(
          this.files,
          (f) => f.key,
          ({ key, file }) => {
            const url = this.urls.get(key);
            return html`<li class=${url ? "image" : "file"} data-testid="staged-attachment" title=${`${file.name}, ${formatBytes(file.size)}`}>
              ${url
                ? html`<img src=${url} alt=${`${file.name}, ${formatBytes(file.size)}`} />`
                : html`${docIcon}<span class="what"><span class="name" dir="auto">${file.name}</span><span class="size">${formatBytes(file.size)}</span></span>`}
              <button type="button" class="remove" aria-label=${msg(str`Remove ${file.name}`)} data-testid="staged-remove" @click=${() => this.unstage(key)}>${closeIcon}</button>
            </li>`;
          },
        )}
      </ul>
      ${count > 0
        ? html`<p class="note" data-testid="metadata-note">${msg("Location and camera details are removed from photos before sending.")}</p>`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-staged-tray": SealedStagedTray;
  }
}
