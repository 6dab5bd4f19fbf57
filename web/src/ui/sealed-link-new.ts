import { localized, msg, str } from "@lit/localize";
import { formatCount } from "./i18n/intl.js";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, query, state } from "lit/decorators.js";
import { clientContext } from "./context.js";
import { type ChatClient, type HistoryProgress, type NewDeviceStep, defaultDeviceName, isClientError } from "../client/index.js";
import { cardPage } from "../styles/card-page.js";
import { shared } from "../styles/shared.js";
import { errorText } from "./error-text.js";

/**
 * The new device's side of linking: shows a QR code (and the same text to copy) that the existing
 * device scans in Settings, asks the user to confirm the account it is about to join, then loads the
 * whole history with a progress bar. Fires `linked` when done and `cancel` on Back.
 */
@localized()
@customElement("sealed-link-new")
export class SealedLinkNew extends LitElement {
  static override styles = [
    shared,
    cardPage,
    css`
      /* On a phone the QR code must not widen the grid column past the screen. */
      :host {
        grid-template-columns: minmax(0, 1fr);
        box-sizing: border-box;
      }
      .card {
        box-sizing: border-box;
      }
      h1 {
        margin: 0 0 0.4rem;
        font-size: 1.45rem;
      }
      h1:focus {
        outline: none;
      }
      p {
        color: var(--muted);
        margin: 0 0 0.8rem;
      }
      ol {
        color: var(--muted);
        padding-left: 1.2rem;
        margin: 0 0 1rem;
      }
      .qr {
        display: grid;
        place-items: center;
        margin: 0.5rem 0 1rem;
      }
      canvas {
        /* qrcode's toCanvas sets an inline pixel size; the layout decides instead. */
        width: min(100%, 280px) !important;
        height: auto !important;
        image-rendering: pixelated;
        border-radius: 12px;
        background: #fff;
      }
      label {
        display: block;
        font-weight: 600;
        margin: 0.75rem 0 0.35rem;
      }
      .code {
        display: flex;
        gap: 0.5rem;
      }
      .code {
        flex-wrap: wrap;
      }
      #device-name {
        width: 100%;
      }
      .code input {
        flex: 1;
        min-width: 0;
        font-family: ui-monospace, monospace;
        font-size: 0.8rem;
      }
      .actions {
        display: flex;
        gap: 0.5rem;
        justify-content: flex-end;
        margin-top: 1.25rem;
      }
      .ask {
        padding: 1rem;
        border-radius: 12px;
        background: var(--accent-soft);
        margin: 0.5rem 0;
      }
      .ask strong {
        color: var(--text);
      }
      progress {
        width: 100%;
        height: 0.8rem;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @state() private step: NewDeviceStep = { step: "starting" };
  @state() private progress: HistoryProgress | undefined;
  @state() private copied = false;
  @query("canvas") private canvas: HTMLCanvasElement | undefined;
  private deviceName = defaultDeviceName();
  private abort = new AbortController();
  private answer: ((yes: boolean) => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.run();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort.abort();
  }

  private async run(): Promise<void> {
    this.abort = new AbortController();
    try {
      await this.client.link.asNewDevice({
        deviceName: () => this.deviceName,
        onStep: (s) => {
          this.step = s;
          if (s.step === "showing") void this.drawCode(s.code);
        },
        confirmAccount: () => new Promise<boolean>((resolve) => (this.answer = resolve)),
        signal: this.abort.signal,
      });
      this.progress = { done: 0, total: 0 };
      await this.client.loadHistory((p) => (this.progress = p));
      this.dispatchEvent(new CustomEvent("linked", { bubbles: true, composed: true }));
    } catch (e) {
      if (this.abort.signal.aborted) return;
      this.step = { step: "failed", error: e };
    }
  }

  private async drawCode(code: string): Promise<void> {
    this.copied = false;
    await this.updateComplete;
    // Loaded here, not with the app shell: only this screen draws a code (issue 23, shell budget).
    const { default: QRCode } = await import("qrcode");
    if (this.canvas) await QRCode.toCanvas(this.canvas, code, { errorCorrectionLevel: "M", margin: 4, scale: 6 });
  }

  private async copy(code: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(code);
      this.copied = true;
    } catch {
      this.renderRoot.querySelector<HTMLInputElement>("#link-code")?.select();
    }
  }

  private reply(yes: boolean): void {
    this.answer?.(yes);
    this.answer = undefined;
  }

  private back(): void {
    this.abort.abort();
    this.reply(false);
    this.dispatchEvent(new CustomEvent("cancel", { bubbles: true, composed: true }));
  }

  private retry(): void {
    this.step = { step: "starting" };
    void this.run();
  }

  override render() {
    return html`<main class="card" data-testid="link-new">${this.renderStep()}</main>`;
  }

  private renderStep() {
    const s = this.step;
    if (this.progress) {
      const { done, total } = this.progress;
      return html`<h1 tabindex="-1" data-testid="linked">${s.step === "linked" ? msg(str`Linked to @${s.username}`) : msg("Linked to @")}</h1>
        <p>${msg("Loading your history on this device…")}</p>
        <progress data-testid="history-progress" max=${Math.max(total, 1)} value=${done} aria-label=${msg("History loaded")}></progress>
        <p role="status">${msg(str`${formatCount(done)} of ${formatCount(total)} messages`)}</p>`;
    }
    switch (s.step) {
      case "starting":
        return html`<h1 tabindex="-1">${msg("Link this device")}</h1>
          <p role="status">${msg("Preparing a code…")}</p>`;
      case "showing":
        return html`<h1 tabindex="-1">${msg("Link this device")}</h1>
          <ol>
            <li>${msg(html`On a device already signed in, open <strong>Settings → Devices → Link a device</strong>.`)}</li>
            <li>${msg("Scan this code, or paste the link code below.")}</li>
          </ol>
          <div class="qr"><canvas role="img" aria-label=${msg("Link code as a QR code: scan it with your other device")} data-testid="link-qr"></canvas></div>
          <label for="link-code">${msg("Link code")}</label>
          <div class="code">
            <input id="link-code" readonly .value=${s.code} data-testid="link-code" @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
            <button class="secondary" type="button" @click=${() => this.copy(s.code)}>${this.copied ? msg("Copied") : msg("Copy link code")}</button>
          </div>
          <p class="hint">${msg("The code changes every minute. It only works together with this device.")}</p>
          <label for="device-name">${msg("Name of this device")}</label>
          <input id="device-name" type="text" autocomplete="off" maxlength="64" .value=${this.deviceName} @input=${(e: Event) => (this.deviceName = (e.target as HTMLInputElement).value)} />
          <div class="actions"><button class="secondary" type="button" @click=${this.back}>${msg("Back")}</button></div>`;
      case "connected":
        return html`<h1 tabindex="-1">${msg("Link this device")}</h1>
          <p role="status" data-testid="link-waiting">${msg("Connected. Confirm on your other device.")}</p>
          <div class="actions"><button class="secondary" type="button" @click=${this.back}>${msg("Cancel")}</button></div>`;
      case "confirm-account":
        return html`<h1 tabindex="-1">${msg("Is this your account?")}</h1>
          <div class="ask" role="alert" data-testid="confirm-account">${msg(html`You are joining <strong>@${s.username}</strong>. Is this your account?`)}</div>
          <p data-testid="confirm-fingerprint">${msg(html`Account fingerprint: <strong>${s.fingerprint}</strong>. Your other device shows the same one.`)}</p>
          <p>${msg(str`Only say yes if you started linking on your own device, signed in as @${s.username}.`)}</p>
          <div class="actions">
            <button class="secondary" type="button" @click=${() => this.reply(false)}>${msg("No")}</button>
            <button class="primary" type="button" @click=${() => this.reply(true)}>${msg("Yes")}</button>
          </div>`;
      case "joining":
        return html`<h1 tabindex="-1">${msg(str`Joining @${s.username}`)}</h1>
          <p role="status" data-testid="link-joining">${msg(str`Joining @${s.username} — confirm on your other device.`)}</p>`;
      case "linked":
        return html`<h1 tabindex="-1" data-testid="linked">${msg(str`Linked to @${s.username}`)}</h1>`;
      case "failed":
        return html`<h1 tabindex="-1">${msg("Linking stopped")}</h1>
          <p role="alert" class="error">${isClientError(s.error, "link_cancelled") ? msg("Linking was cancelled.") : describe(s.error)}</p>
          <div class="actions">
            <button class="secondary" type="button" @click=${this.back}>${msg("Back")}</button>
            <button class="primary" type="button" @click=${this.retry}>${msg("Show a new code")}</button>
          </div>`;
    }
    return nothing;
  }
}

function describe(e: unknown): string {
  return errorText(e);
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-link-new": SealedLinkNew;
  }
}
