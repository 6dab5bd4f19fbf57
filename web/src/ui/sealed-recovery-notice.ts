import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, state } from "lit/decorators.js";
import type { ChatClient } from "../client/index.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { formatDay, formatTime } from "./format.js";
import { LiveQuery } from "./live-query.js";

const DISMISSED = "sealed-recovery-notice-dismissed";

/**
 * "Your account was recovered on a new device": shown on the account's other devices when their
 * verified log holds a recover entry made after they joined (seen via the realtime `log` frame, which
 * refreshes the log, or on start), until dismissed. If it wasn't the user, they should revoke it.
 */
@localized()
@customElement("sealed-recovery-notice")
export class SealedRecoveryNotice extends LitElement {
  static override styles = [
    shared,
    css`
      .notice {
        margin: 0.5rem;
        padding: 0.75rem;
        border-radius: var(--radius-sm);
        background: var(--warn-bg);
        color: var(--warn-text);
        font-size: 0.9rem;
      }
      .notice button {
        margin-top: 0.5rem;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @state() private dismissed = Number(localStorage.getItem(DISMISSED) ?? "-1");
  private readonly seen = new LiveQuery(this, () => this.client.recovery.seen().catch(() => []));

  override connectedCallback(): void {
    super.connectedCallback();
    // On start: the log may have grown while this device was away.
    void this.client.recovery.refreshOwnLog().catch(() => undefined);
  }

  private dismiss(seq: number): void {
    localStorage.setItem(DISMISSED, String(seq));
    this.dismissed = seq;
  }

  override render() {
    const latest = this.seen.value?.at(-1);
    if (!latest || latest.seq <= this.dismissed) return nothing;
    return html`<div class="notice" role="alert" data-testid="recovered-notice">
      <strong>${msg("Your account was recovered on a new device")}</strong> ${msg(str`(${formatDay(latest.createdAt)}, ${formatTime(latest.createdAt)}) using your recovery key or passphrase. If this wasn't you, revoke that device in Settings and make a new recovery key.`)}
      <div><button class="secondary" type="button" @click=${() => this.dismiss(latest.seq)}>${msg("Dismiss")}</button></div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-recovery-notice": SealedRecoveryNotice;
  }
}
