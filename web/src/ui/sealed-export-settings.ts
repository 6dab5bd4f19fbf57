import { localized, msg, str } from "@lit/localize";
import { formatCount, formatLocale } from "./i18n/intl.js";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, state } from "lit/decorators.js";
import type { ChatClient, ConversationView, ExportProgress } from "../client/index.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { switchSection } from "../styles/switch-section.js";
import { Action } from "./action.js";

function progressText(p: ExportProgress | undefined): string {
  if (!p) return msg("Preparing…");
  if (p.step === "messages") return msg(str`Reading chats… ${p.done + 1} of ${p.total}`);
  if (p.step === "attachments") return msg(str`Decrypting files… ${p.done + 1} of ${p.total}`);
  return msg("Packing the file…");
}

/**
 * Settings › Export (issue 20): chats decrypted into an HTML page or a JSON file, the files optionally
 * included (then a .zip), made on this device and saved by the browser. Warns first that the file is not
 * encrypted. docs/decisions.md "Export".
 */
@localized()
@customElement("sealed-export-settings")
export class SealedExportSettings extends LitElement {
  static override styles = [
    shared,
    switchSection,
    css`
      .warn {
        background: var(--warn-bg);
        color: var(--warn-text);
        border-radius: var(--radius-sm);
        padding: 0.6rem 0.8rem;
        margin: 0 0 0.9rem;
      }
      .grid {
        display: grid;
        gap: 0.75rem;
      }
      fieldset {
        border: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
      }
      legend {
        padding: 0;
        margin-bottom: 0.35rem;
        font-weight: 600;
      }
      select {
        max-width: 100%;
        font: inherit;
        padding: 0.55rem 0.7rem;
        border-radius: var(--radius-sm);
        border: 1px solid var(--border);
        background: var(--surface);
        color: var(--text);
      }
      .row {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        flex-wrap: wrap;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @state() private chats: ConversationView[] = [];
  @state() private chat = "";
  @state() private format: "html" | "json" = "html";
  @state() private withFiles = false;
  @state() private progress: ExportProgress | undefined;
  @state() private saved = "";

  override connectedCallback(): void {
    super.connectedCallback();
    void this.client.views.conversations().then((c) => (this.chats = c));
  }

  private readonly exporting = new Action(this, async () => {
    this.saved = "";
    this.progress = undefined;
    const result = await this.client.exportChats({
      ...(this.chat ? { conversationId: this.chat as ConversationView["id"] } : {}),
      format: this.format,
      attachments: this.withFiles,
      locale: formatLocale(),
      onProgress: (p) => (this.progress = p),
    });
    const url = URL.createObjectURL(result.file);
    const a = document.createElement("a");
    a.href = url;
    a.download = result.name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    const name = result.name;
    const missing = result.missing;
    this.saved = !missing
      ? msg(str`Saved ${name}.`)
      : missing === 1
        ? msg(str`Saved ${name}. 1 file was not included: no longer on the server or damaged.`)
        : msg(str`Saved ${name}. ${formatCount(missing)} files were not included: no longer on the server or damaged.`);
  });

  override render() {
    const busy = this.exporting.pending;
    return html`<section aria-labelledby="export-title" data-testid="export-settings">
      <h2 id="export-title">${msg("Export chats")}</h2>
      <p class="warn" data-testid="export-warning">${msg("The exported file is not encrypted: anyone who gets it can read these messages. It is made on this device; nothing is sent to the server.")}</p>
      <div class="grid">
        <label class="field" for="export-chat">${msg("Chats")}</label>
        <select id="export-chat" .value=${this.chat} @change=${(e: Event) => (this.chat = (e.target as HTMLSelectElement).value)} ?disabled=${busy} data-testid="export-chat">
          <option value="">${msg(str`All chats (${this.chats.length})`)}</option>
          ${this.chats.map((c) => html`<option value=${c.id}>${c.title}</option>`)}
        </select>
        <fieldset>
          <legend>${msg("Format")}</legend>
          <label><input type="radio" name="format" .checked=${this.format === "html"} @change=${() => (this.format = "html")} ?disabled=${busy} data-testid="export-html" /> ${msg("Web page (HTML)")}</label>
          <label><input type="radio" name="format" .checked=${this.format === "json"} @change=${() => (this.format = "json")} ?disabled=${busy} data-testid="export-json" /> ${msg("Data (JSON)")}</label>
        </fieldset>
        <label>
          <input type="checkbox" .checked=${this.withFiles} @change=${(e: Event) => (this.withFiles = (e.target as HTMLInputElement).checked)} ?disabled=${busy} data-testid="export-files" />
          <span>${msg("Include photos, files and voice messages")} <span class="hint">${msg("They are downloaded and decrypted, and the export becomes a .zip.")}</span></span>
        </label>
        <div class="row">
          <button class="primary" type="button" ?disabled=${busy} @click=${() => void this.exporting.run()} data-testid="export-start">${busy ? msg("Exporting…") : msg("Export")}</button>
          ${busy ? html`<span role="status" data-testid="export-progress">${progressText(this.progress)}</span>` : nothing}
          ${!busy && this.saved ? html`<span role="status" data-testid="export-done">${this.saved}</span>` : nothing}
        </div>
        ${this.exporting.error ? html`<p class="error" role="alert">${this.exporting.error}</p>` : nothing}
      </div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-export-settings": SealedExportSettings;
  }
}
