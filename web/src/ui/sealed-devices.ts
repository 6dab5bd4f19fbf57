import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, query, state } from "lit/decorators.js";
import { clientContext } from "./context.js";
import { type ChatClient, MAX_DEVICE_NAME, type DeviceView } from "../client/index.js";
import { shared } from "../styles/shared.js";
import { Action } from "./action.js";
import { formatDay, formatTime } from "./format.js";
import type { SealedLinkExisting } from "./sealed-link-existing.js";
import "./sealed-link-existing.js";
import type { SealedConfirmDialog } from "./sealed-confirm-dialog.js";
import "./sealed-confirm-dialog.js";

function when(ms: number): string {
  return msg(str`${formatDay(ms)}, ${formatTime(ms)}`);
}

/** Settings → Devices: this account's devices, "Link a device", and revoking the others. */
@localized()
@customElement("sealed-devices")
export class SealedDevices extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      li {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        padding: 0.75rem 0.9rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--surface);
      }
      li[data-revoked] {
        opacity: 0.6;
      }
      .info {
        flex: 1;
        min-width: 0;
      }
      .name {
        font-weight: 600;
      }
      .meta {
        font-size: 0.85rem;
        color: var(--muted);
      }
      .badge {
        display: inline-block;
        margin-left: 0.4rem;
        padding: 0.05rem 0.5rem;
        border-radius: 999px;
        font-size: 0.75rem;
        background: var(--accent-soft);
        color: var(--accent);
        font-weight: 600;
      }
      .top {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 1rem;
        margin-bottom: 0.75rem;
      }
      h2 {
        margin: 0;
        font-size: 1.15rem;
      }
      .rename {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .rename input {
        flex: 1;
        min-width: 10rem;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @state() private devices: DeviceView[] | undefined;
  /** The device whose name is being edited, if any. */
  @state() private editing = "";
  @query("sealed-link-existing") private linker!: SealedLinkExisting;
  @query("sealed-confirm-dialog") private confirmDialog!: SealedConfirmDialog;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  /** Loads the list (the last one stays on screen while it reloads, and if reloading fails). */
  private readonly listing = new Action(this, async () => {
    this.devices = await this.client.devices.list();
    // Seeing the list is the review the "new device" banner asks for.
    await this.client.devices.markSeen();
  });

  /** One device action at a time, named by the device it acts on. */
  private readonly change = new Action(this, async (_deviceId: string, action: () => Promise<void>) => action());

  async refresh(): Promise<void> {
    await this.listing.run();
  }

  /** The device being acted on, or "". */
  private get busy(): string {
    return this.change.pending ? (this.change.lastArgs?.[0] ?? "") : "";
  }

  /** A failed action stays on screen after the reload that follows it; else the reload's own failure. */
  private get error(): string {
    return this.change.error || this.listing.error;
  }

  private async revoke(d: DeviceView): Promise<void> {
    const name = d.name;
    const yes = await this.confirmDialog.ask({
      title: name === undefined ? msg("Remove “the unnamed device”?") : msg(str`Remove “${name}”?`),
      body: msg("It is signed out of your account and can't read new messages."),
      confirm: msg("Remove device"),
      danger: true,
    });
    if (!yes) return;
    await this.act(d, async () => {
      await this.client.devices.revoke(d.deviceId);
      this.dispatchEvent(new CustomEvent("revoked", { bubbles: true, composed: true }));
    });
  }

  /** Runs one device action, then reloads the list. */
  private async act(d: DeviceView, action: () => Promise<void>): Promise<void> {
    await this.change.run(d.deviceId, action);
    await this.refresh();
  }

  private async rename(d: DeviceView, e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem("name") as HTMLInputElement;
    await this.act(d, async () => {
      await this.client.devices.rename(d.deviceId, input.value);
      this.editing = "";
    });
  }

  private renameForm(d: DeviceView) {
    return html`<form class="rename" @submit=${(e: SubmitEvent) => this.rename(d, e)} data-testid="rename-form">
      <label for="rename-${d.deviceId}" class="visually-hidden">${msg("Device name")}</label>
      <input id="rename-${d.deviceId}" type="text" name="name" .value=${d.name ?? ""} maxlength=${MAX_DEVICE_NAME} required autocomplete="off"
        @keydown=${(e: KeyboardEvent) => e.key === "Escape" && (this.editing = "")} data-testid="rename-input" />
      <button class="primary" type="submit" ?disabled=${this.busy !== ""}>${this.busy === d.deviceId ? msg("Saving…") : msg("Save")}</button>
      <button class="secondary" type="button" @click=${() => (this.editing = "")}>${msg("Cancel")}</button>
    </form>`;
  }

  override updated(): void {
    // Focus the name field when editing starts, for keyboard users.
    const input = this.renderRoot.querySelector<HTMLInputElement>("[data-testid=rename-input]");
    if (input && this.shadowRoot?.activeElement !== input && !input.dataset.focused) {
      input.dataset.focused = "1";
      input.focus();
      input.select();
    }
  }

  override render() {
    return html`<section aria-labelledby="devices-title" data-testid="devices">
      <div class="top">
        <h2 id="devices-title">${msg("Devices")}</h2>
        <button class="primary" type="button" @click=${() => this.linker.open()} data-testid="link-a-device">${msg("Link a device")}</button>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.devices
        ? html`<ul>
            ${this.devices.map(
              (d) => html`<li data-testid="device-item" ?data-revoked=${d.revokedAt !== null}>
                <div class="info">
                  ${this.editing === d.deviceId
                    ? this.renameForm(d)
                    : html`<div class="name">${d.name ?? msg("Unnamed device")}${d.current ? html`<span class="badge">${msg("This device")}</span>` : nothing}</div>`}
                  <div class="meta">
                    ${msg(str`Added ${when(d.addedAt)} ·`)}
                    ${d.revokedAt !== null ? msg(str`Removed ${when(d.revokedAt)}`) : d.lastSeenAt !== null ? msg(str`Last seen ${when(d.lastSeenAt)}`) : msg("Not signed in yet")}
                  </div>
                </div>
                ${d.revokedAt === null && this.editing !== d.deviceId
                  ? html`<button class="secondary" type="button" ?disabled=${this.busy !== ""} @click=${() => (this.editing = d.deviceId)}
                      aria-label=${msg(str`Rename ${d.name ?? "this device"}`)} data-testid="rename-device">${msg("Rename")}</button>`
                  : nothing}
                ${!d.current && d.revokedAt === null
                  ? html`<button class="secondary" type="button" ?disabled=${this.busy !== ""} @click=${() => this.revoke(d)} data-testid="revoke-device">
                      ${this.busy === d.deviceId ? msg("Removing…") : msg("Revoke")}
                    </button>`
                  : nothing}
              </li>`,
            )}
          </ul>`
        : html`<p role="status">${msg("Loading devices…")}</p>`}
      <sealed-link-existing @linked=${() => this.refresh()}></sealed-link-existing>
      <sealed-confirm-dialog></sealed-confirm-dialog>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-devices": SealedDevices;
  }
}
