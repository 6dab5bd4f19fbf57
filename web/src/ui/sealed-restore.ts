import { localized, msg, str } from "@lit/localize";
import { formatCount } from "./i18n/intl.js";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, state } from "lit/decorators.js";
import { clientContext } from "./context.js";
import type { ChatClient, HistoryProgress, RestoreSecret, RestoreStep } from "../client/index.js";
import { cardPage } from "../styles/card-page.js";
import { shared } from "../styles/shared.js";
import { recoveryErrorText } from "./recovery-error-text.js";
import { Action, InputError } from "./action.js";

type Method = "key" | "passphrase" | "file";

/**
 * Restoring an account on a browser with nothing: the username and the recovery key, or the passphrase,
 * or an uploaded key file (with either). Nothing is changed until the key has opened the account's
 * recovery data; then this browser joins as a new device and loads the whole history with a progress
 * bar. Fires `restored` when done and `cancel` on Back.
 */
@localized()
@customElement("sealed-restore")
export class SealedRestore extends LitElement {
  static override styles = [
    shared,
    cardPage,
    css`
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
      fieldset {
        border: none;
        padding: 0;
        margin: 0 0 1rem;
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      legend {
        font-weight: 600;
        margin-bottom: 0.4rem;
      }
      .choice {
        display: flex;
        align-items: center;
        gap: 0.35rem;
        padding: 0.4rem 0.7rem;
        border: 1px solid var(--border);
        border-radius: 999px;
        cursor: pointer;
      }
      .choice:has(input:checked) {
        border-color: var(--accent);
        background: var(--accent-soft);
      }
      .choice.reset {
        margin-top: 1rem;
        border-radius: var(--radius);
        width: fit-content;
      }
      label.field {
        display: block;
        font-weight: 600;
        margin: 0.9rem 0 0.4rem;
      }
      input[type="password"] {
        width: 100%;
        font: inherit;
        padding: 0.7rem 0.85rem;
        color: var(--text);
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: var(--radius-sm);
      }
      input.key {
        font-family: var(--mono);
        letter-spacing: 0.04em;
      }
      .actions {
        display: flex;
        gap: 0.75rem;
        margin-top: 1.25rem;
      }
      .actions .primary {
        flex: 1;
      }
      progress {
        width: 100%;
        height: 0.8rem;
      }
      .working {
        padding: 0.8rem;
        border-radius: var(--radius-sm);
        background: var(--surface-2);
        margin-top: 1rem;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @state() private method: Method = "key";
  @state() private username = "";
  @state() private secret = "";
  @state() private fileSecret: "key" | "passphrase" = "passphrase";
  @state() private fileText: string | undefined;
  @state() private fileName = "";
  @state() private step: RestoreStep | undefined;
  @state() private progress: HistoryProgress | undefined;
  @state() private restoredAs = "";
  /** Sign out every other device (a reset entry) instead of joining next to them. */
  @state() private signOutOthers = false;
  /** Failed attempts so far: tests (and screen readers, via the re-announced alert) tell tries apart. */
  @state() private failures = 0;

  override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLElement>("h1")?.focus();
  }

  private async pickFile(e: Event): Promise<void> {
    const file = (e.target as HTMLInputElement).files?.[0];
    this.fileName = file?.name ?? "";
    this.fileText = file && file.size <= 16_384 ? await file.text() : undefined;
    if (file && file.size > 16_384) await this.refuse(msg("That file is too large to be a Sealed key file."));
  }

  /**
   * Restoring (or a refusal of the form's input, as an InputError): a failed attempt is counted, so
   * tests and screen readers tell one wrong try from the next.
   */
  private readonly restoring = new Action(
    this,
    async (work: () => Promise<void>) => {
      try {
        await work();
      } catch (err) {
        if (!(err instanceof InputError)) this.failures += 1;
        this.step = undefined;
        throw err;
      }
    },
    recoveryErrorText,
  );

  private get busy(): boolean {
    return this.restoring.pending;
  }

  private get error(): string {
    return this.restoring.error;
  }

  private refuse(text: string): Promise<void> {
    return this.restoring.run(() => Promise.reject(new InputError(text)));
  }

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this.busy) return;
    const kind = this.method === "file" ? this.fileSecret : this.method;
    const secret: RestoreSecret = kind === "key" ? { kind: "key", recoveryKey: this.secret } : { kind: "passphrase", passphrase: this.secret };
    if (this.method === "file" && this.fileText === undefined) {
      await this.refuse(msg("Choose your key file first."));
      return;
    }
    await this.restoring.run(async () => {
      const account = await this.client.recovery.restore({
        ...(this.method === "file" ? { keyFile: this.fileText } : { username: this.username }),
        secret,
        signOutOtherDevices: this.signOutOthers,
        onStep: (s) => (this.step = s),
      });
      this.restoredAs = account.username;
      this.secret = "";
      this.progress = { done: 0, total: 0 };
      await this.client.loadHistory((p) => (this.progress = p));
      this.dispatchEvent(new CustomEvent("restored", { bubbles: true, composed: true }));
    });
  }

  private cancel(): void {
    this.dispatchEvent(new CustomEvent("cancel", { bubbles: true, composed: true }));
  }

  private renderWorking() {
    if (this.progress) {
      const { done, total } = this.progress;
      return html`<div class="working">
        <p><strong data-testid="restored">${msg(str`Restored @${this.restoredAs}.`)}</strong> ${msg("Loading your history on this browser…")}</p>
        <progress data-testid="history-progress" max=${Math.max(total, 1)} value=${done} aria-label=${msg("History loaded")}></progress>
        <p role="status">${msg(str`${formatCount(done)} of ${formatCount(total)} messages`)}</p>
      </div>`;
    }
    const text: Record<RestoreStep["step"], string> = {
      "looking-up": msg("Looking up your account…"),
      unlocking: msg("Unlocking… this takes a few seconds."),
      opening: msg("Opening your recovery data…"),
      joining: msg("Adding this browser to your account…"),
      done: msg("Restored."),
    };
    return this.step ? html`<p class="working" role="status" data-testid="restore-status">${text[this.step.step]}</p>` : nothing;
  }

  private renderSecretField(kind: "key" | "passphrase") {
    return kind === "key"
      ? html`<label class="field" for="secret">${msg("Recovery key")}</label>
          <input
            id="secret"
            class="key"
            type="text"
            autocomplete="off"
            autocapitalize="characters"
            spellcheck="false"
            placeholder=${msg("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")}
            .value=${this.secret}
            @input=${(e: Event) => (this.secret = (e.target as HTMLInputElement).value)}
            ?disabled=${this.busy}
            data-testid="restore-secret"
          />
          <p class="hint">${msg("The 32 characters you saved when you signed up. Dashes and case don't matter.")}</p>`
      : html`<label class="field" for="secret">${msg("Passphrase")}</label>
          <input
            id="secret"
            type="password"
            autocomplete="current-password"
            .value=${this.secret}
            @input=${(e: Event) => (this.secret = (e.target as HTMLInputElement).value)}
            ?disabled=${this.busy}
            data-testid="restore-secret"
          />`;
  }

  override render() {
    const methods: [Method, string][] = [
      ["key", msg("Recovery key")],
      ["passphrase", msg("Passphrase")],
      ["file", msg("Key file")],
    ];
    if (this.progress) return html`<main class="card" data-testid="restore"><h1 tabindex="-1">${msg("Restore your account")}</h1>${this.renderWorking()}</main>`;
    return html`<main class="card" data-testid="restore">
      <h1 tabindex="-1">${msg("Restore your account")}</h1>
      <p>${msg("Use the recovery key you saved when you signed up — or your passphrase, if you set one. This browser becomes a new device of your account and gets your whole history.")}</p>
      <form @submit=${this.submit} novalidate>
        <fieldset ?disabled=${this.busy}>
          <legend>${msg("Restore with")}</legend>
          ${methods.map(
            ([m, label]) => html`<label class="choice"
              ><input type="radio" name="method" .checked=${this.method === m} @change=${() => ((this.method = m), this.restoring.clear(), (this.secret = ""))} data-testid=${`restore-method-${m}`} />${label}</label
            >`,
          )}
        </fieldset>
        ${this.method === "file"
          ? html`<label class="field" for="keyfile">${msg("Key file")}</label>
              <input id="keyfile" type="file" accept=".txt,text/plain" @change=${this.pickFile} ?disabled=${this.busy} data-testid="restore-file" />
              ${this.fileName ? html`<p class="hint">${this.fileName}</p>` : nothing}
              <fieldset ?disabled=${this.busy}>
                <legend>${msg("Open it with")}</legend>
                <label class="choice"><input type="radio" name="file-secret" .checked=${this.fileSecret === "passphrase"} @change=${() => (this.fileSecret = "passphrase")} data-testid="file-secret-passphrase" />${msg("Passphrase")}</label>
                <label class="choice"><input type="radio" name="file-secret" .checked=${this.fileSecret === "key"} @change=${() => (this.fileSecret = "key")} data-testid="file-secret-key" />${msg("Recovery key")}</label>
              </fieldset>
              ${this.renderSecretField(this.fileSecret)}`
          : html`<label class="field" for="username">${msg("Username")}</label>
              <input
                id="username"
                type="text"
                autocomplete="username"
                autocapitalize="none"
                spellcheck="false"
                maxlength="32"
                .value=${this.username}
                @input=${(e: Event) => (this.username = (e.target as HTMLInputElement).value)}
                ?disabled=${this.busy}
                data-testid="restore-username"
              />
              ${this.renderSecretField(this.method === "key" ? "key" : "passphrase")}`}
        <label class="choice reset">
          <input type="checkbox" .checked=${this.signOutOthers} @change=${(e: Event) => (this.signOutOthers = (e.target as HTMLInputElement).checked)}
            ?disabled=${this.busy} aria-describedby="reset-hint" data-testid="restore-sign-out-others" />
          ${msg("Sign out all my other devices")}
        </label>
        <p class="hint" id="reset-hint">${msg("For a lost or stolen device: every device signed in now is removed, and your account gets new keys that only this browser holds. Your history stays readable.")}</p>
        ${this.error ? html`<p class="error" role="alert" data-testid="restore-error" data-attempt=${this.failures}>${this.error}</p>` : nothing} ${this.renderWorking()}
        <div class="actions">
          <button class="secondary" type="button" @click=${this.cancel} ?disabled=${this.busy}>${msg("Back")}</button>
          <button class="primary" type="submit" ?disabled=${this.busy} data-testid="restore-submit">${this.busy ? msg("Restoring…") : msg("Restore")}</button>
        </div>
      </form>
    </main>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-restore": SealedRestore;
  }
}
