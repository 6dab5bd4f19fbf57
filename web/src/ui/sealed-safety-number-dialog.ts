import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, property, query, state } from "lit/decorators.js";
import { isProtocolError, type AccountId, type VerifyOutcome } from "../../../protocol/index.js";
import type { ChatClient, PeerView } from "../client/index.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { dialogStyles } from "./dialog-styles.js";
import { Action } from "./action.js";
import { errorText } from "./error-text.js";
import { verifiedIcon } from "./icons.js";
import { QrScanner, scannerStyles } from "./qr-scanner.js";

type Result = { ok: boolean; text: string };

function outcomeText(o: VerifyOutcome, name: string): Result {
  switch (o) {
    case "match":
      return { ok: true, text: msg(str`The numbers match. ${name} is now marked as verified on this device.`) };
    case "mismatch":
      return { ok: false, text: msg("These numbers don't match: the person you scanned may not be who you think, or the server may be in the middle. Nothing was marked.") };
    case "own":
      return { ok: false, text: msg(str`That is your own code. Scan the code on ${name}'s screen.`) };
    case "other":
      return { ok: false, text: msg(str`That code is for another conversation, not for you and ${name}. Scan the code ${name} shows in your chat.`) };
  }
}

/**
 * The safety number of this account and a contact: the digits to compare aloud, a QR code for the
 * contact to scan, a camera scanner for theirs, and marking verified by hand (issue 21).
 */
