import { localized, msg, str } from "@lit/localize";
import { formatCount } from "./i18n/intl.js";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, query, state } from "lit/decorators.js";
import { isApiError, type ChatClient, type SignOutPlan } from "../client/index.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { switchSection } from "../styles/switch-section.js";
import { Action } from "./action.js";
import { errorText } from "./error-text.js";
import type { ConfirmRequest, SealedConfirmDialog } from "./sealed-confirm-dialog.js";
import "./sealed-confirm-dialog.js";

/** Unreachable server: signing out needs it, so the sentence says nothing changed. */
function signOutError(e: unknown): string {
  if (isApiError(e, "network") || (isApiError(e) && e.status >= 500)) {
    return msg("Can't reach the server, so this browser was not signed out: nothing was deleted. Try again when you're online.");
  }
  return errorText(e);
}

function unsentText(n: number): string {
  if (n === 0) return "";
  return n === 1 ? msg(" 1 message written here hasn't been sent yet and will be lost.") : msg(str` ${formatCount(n)} messages written here haven't been sent yet and will be lost.`);
}

/**
 * What the confirmation says (docs/decisions.md "Sign out"): what this browser forgets, that the other
 * devices carry on, how to come back; and, for an account's only device with no way to recover it, that
 * the account itself is lost for good.
 */
export function signOutQuestion(p: SignOutPlan): ConfirmRequest {
  const lost = unsentText(p.unsent);
  if (p.otherDevices === 0 && !p.recoverable) {
    return {
      title: msg("Sign out and lose your account?"),
      body: msg(str`This browser is your account's only device and no recovery is set up (no saved recovery key, no passphrase). Signing out now deletes its keys: your account and all its history will be lost forever, and no one can get them back.${lost}`),
      confirm: msg("Sign out and lose my account"),
      danger: true,
    };
  }
  const back =
    p.otherDevices > 0
      ? (p.otherDevices === 1 ? msg("Your other device keeps working. To use your account here again, link this browser from one of them or restore it with your recovery key.") : msg(str`Your other ${formatCount(p.otherDevices)} devices keep working. To use your account here again, link this browser from one of them or restore it with your recovery key.`))
      : msg("This browser is your account's only device: to use your account again, restore it with your recovery key.");
  return {
    title: msg("Sign out of this browser?"),
    body: msg(str`This browser will forget your account, its keys and its message history. ${back}${lost}`),
    confirm: msg("Sign out"),
    danger: true,
  };
}

/**
 * Settings › Sign out (issues 19 and 21): asks first, saying what is lost, then signs this browser out
 * (client.signOut). The app returns to the welcome screen on the "signed-out" event (sealed-app.ts).
 */
@localized()
@customElement("sealed-sign-out")
export class SealedSignOut extends LitElement {
  static override styles = [
    shared,
    switchSection,
    css`
      .danger {
        background: var(--danger);
        color: var(--on-accent);
        border: none;
      }
      p {
        margin: 0 0 0.9rem;
        color: var(--muted);
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @query("sealed-confirm-dialog") private confirmDialog!: SealedConfirmDialog;
  @state() private step: "idle" | "checking" | "signing-out" = "idle";

  private readonly signingOut = new Action(
    this,
    async () => {
      this.step = "checking";
      try {
        const plan = await this.client.signOutPlan();
        this.step = "idle";
        if (!(await this.confirmDialog.ask(signOutQuestion(plan)))) return;
        this.step = "signing-out";
        await this.client.signOut();
      } finally {
        this.step = "idle";
      }
    },
    signOutError,
  );

  override render() {
    const busy = this.signingOut.pending;
    return html`<section aria-labelledby="sign-out-title" data-testid="sign-out-settings">
      <h2 id="sign-out-title">${msg("Sign out")}</h2>
      <p>${msg("Removes this browser from your account and deletes your keys and messages from it. Your other devices are not affected.")}</p>
      <button class="danger" type="button" ?disabled=${busy} @click=${() => void this.signingOut.run()} data-testid="sign-out">
        ${this.step === "checking" ? msg("Checking…") : this.step === "signing-out" ? msg("Signing out…") : msg("Sign out")}
      </button>
      ${this.signingOut.error ? html`<p class="error" role="alert" data-testid="sign-out-error">${this.signingOut.error}</p>` : nothing}
      <sealed-confirm-dialog></sealed-confirm-dialog>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-sign-out": SealedSignOut;
  }
}
