import { localized, msg } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, state } from "lit/decorators.js";
import type { ChatClient } from "../client/index.js";
import { clientContext } from "./context.js";
import type { OwnLogCheck } from "../client/index.js";
import { shared } from "../styles/shared.js";
import { warningIcon } from "./icons.js";

/** What the server did wrong, in words (the alarm's code stays out of sight, in data-code). */
function alarmReason(code: string): string {
  if (code === "log_conflict") return msg("The server showed an older or different list of this account's devices than this device already checked.");
  if (code === "unknown_signer" || code === "bad_signature") return msg("The server showed a change to this account's devices that your account's current key did not sign.");
  return msg("The server showed this account's devices in a way that doesn't verify.");
}

/** How often the account's own log is re-checked while the app is open (pushes usually come first). */
const RECHECK_MS = 60_000;

/**
 * Above the chats: "A new device was linked" (with Review → Settings) on every other device of the
 * account, and the blocking alarm when this account's own device log fails verification.
 */
@localized()
@customElement("sealed-account-banner")
export class SealedAccountBanner extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      .banner {
        display: flex;
        gap: 0.6rem;
        align-items: flex-start;
        margin: 0.5rem 0.75rem 0;
        padding: 0.7rem 0.85rem;
        border-radius: var(--radius);
        font-size: 0.9rem;
      }
      .danger {
        background: var(--danger-bg);
        border: 1px solid var(--danger-border);
        color: var(--danger);
      }
      .info {
        background: var(--warn-bg);
        color: var(--warn-text);
      }
      .banner p {
        margin: 0.15rem 0 0;
        color: var(--text);
      }
      a {
        font-weight: 600;
        color: inherit;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @state() private check: OwnLogCheck | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly onChange = () => (this.check = this.client.devices.lastCheck());

  override connectedCallback(): void {
    super.connectedCallback();
    this.check = this.client.devices.lastCheck();
    this.client.devices.events.addEventListener("change", this.onChange);
    const run = () => void this.client.devices.checkOwnLog().catch(() => undefined);
    run();
    this.timer = setInterval(run, RECHECK_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.client.devices.events.removeEventListener("change", this.onChange);
    clearInterval(this.timer);
  }

  override render() {
    const alarm = this.check?.alarm ?? this.client.devices.alarm();
    return html`${alarm
      ? html`<div class="banner danger" role="alert" data-testid="own-log-warning" data-code=${alarm.code}>
          <span>${warningIcon}</span>
          <span
            ><strong>${msg("Your account's device list failed its security check. Sending is stopped.")}</strong>
            <p>${alarmReason(alarm.code)} ${msg("Someone may be trying to add a device to your account. Check your devices from another device or restore with your recovery key.")}</p></span
          >
        </div>`
      : nothing}
    ${(this.check?.newDevices.length ?? 0) > 0
      ? html`<div class="banner info" role="status" data-testid="new-device-banner">
          <span>${warningIcon}</span>
          <span><strong>${msg("A new device was linked to your account.")}</strong> <a href="#/settings">${msg("Review")}</a></span>
        </div>`
      : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-account-banner": SealedAccountBanner;
  }
}
