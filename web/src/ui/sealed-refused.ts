import { localized, msg } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, query } from "lit/decorators.js";
import { Task, TaskStatus } from "@lit/task";
import type { ChatClient } from "../client/index.js";
import { shared } from "../styles/shared.js";
import { clientContext } from "./context.js";
import { errorText } from "./error-text.js";
import { warningIcon } from "./icons.js";
import type { SealedConfirmDialog } from "./sealed-confirm-dialog.js";
import "./sealed-confirm-dialog.js";

/**
 * Above the chats when the server refused to sign this device in although the device's own verified
 * log still lists it (issue 15 item 7): nothing was deleted on the server's word. The user can try
 * again, or, if they did remove this device or reset the account themselves, delete its data and then
 * restore or link it again. Fires `forgotten` once the data is deleted.
 */
@localized()
@customElement("sealed-refused")
export class SealedRefused extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      .banner {
        display: flex;
        gap: 0.75rem;
        align-items: flex-start;
        margin: 0.5rem 0.75rem;
        padding: 0.85rem 1rem;
        border-radius: var(--radius);
        background: var(--danger-bg);
        border: 1px solid var(--danger-border);
        color: var(--danger);
      }
      p {
        margin: 0.25rem 0 0;
        color: var(--text);
        font-size: 0.92rem;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-top: 0.6rem;
      }
    `,
  ];

  @query("sealed-confirm-dialog") private confirmDialog!: SealedConfirmDialog;
  @consume({ context: clientContext }) client!: ChatClient;

  private readonly retry = new Task(this, {
    autoRun: false,
    task: async () => {
      await this.client.retryAfterRefusal();
      return this.client.deviceStatus;
    },
  });

  private readonly forget = new Task(this, {
    autoRun: false,
    task: async () => {
      await this.client.forgetThisDevice();
      this.dispatchEvent(new CustomEvent("forgotten", { bubbles: true, composed: true }));
    },
  });

  private async confirmForget(): Promise<void> {
    const yes = await this.confirmDialog.ask({
      title: msg("Delete this device's data?"),
      body: msg("This browser's keys and messages are deleted. Your account and your other devices are not changed."),
      confirm: msg("Delete"),
      danger: true,
    });
    if (yes) void this.forget.run();
  }

  override render() {
    const busy = this.retry.status === TaskStatus.PENDING || this.forget.status === TaskStatus.PENDING;
    return html`<div class="banner" role="alert" data-testid="device-refused">
      <span>${warningIcon}</span>
      <div>
        <strong>${msg("The server refused this device")}</strong>
        <p>${msg("Nothing was deleted: your chats and keys are still here, but no messages are sent or received. Your account's device list, checked on this device, still includes it, so this may be a server problem or someone interfering.")}</p>
        <p>${msg("Try again later. If you removed this device or reset your account yourself, delete this device's data, then restore or link it again.")}</p>
        <div class="actions">
          <button class="primary" type="button" ?disabled=${busy} @click=${() => void this.retry.run()} data-testid="refused-retry">${this.retry.status === TaskStatus.PENDING ? msg("Trying…") : msg("Try again")}</button>
          <button class="secondary" type="button" ?disabled=${busy} @click=${this.confirmForget} data-testid="refused-forget">${msg("Delete this device's data")}</button>
        </div>
        ${this.retry.render({ complete: (s) => (s === "refused" ? html`<p role="status">${msg("The server still refuses this device.")}</p>` : nothing), error: (e) => html`<p class="error" role="alert">${errorText(e)}</p>` })}
        ${this.forget.render({ error: (e) => html`<p class="error" role="alert">${errorText(e)}</p>` })}
      </div>
      <sealed-confirm-dialog></sealed-confirm-dialog>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-refused": SealedRefused;
  }
}
