import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, query, state } from "lit/decorators.js";
import { clientContext } from "./context.js";
import { type ChatClient, REQUIRED_PASSPHRASE_BITS, estimatePassphraseBits } from "../client/index.js";
import { shared } from "../styles/shared.js";
import { formatDay, formatTime } from "./format.js";
import { recoveryErrorText } from "./recovery-error-text.js";
import { Action, InputError } from "./action.js";
import "./sealed-recovery-key.js";
import type { SealedConfirmDialog } from "./sealed-confirm-dialog.js";
import "./sealed-confirm-dialog.js";

type Panel = "none" | "passphrase" | "rotate" | "new-key";

/**
 * Settings › Recovery: when recovery was last used, the optional passphrase (set, change, remove; ~70
 * bits required, with a generated six-word suggestion), the key file, and "Make a new recovery key".
 * Rendered by <sealed-settings> when this element is defined.
 */
@localized()
@customElement("sealed-recovery-settings")
export class SealedRecoverySettings extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      section {
        background: var(--surface);
        border-radius: var(--radius);
        box-shadow: var(--shadow);
        padding: 1.25rem;
      }
      h2 {
        margin: 0 0 0.75rem;
        font-size: 1.15rem;
      }
      p {
        margin: 0 0 0.75rem;
        color: var(--muted);
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.6rem;
        margin: 0.75rem 0;
      }
      label {
        display: block;
        font-weight: 600;
        margin: 0.75rem 0 0.35rem;
      }
      input[type="password"],
      input.pass {
        width: 100%;
        font: inherit;
        font-family: var(--mono);
        padding: 0.7rem 0.85rem;
        color: var(--text);
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: var(--radius-sm);
      }
      meter {
        width: 100%;
        height: 0.7rem;
      }
      .panel {
        border-top: 1px solid var(--border);
        margin-top: 1rem;
        padding-top: 0.75rem;
      }
      .ok {
        color: var(--accent);
      }
      .warn {
        padding: 0.7rem;
        border-radius: var(--radius-sm);
        background: var(--warn-bg);
        color: var(--warn-text);
      }
    `,
  ];

  @query("sealed-confirm-dialog") private confirmDialog!: SealedConfirmDialog;
  @consume({ context: clientContext }) client!: ChatClient;
  @state() private lastUsedAt: number | null | undefined;
  @state() private hasPassphrase = false;
  @state() private hasBlob = true;
  @state() private panel: Panel = "none";
  @state() private notice = "";
  @state() private recoveryKeyInput = "";
  @state() private passphrase = "";
  @state() private passphraseAgain = "";
  @state() private showPassphrase = false;
  @state() private newKey = "";

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  /** What the server holds for recovery (the status line and which buttons make sense). */
  private readonly status = new Action(
    this,
    async () => {
      const s = await this.client.recovery.status();
      this.lastUsedAt = s.lastUsedAt;
      this.hasPassphrase = s.passphraseBlob !== null;
      this.hasBlob = s.blob !== null;
    },
    recoveryErrorText,
  );

  /** One recovery action at a time; `label` is what the status line says while it runs. */
  private readonly work = new Action(this, async (_label: string, work: () => Promise<void>) => work(), recoveryErrorText);

  private async refresh(): Promise<void> {
    await this.status.run();
  }

  private async run(label: string, work: () => Promise<void>): Promise<void> {
    this.notice = "";
    await this.work.run(label, work);
  }

  /** A sentence for input refused here, before anything is sent (shown where failures are). */
  private refuse(text: string): Promise<void> {
    return this.work.run("", () => Promise.reject(new InputError(text)));
  }

  private get busy(): string {
    return this.work.pending ? (this.work.lastArgs?.[0] ?? "") : "";
  }

  private get error(): string {
    return this.work.error || (this.work.pending ? "" : this.status.error);
  }

  private clearError(): void {
    this.work.clear();
    this.status.clear();
  }

  private open(panel: Panel): void {
    this.panel = this.panel === panel ? "none" : panel;
    this.clearError();
    this.notice = "";
    this.passphrase = "";
    this.passphraseAgain = "";
    this.recoveryKeyInput = "";
  }

  private generate(): void {
    this.clearError();
    this.passphrase = this.client.recovery.generatePassphrase();
    this.passphraseAgain = this.passphrase;
    this.showPassphrase = true;
  }

  private get bits(): number {
    return estimatePassphraseBits(this.passphrase);
  }

  private async savePassphrase(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this.bits < REQUIRED_PASSPHRASE_BITS) {
      await this.refuse(msg(str`This passphrase is too easy to guess (about ${Math.round(this.bits)} bits; ${REQUIRED_PASSPHRASE_BITS} needed). Add words, or use “Generate a passphrase”.`));
      return;
    }
    if (this.passphrase !== this.passphraseAgain) {
      await this.refuse(msg("The two passphrases don't match."));
      return;
    }
    await this.run(msg("Protecting your recovery key… this takes a few seconds"), async () => {
      await this.client.recovery.setPassphrase({ recoveryKey: this.recoveryKeyInput, passphrase: this.passphrase });
      this.panel = "none";
      this.passphrase = this.passphraseAgain = this.recoveryKeyInput = "";
      this.notice = msg("Passphrase saved. You can now restore your account with it.");
      await this.refresh();
    });
  }

  private async removePass(): Promise<void> {
    const yes = await this.confirmDialog.ask({
      title: msg("Remove the passphrase?"),
      body: msg("Only the recovery key will restore your account."),
      confirm: msg("Remove passphrase"),
      danger: true,
    });
    if (!yes) return;
    await this.run(msg("Removing…"), async () => {
      await this.client.recovery.removePassphrase();
      this.notice = msg("Passphrase removed.");
      await this.refresh();
    });
  }

  private async downloadKeyFile(): Promise<void> {
    await this.run(msg("Preparing…"), async () => {
      const text = await this.client.recovery.keyFileText();
      const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = "sealed-key-file.txt";
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      this.notice = msg("Key file downloaded. It opens only with your recovery key or passphrase.");
    });
  }

  private async storeBlob(): Promise<void> {
    await this.run(msg("Storing…"), async () => {
      await this.client.recovery.storeBlob();
      await this.refresh();
    });
  }

  private async rotate(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    await this.run(this.hasPassphrase && this.passphrase ? msg("Making a new key and re-protecting it… this takes a few seconds") : msg("Making a new recovery key…"), async () => {
      const r = await this.client.recovery.rotateKey(this.passphrase ? { passphrase: this.passphrase } : {});
      this.passphrase = "";
      this.newKey = r.recoveryKey;
      this.panel = "new-key";
      this.notice = this.hasPassphrase ? (r.passphraseKept ? msg("Your passphrase now protects the new key.") : msg("Your passphrase was removed: set it again with the new key.")) : "";
      await this.refresh();
    });
  }

  private renderPassphrasePanel() {
    const bits = this.bits;
    return html`<form class="panel" @submit=${this.savePassphrase} novalidate data-testid="passphrase-form">
      <p>${msg("The passphrase protects your recovery key, so you can restore with something you remember. The server can try guesses against it, so it must be strong.")}</p>
      <label for="pp-key">${msg("Your recovery key")}</label>
      <input id="pp-key" type="text" class="pass" autocomplete="off" spellcheck="false" .value=${this.recoveryKeyInput} @input=${(e: Event) => (this.recoveryKeyInput = (e.target as HTMLInputElement).value)} data-testid="passphrase-recovery-key" />
      <p class="hint">${msg("No device keeps it, so type it once more.")}</p>
      <label for="pp-new">${msg("New passphrase")}</label>
      <input id="pp-new" type=${this.showPassphrase ? "text" : "password"} class="pass" autocomplete="new-password" .value=${this.passphrase} @input=${(e: Event) => (this.passphrase = (e.target as HTMLInputElement).value)} data-testid="passphrase-new" />
      <meter min="0" max=${REQUIRED_PASSPHRASE_BITS * 1.3} low=${REQUIRED_PASSPHRASE_BITS * 0.7} high=${REQUIRED_PASSPHRASE_BITS} optimum=${REQUIRED_PASSPHRASE_BITS * 1.3} value=${bits} aria-label=${msg("Passphrase strength")}></meter>
      <p class="hint" data-testid="passphrase-strength">${this.passphrase ? (bits >= REQUIRED_PASSPHRASE_BITS ? html`<span class="ok">${msg("Strong enough")}</span> ${msg(str`(about ${Math.round(bits)} bits)`)}` : msg(str`Too weak: about ${Math.round(bits)} of ${REQUIRED_PASSPHRASE_BITS} bits`)) : msg(str`At least ${REQUIRED_PASSPHRASE_BITS} bits: for example six random words.`)}</p>
      <label for="pp-again">${msg("Type it again")}</label>
      <input id="pp-again" type=${this.showPassphrase ? "text" : "password"} class="pass" autocomplete="new-password" .value=${this.passphraseAgain} @input=${(e: Event) => (this.passphraseAgain = (e.target as HTMLInputElement).value)} data-testid="passphrase-again" />
      <div class="row">
        <button class="secondary" type="button" @click=${this.generate} data-testid="passphrase-generate">${msg("Generate a passphrase")}</button>
        <button class="primary" type="submit" ?disabled=${!!this.busy} data-testid="passphrase-save">${msg("Save passphrase")}</button>
      </div>
    </form>`;
  }

  private renderRotatePanel() {
    return html`<form class="panel" @submit=${this.rotate} novalidate data-testid="rotate-form">
      <p class="warn">${msg("Your current recovery key stops working. You get a new one, shown once — save it before you leave the page.")}</p>
      ${this.hasPassphrase
        ? html`<label for="rot-pass">${msg("Your passphrase (to keep it for the new key)")}</label>
            <input id="rot-pass" type="password" class="pass" autocomplete="current-password" .value=${this.passphrase} @input=${(e: Event) => (this.passphrase = (e.target as HTMLInputElement).value)} data-testid="rotate-passphrase" />
            <p class="hint">${msg("Leave empty to remove the passphrase.")}</p>`
        : nothing}
      <div class="row">
        <button class="secondary" type="button" @click=${() => this.open("rotate")}>${msg("Cancel")}</button>
        <button class="primary" type="submit" ?disabled=${!!this.busy} data-testid="rotate-confirm">${msg("Make a new recovery key")}</button>
      </div>
    </form>`;
  }

  override render() {
    if (this.panel === "new-key") {
      return html`<section data-testid="recovery-settings">
        <sealed-recovery-key .recoveryKey=${this.newKey} .keyTitle=${msg("Save your new recovery key")} @confirmed=${() => ((this.newKey = ""), (this.panel = "none"))}></sealed-recovery-key>
        ${this.notice ? html`<p role="status">${this.notice}</p>` : nothing}
      </section>`;
    }
    return html`<section data-testid="recovery-settings" aria-labelledby="recovery-h">
      <h2 id="recovery-h">${msg("Recovery")}</h2>
      <p data-testid="recovery-last-used">${msg("Recovery last used:")} ${this.lastUsedAt === undefined ? "…" : this.lastUsedAt === null ? msg("never") : msg(str`${formatDay(this.lastUsedAt)}, ${formatTime(this.lastUsedAt)}`)}</p>
      ${this.hasBlob ? nothing : html`<p class="warn">${msg("Recovery data isn't stored on the server yet.")} <button class="secondary" type="button" @click=${this.storeBlob}>${msg("Store it now")}</button></p>`}
      <p>${msg("Passphrase:")} <strong data-testid="passphrase-state">${this.hasPassphrase ? msg("set") : msg("not set")}</strong></p>
      <div class="row">
        <button class="secondary" type="button" @click=${() => this.open("passphrase")} ?disabled=${!!this.busy} data-testid="passphrase-open">${this.hasPassphrase ? msg("Change passphrase") : msg("Set a passphrase")}</button>
        ${this.hasPassphrase ? html`<button class="secondary" type="button" @click=${this.removePass} ?disabled=${!!this.busy} data-testid="passphrase-remove">${msg("Remove passphrase")}</button>` : nothing}
        <button class="secondary" type="button" @click=${this.downloadKeyFile} ?disabled=${!!this.busy} data-testid="key-file-download">${msg("Download key file")}</button>
        <button class="secondary" type="button" @click=${() => this.open("rotate")} ?disabled=${!!this.busy} data-testid="rotate-open">${msg("Make a new recovery key")}</button>
      </div>
      ${this.panel === "passphrase" ? this.renderPassphrasePanel() : nothing} ${this.panel === "rotate" ? this.renderRotatePanel() : nothing}
      ${this.busy ? html`<p role="status" data-testid="recovery-busy">${this.busy}</p>` : nothing} ${this.error ? html`<p class="error" role="alert" data-testid="recovery-error">${this.error}</p>` : nothing}
      ${this.notice ? html`<p role="status" data-testid="recovery-notice">${this.notice}</p>` : nothing}
      <sealed-confirm-dialog></sealed-confirm-dialog>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-recovery-settings": SealedRecoverySettings;
  }
}
