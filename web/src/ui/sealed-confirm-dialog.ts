import { localized, msg } from "@lit/localize";
import { LitElement, css, html } from "lit";
import { customElement, query, state } from "lit/decorators.js";
import { shared } from "../styles/shared.js";
import { dialogStyles } from "./dialog-styles.js";

export interface ConfirmRequest {
  readonly title: string;
  readonly body: string;
  /** The confirming button's label ("Delete for everyone"). */
  readonly confirm: string;
  /** A destructive action: the confirming button is red and Cancel has the focus. */
  readonly danger?: boolean;
}

/**
 * An in-app confirmation (a native <dialog>, not window.confirm, which blocks the page and cannot be
 * styled or tested): `ask` resolves true when confirmed, false on Cancel, Escape or closing.
 */
@localized()
@customElement("sealed-confirm-dialog")
export class SealedConfirmDialog extends LitElement {
  static override styles = [
    shared,
    dialogStyles,
    css`
      p {
        color: var(--muted);
        margin: 0;
      }
      .danger {
        background: var(--danger);
        /* White on the dark theme's light red measured 2.28:1; --on-accent is white in light, near-black in dark. */
        color: var(--on-accent);
      }
    `,
  ];

  @state() private request: ConfirmRequest | undefined;
  @query("dialog") private dialog!: HTMLDialogElement;
  private answer: ((yes: boolean) => void) | undefined;

  async ask(r: ConfirmRequest): Promise<boolean> {
    this.answer?.(false);
    this.request = r;
    await this.updateComplete;
    this.dialog.showModal();
    return new Promise((resolve) => (this.answer = resolve));
  }

  private settle(yes: boolean): void {
    const answer = this.answer;
    this.answer = undefined;
    if (this.dialog.open) this.dialog.close();
    answer?.(yes);
  }

  override render() {
    const r = this.request;
    return html`<dialog aria-labelledby="confirm-title" aria-describedby="confirm-body" data-testid="confirm-dialog" @close=${() => this.settle(false)}>
      <h2 id="confirm-title">${r?.title}</h2>
      <p id="confirm-body">${r?.body}</p>
      <div class="actions">
        <button class="secondary" type="button" ?autofocus=${r?.danger === true} @click=${() => this.settle(false)} data-testid="confirm-cancel">${msg("Cancel")}</button>
        <button class=${r?.danger ? "danger" : "primary"} type="button" ?autofocus=${r?.danger !== true} @click=${() => this.settle(true)} data-testid="confirm-ok">${r?.confirm}</button>
      </div>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-confirm-dialog": SealedConfirmDialog;
  }
}
