import { LitElement, css, html } from "lit";
import { consume } from "@lit/context";
import { customElement, query, state } from "lit/decorators.js";
import type { AccountId } from "../../../protocol/index.js";
import type { ChatClient } from "../client/index.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { dialogStyles } from "./dialog-styles.js";
import { Action } from "./action.js";

/** The safety number of this account and a contact, to compare in person or on a call. */
@customElement("sealed-safety-number-dialog")
export class SealedSafetyNumberDialog extends LitElement {
  static override styles = [
    shared,
    dialogStyles,
    css`
      p {
        color: var(--muted);
        margin: 0 0 1rem;
      }
      .digits {
        display: grid;
        grid-template-columns: repeat(4, auto);
        justify-content: center;
        gap: 0.5rem 1rem;
        padding: 1rem;
        margin: 0 0 1rem;
        border-radius: var(--radius);
        background: var(--surface-2);
        font-family: var(--mono);
        font-size: 1.15rem;
        letter-spacing: 0.06em;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @state() private peerName = "";
  @query("dialog") private dialog!: HTMLDialogElement;

  async open(peer: { accountId: AccountId; username: string }): Promise<void> {
    this.peerName = peer.username;
    this.dialog.showModal();
    await this.computing.run(peer.accountId);
  }

  private readonly computing = new Action(this, (id: AccountId) => this.client.safetyNumber(id));

  override render() {
    const digits = this.computing.pending ? "" : (this.computing.value ?? "");
    const groups = digits ? digits.split(" ") : [];
    return html`
      <dialog aria-labelledby="sn-title" data-testid="safety-number-dialog">
        <h2 id="sn-title">Safety number with ${this.peerName}</h2>
        <p>Compare these numbers with ${this.peerName}, in person or on a call. If they match on both devices, you are talking to the right person and nobody is in between.</p>
        ${groups.length
          ? html`<div class="digits" role="group" aria-label="Safety number" data-testid="safety-number">${groups.map((g) => html`<span>${g}</span>`)}</div>`
          : html`<p role="status">${this.computing.error || "Computing…"}</p>`}
        <div class="actions">
          <button class="primary" type="button" @click=${() => this.dialog.close()} autofocus>Done</button>
        </div>
      </dialog>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-safety-number-dialog": SealedSafetyNumberDialog;
  }
}
