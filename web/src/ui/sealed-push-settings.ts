import { localized, msg } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, state } from "lit/decorators.js";
import { isPushError, pushErrorText, type ChatClient, type NotificationPrivacy, type PushStatus } from "../client/index.js";
import { clientContext } from "./context.js";
import { OnChange } from "./on-change.js";
import { errorText } from "./error-text.js";
import { shared } from "../styles/shared.js";
import { switchSection } from "../styles/switch-section.js";

const PRIVACY_CHOICES = (): readonly { value: NotificationPrivacy; label: string; hint: string }[] => [
  { value: "full", label: msg("Name and message"), hint: msg("“Alice: See you at 8”") },
  { value: "sender", label: msg("Name only"), hint: msg("“New message from Alice”") },
  { value: "none", label: msg("No details"), hint: msg("“New message”") },
];

/**
 * Settings → Notifications (issue 19): turning Web Push on or off for this device, never before the
 * user asks, and what a notification may show. The explanation says who sees what: the device decrypts,
 * the server and the push service pass on ciphertext, the screen shows what was chosen here.
 */
@localized()
@customElement("sealed-push-settings")
export class SealedPushSettings extends LitElement {
  static override styles = [
    shared,
    switchSection,
    css`
      p.hint {
        margin: 0 0 1rem;
      }
      p.error {
        margin: -0.5rem 0 1rem;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.75rem;
        margin-bottom: 1rem;
      }
      .state {
        font-weight: 600;
      }
      fieldset {
        border: 0;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      legend {
        font-weight: 600;
        padding: 0;
        margin-bottom: 0.5rem;
      }
      input[type="radio"] {
        width: 1.1rem;
        height: 1.1rem;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @state() private status: PushStatus | undefined;
  @state() private busy = false;
  @state() private error = "";

  private refresh(): void {
    void this.client.push.status().then((s) => (this.status = s));
  }

  // Refreshes on connect and on each change of the push state (another tab or device may change it).
  private readonly changes = new OnChange(this, () => this.client.push, () => this.refresh());

  private async run(action: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      await action();
    } catch (e) {
      this.error = isPushError(e) ? pushErrorText(e.code) : errorText(e);
    } finally {
      this.busy = false;
      this.refresh();
    }
  }

  private pick(e: Event): void {
    const input = e.target;
    if (input instanceof HTMLInputElement && input.checked) void this.run(() => this.client.push.setPrivacy(input.value as NotificationPrivacy));
  }

  private renderSwitch(s: PushStatus) {
    if (!s.supported) return html`<p class="hint" data-testid="push-unsupported">${pushErrorText("unsupported")}</p>`;
    return html`<div class="row">
      <span class="state" data-testid="push-state">${s.on ? msg("Notifications are on for this device") : msg("Notifications are off for this device")}</span>
      ${s.on
        ? html`<button type="button" class="secondary" ?disabled=${this.busy} @click=${() => this.run(() => this.client.push.turnOff())} data-testid="push-off">${msg("Turn off")}</button>`
        : html`<button type="button" class="primary" ?disabled=${this.busy} @click=${() => this.run(() => this.client.push.turnOn())} data-testid="push-on">${msg("Turn on")}</button>`}
    </div>`;
  }

  override render() {
    const s = this.status;
    return html`<section aria-labelledby="push-title" data-testid="push-settings">
      <h2 id="push-title">${msg("Notifications")}</h2>
      <p class="hint" id="push-explained">
        ${msg("Get a notification when a message arrives while Sealed is closed. Messages are decrypted on this device: the Sealed server and your browser's push service only pass on encrypted data. What the notification shows can be seen by anyone who sees your screen or lock screen, so choose below how much it shows.")}
      </p>
      ${s ? this.renderSwitch(s) : nothing}
      ${this.error ? html`<p class="error" role="alert" data-testid="push-error">${this.error}</p>` : nothing}
      <fieldset aria-describedby="push-explained" ?disabled=${!s}>
        <legend>${msg("What notifications show")}</legend>
        ${PRIVACY_CHOICES().map(
          (c) =>
            html`<label>
              <input type="radio" name="push-privacy" .value=${c.value} .checked=${s?.privacy === c.value} @change=${this.pick} data-testid="push-privacy-${c.value}" />
              <span>${c.label} <span class="hint">${c.hint}</span></span>
            </label>`,
        )}
      </fieldset>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-push-settings": SealedPushSettings;
  }
}
