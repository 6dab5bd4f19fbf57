import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, query, state } from "lit/decorators.js";
import { isProtocolError } from "../../../protocol/index.js";
import { clientContext } from "./context.js";
import { type ChatClient, type ExistingDeviceLink, type LinkHello, isClientError } from "../client/index.js";
import { shared } from "../styles/shared.js";
import { dialogStyles } from "./dialog-styles.js";
import { errorText } from "./error-text.js";
import { warningIcon } from "./icons.js";
import { QrScanner, scannerStyles } from "./qr-scanner.js";

type Step = { step: "scan" } | { step: "connecting" } | { step: "confirm"; hello: LinkHello } | { step: "linking"; name: string } | { step: "done"; name: string } | { step: "failed"; message: string };

/**
 * Settings → Devices → "Link a device" (the only way to start it on an existing device): scan the new
 * device's QR code with the camera or paste its link code, read the new device's name and the warning,
 * and confirm. Fires `linked` after the new device was added.
 */
@localized()
@customElement("sealed-link-existing")
export class SealedLinkExisting extends LitElement {
  static override styles = [
    shared,
    dialogStyles,
    scannerStyles,
    css`
      dialog {
        width: min(94vw, 30rem);
      }
      label {
        display: block;
        font-weight: 600;
        margin: 0.9rem 0 0.35rem;
      }
      .paste {
        display: flex;
        gap: 0.5rem;
      }
      .paste input {
        flex: 1;
        font-family: ui-monospace, monospace;
        font-size: 0.8rem;
      }
      .warning {
        display: flex;
        gap: 0.6rem;
        padding: 0.85rem 1rem;
        border-radius: var(--radius);
        background: var(--danger-bg);
        border: 1px solid var(--danger-border);
        color: var(--danger);
        margin: 0.75rem 0;
      }
      .warning p {
        margin: 0;
        color: var(--text);
      }
      .device {
        font-size: 1.1rem;
        font-weight: 600;
      }
      p {
        color: var(--muted);
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @state() private s: Step = { step: "scan" };
  @state() private cameraError = "";
  @query("dialog") private dialog!: HTMLDialogElement;
  @query("video") private video: HTMLVideoElement | undefined;
  @query("canvas.frame") private canvas: HTMLCanvasElement | undefined;
  @query("#paste-code") private pasteInput: HTMLInputElement | undefined;
  private link: ExistingDeviceLink | undefined;
  private readonly scanner = new QrScanner();

  async open(): Promise<void> {
    this.s = { step: "scan" };
    this.cameraError = "";
    this.dialog.showModal();
    await this.updateComplete;
    void this.startCamera();
  }

  private async startCamera(): Promise<void> {
    if (!this.video || !this.canvas) return;
    const error = await this.scanner.start(this.video, this.canvas, (code) => void this.start(code));
    if (error) this.cameraError = msg(str`${error} Paste the link code instead.`);
  }

  private async start(code: string): Promise<void> {
    if (this.s.step !== "scan") return;
    this.scanner.stop();
    this.s = { step: "connecting" };
    try {
      const link = await this.client.link.fromThisDevice();
      // Closed or cancelled while the linking code loaded.
      if (this.s.step !== "connecting") return;
      this.link = link;
      const hello = await link.scan(code);
      this.s = { step: "confirm", hello };
    } catch (e) {
      this.fail(e);
    }
  }

  private async confirm(hello: LinkHello): Promise<void> {
    if (!this.link) return;
    this.s = { step: "linking", name: hello.deviceName };
    try {
      await this.link.confirm();
      this.s = { step: "done", name: hello.deviceName };
      this.dispatchEvent(new CustomEvent("linked", { bubbles: true, composed: true }));
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    if (isClientError(e, "link_cancelled")) return;
    // The protocol's own sentences about link codes ("this link code has expired ...") are made for people.
    const message = isProtocolError(e, "expired") || isProtocolError(e, "malformed") ? `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.` : errorText(e);
    this.s = { step: "failed", message };
    this.link?.cancel();
  }

  /** Cancel, Close and Done: the camera stops and an unfinished link is cancelled at once, then the dialog closes. */
  private close(): void {
    this.release();
    if (this.dialog.open) this.dialog.close();
  }

  /**
   * The dialog's close event (Escape, or the close above). It is queued, so it can come after the dialog
   * was opened again (Escape, then Enter on "Link a device" at once): it then belongs to the closing
   * before and must leave the new opening alone.
   */
  private readonly onClosed = (): void => {
    if (!this.dialog.open) this.release();
  };

  private release(): void {
    this.scanner.stop();
    if (this.s.step !== "done") this.link?.cancel();
    this.link = undefined;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.scanner.stop();
    this.link?.cancel();
  }

  override render() {
    return html`<dialog aria-labelledby="link-title" @cancel=${() => this.release()} @close=${this.onClosed} data-testid="link-existing">
      <h2 id="link-title">${msg("Link a device")}</h2>
      ${this.renderStep()}
    </dialog>`;
  }

  private renderStep() {
    const s = this.s;
    switch (s.step) {
      case "scan":
        return html`<p>${msg("On the new device, choose “Link to an existing account”, then point this camera at the code it shows.")}</p>
          ${this.cameraError ? html`<p role="status">${this.cameraError}</p>` : html`<video muted playsinline aria-label=${msg("Camera preview for scanning the code")}></video><canvas class="frame"></canvas>`}
          <form
            @submit=${(e: SubmitEvent) => {
              e.preventDefault();
              const code = this.pasteInput?.value.trim() ?? "";
              if (code) void this.start(code);
            }}
          >
            <label for="paste-code">${msg("Or paste the link code")}</label>
            <div class="paste">
              <input id="paste-code" autocomplete="off" spellcheck="false" placeholder=${msg("sealed-link:…")} data-testid="paste-code" />
              <button class="secondary" type="submit">${msg("Continue")}</button>
            </div>
          </form>
          <div class="actions"><button class="secondary" type="button" @click=${this.close}>${msg("Cancel")}</button></div>`;
      case "connecting":
        return html`<p role="status">${msg("Connecting to the new device…")}</p>
          <div class="actions"><button class="secondary" type="button" @click=${this.close}>${msg("Cancel")}</button></div>`;
      case "confirm":
        return html`<p>${msg("This device asks to join your account:")}</p>
          <p class="device" data-testid="link-device-name">${s.hello.deviceName}</p>
          <p data-testid="link-account-fingerprint">${msg("The new device must show your account’s fingerprint:")} <strong>${s.hello.accountFingerprint}</strong></p>
          <div class="warning" role="alert" data-testid="link-warning">
            <span>${warningIcon}</span>
            <p><strong>${msg("Only scan a code shown on your own screen. Anyone who links a device can read all your messages.")}</strong></p>
          </div>
          <div class="actions">
            <button class="secondary" type="button" @click=${this.close}>${msg("Cancel")}</button>
            <button class="primary" type="button" @click=${() => this.confirm(s.hello)} data-testid="link-confirm">${msg("Confirm")}</button>
          </div>`;
      case "linking":
        return html`<p role="status">${msg(str`Adding “${s.name}” to your account… Confirm on the new device if it asks.`)}</p>
          <div class="actions"><button class="secondary" type="button" @click=${this.close}>${msg("Cancel")}</button></div>`;
      case "done":
        return html`<p role="status" data-testid="link-done">${msg(str`“${s.name}” is now linked to your account.`)}</p>
          <div class="actions"><button class="primary" type="button" @click=${this.close}>${msg("Done")}</button></div>`;
      case "failed":
        return html`<p role="alert" class="error" data-testid="link-error">${s.message}</p>
          <div class="actions"><button class="secondary" type="button" @click=${this.close}>${msg("Close")}</button></div>`;
    }
    return nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-link-existing": SealedLinkExisting;
  }
}
