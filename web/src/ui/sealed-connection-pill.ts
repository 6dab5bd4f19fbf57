import { localized, msg } from "@lit/localize";
import { LitElement, css, html } from "lit";
import { consume } from "@lit/context";
import { customElement, property, state } from "lit/decorators.js";
import type { SyncStatus } from "../client/index.js";
import { shared } from "../styles/shared.js";
import { syncContext, type SyncState } from "./context.js";

const LABEL = (): Record<SyncStatus, string> => ({
  online: msg("Online"),
  offline: msg("Offline"),
  connecting: msg("Connecting…"),
  syncing: msg("Syncing…"),
});

function detail(status: SyncStatus, live: boolean): string {
  switch (status) {
    case "online":
      return live ? msg("Connected. New messages arrive instantly.") : msg("Connected. Checking for new messages every few seconds.");
    case "offline":
      return msg("Can't reach the server. Your chats are still here, and messages you write are sent when the connection returns.");
    case "connecting":
      return msg("Connecting to the server.");
    case "syncing":
      return msg("Fetching what arrived while you were away.");
  }
}

/** The connection state as a small pill; changes are announced politely to screen readers. */
@localized()
@customElement("sealed-connection-pill")
export class SealedConnectionPill extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: inline-flex;
      }
      .pill {
        display: inline-flex;
        align-items: center;
        gap: 0.35rem;
        font-size: 0.75rem;
        font-weight: 600;
        line-height: 1;
        padding: 0.3rem 0.6rem;
        border-radius: 999px;
        background: var(--surface-2);
        border: 1px solid var(--border);
        color: var(--muted);
        white-space: nowrap;
      }
      .pill.compact:not(.offline) {
        padding: 0.4rem;
      }
      .dot {
        width: 0.5rem;
        height: 0.5rem;
        border-radius: 50%;
        background: currentColor;
        flex: none;
      }
      .online {
        color: var(--ok-text);
        background: var(--ok-bg);
        border-color: transparent;
      }
      .offline {
        color: var(--warn-text);
        background: var(--warn-bg);
        border-color: transparent;
      }
      .connecting .dot,
      .syncing .dot {
        animation: pulse 1.2s ease-in-out infinite;
      }
      @keyframes pulse {
        50% {
          opacity: 0.3;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .dot {
          animation: none !important;
        }
      }
    `,
  ];

  @consume({ context: syncContext, subscribe: true }) @state() private sync: SyncState = { status: "connecting", live: false };
  /** Where space is short (a phone's chat header): only the dot, unless offline; the words stay for screen readers. */
  @property({ type: Boolean }) compact = false;

  override render() {
    const { status, live } = this.sync;
    const text = detail(status, live);
    const label = this.compact && status !== "offline" ? html`<span class="visually-hidden">${LABEL()[status]}</span>` : LABEL()[status];
    return html`<span class="pill ${status} ${this.compact ? "compact" : ""}" role="status" aria-live="polite" title=${text} data-testid="connection-status" data-status=${status}>
      <span class="dot" aria-hidden="true"></span>${label}<span class="visually-hidden">. ${text}</span>
    </span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-connection-pill": SealedConnectionPill;
  }
}