@localized()
@customElement("sealed-safety-number-dialog")
export class SealedSafetyNumberDialog extends LitElement {
  static override styles = [
    shared,
    dialogStyles,
    scannerStyles,
    css`
      dialog {
        width: min(94vw, 32rem);
      }
      p {
        color: var(--muted);
        margin: 0 0 1rem;
      }
      .both {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
        align-items: center;
        justify-content: center;
        margin: 0 0 1rem;
      }
      .digits {
        display: grid;
        grid-template-columns: repeat(4, auto);
        justify-content: center;
        gap: 0.5rem 1rem;
        padding: 1rem;
        border-radius: var(--radius);
        background: var(--surface-2);
        font-family: var(--mono);
        font-size: 1.15rem;
        letter-spacing: 0.06em;
      }
      .qr {
        /* qrcode's toCanvas sets an inline pixel size; the layout decides instead. */
        width: min(12rem, 40vw) !important;
        height: auto !important;
        border-radius: 8px;
        background: #fff;
        image-rendering: pixelated;
      }
      .mark {
        display: inline-flex;
        gap: 0.35rem;
        align-items: center;
        color: var(--accent, currentColor);
        font-weight: 600;
        margin: 0 0 1rem;
      }
      .result {
        padding: 0.75rem 1rem;
        border-radius: var(--radius);
        color: var(--text);
      }
      .result.bad {
        background: var(--danger-bg);
        border: 1px solid var(--danger-border);
      }
      .result.good {
        background: var(--surface-2);
      }
      .actions {
        flex-wrap: wrap;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  /** The contact, kept current by the chat view (its `verified` flag changes while the dialog is open). */
  @property({ attribute: false }) peer: PeerView | undefined;
  @state() private scanning = false;
  @state() private cameraError = "";
  @state() private result: Result | undefined;
  @query("dialog") private dialog!: HTMLDialogElement;
  @query("video") private video: HTMLVideoElement | undefined;
  @query("canvas.frame") private frame: HTMLCanvasElement | undefined;
  @query("canvas.qr") private qr: HTMLCanvasElement | undefined;
  private readonly scanner = new QrScanner();

  async open(peer: PeerView): Promise<void> {
    this.peer = peer;
    this.scanning = false;
    this.result = undefined;
    this.cameraError = "";
    this.dialog.showModal();
    await Promise.all([this.computing.run(peer.accountId), this.drawing.run(peer.accountId)]);
  }

  private readonly computing = new Action(this, (id: AccountId) => this.client.safetyNumber(id));

  private readonly drawing = new Action(this, async (id: AccountId) => {
    const text = await this.client.verification.myCode(id);
    // Loaded here, not with the app shell, as on the link screen.
    const { default: QRCode } = await import("qrcode");
    await this.updateComplete;
    if (this.qr) await QRCode.toCanvas(this.qr, text, { errorCorrectionLevel: "M", margin: 3, scale: 4 });
    return text;
  });

  private readonly marking = new Action(this, async (verb: "mark" | "clear") => {
    const id = this.peer!.accountId;
    await (verb === "mark" ? this.client.verification.mark(id) : this.client.verification.clear(id));
    this.result = undefined;
  });

  private async scan(): Promise<void> {
    this.result = undefined;
    this.cameraError = "";
    this.scanning = true;
    await this.updateComplete;
    if (!this.video || !this.frame) return;
    const error = await this.scanner.start(this.video, this.frame, (text) => void this.judge(text));
    if (error) this.cameraError = msg(str`${error} Compare the numbers instead, and mark as verified by hand if they match.`);
  }

  private async judge(text: string): Promise<void> {
    const peer = this.peer;
    this.scanning = false;
    if (!peer) return;
    try {
      this.result = outcomeText(await this.client.verification.scan(peer.accountId, text), peer.username);
    } catch (e) {
      const text = isProtocolError(e, "unsupported_version")
        ? msg("That code was made by a newer version of Sealed. Update this app, or compare the numbers instead.")
        : isProtocolError(e)
          ? msg("That is not a Sealed safety-number code.")
          : errorText(e);
      this.result = { ok: false, text };
    }
    await this.updateComplete;
    // The QR canvas was re-created when the scanner closed.
    if (this.drawing.value) void this.drawing.run(peer.accountId);
  }

  private stopScan(): void {
    this.scanner.stop();
    this.scanning = false;
    if (this.peer) void this.drawing.run(this.peer.accountId);
  }

  private close(): void {
    this.scanner.stop();
    this.scanning = false;
    if (this.dialog.open) this.dialog.close();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.scanner.stop();
  }

  override render() {
    const name = this.peer?.username ?? "";
    return html`
      <dialog aria-labelledby="sn-title" data-testid="safety-number-dialog" @close=${() => this.close()}>
        <h2 id="sn-title">${msg(str`Safety number with ${name}`)}</h2>
        ${this.scanning ? this.renderScan(name) : this.renderNumber(name)}
      </dialog>
    `;
  }

  private renderScan(name: string) {
    return html`<p>${msg(str`Point the camera at the code on ${name}'s screen (in their chat with you: Safety number).`)}</p>
      ${this.cameraError ? html`<p role="alert" class="error" data-testid="verify-camera-error">${this.cameraError}</p>` : html`<video muted playsinline aria-label=${msg(str`Camera preview for scanning ${name}'s code`)}></video><canvas class="frame"></canvas>`}
      <div class="actions"><button class="secondary" type="button" @click=${() => this.stopScan()} data-testid="verify-scan-cancel">${msg("Cancel")}</button></div>`;
  }

  private renderNumber(name: string) {
    const digits = this.computing.pending ? "" : (this.computing.value ?? "");
    const groups = digits ? digits.split(" ") : [];
    const verified = this.peer?.verified === true;
    const blocked = this.peer?.status !== "verified";
    return html`<p>
        ${msg(str`Compare these numbers with ${name}, in person or on a call, or scan each other's code. If they match on both devices, you are talking to the right person and nobody is in between.`)}
      </p>
      ${verified ? html`<p class="mark" data-testid="verified-mark-dialog">${verifiedIcon}<span>${msg("Verified")}</span></p>` : nothing}
      ${this.result
        ? html`<p role=${this.result.ok ? "status" : "alert"} class="result ${this.result.ok ? "good" : "bad"}" data-testid=${this.result.ok ? "verify-success" : "verify-failure"}>${this.result.text}</p>`
        : nothing}
      ${groups.length
        ? html`<div class="both">
            <canvas class="qr" role="img" aria-label=${msg(str`Your safety-number code for ${name} to scan`)} data-testid="verify-qr"></canvas>
            <div class="digits" role="group" aria-label=${msg("Safety number")} data-testid="safety-number">${groups.map((g) => html`<span>${g}</span>`)}</div>
          </div>`
        : html`<p role="status">${this.computing.error || msg("Computing…")}</p>`}
      ${this.drawing.error ? html`<p role="alert" class="error">${this.drawing.error}</p>` : nothing}
      ${this.marking.error ? html`<p role="alert" class="error">${this.marking.error}</p>` : nothing}
      <div class="actions">
        ${blocked
          ? nothing
          : html`<button class="secondary" type="button" @click=${() => this.scan()} data-testid="verify-scan">${msg("Scan their code")}</button>
              ${verified
                ? html`<button class="secondary" type="button" ?disabled=${this.marking.pending} @click=${() => this.marking.run("clear")} data-testid="verify-clear">${msg("Clear verification")}</button>`
                : html`<button class="secondary" type="button" ?disabled=${this.marking.pending} @click=${() => this.marking.run("mark")} data-testid="verify-mark">${msg("Mark as verified")}</button>`}`}
        <button class="primary" type="button" @click=${() => this.close()} autofocus>${msg("Done")}</button>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-safety-number-dialog": SealedSafetyNumberDialog;
  }
}
