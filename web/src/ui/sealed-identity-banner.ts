import { localized, msg, str } from "@lit/localize";
import { LitElement, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { PeerView } from "../client/index.js";
import { bannerStyles } from "../styles/banner.js";
import { shared } from "../styles/shared.js";
import { warningIcon } from "./icons.js";

/** The blocking warning shown when a contact's identity no longer matches the one first verified. */
@localized()
@customElement("sealed-identity-banner")
export class SealedIdentityBanner extends LitElement {
  static override styles = [shared, bannerStyles];

  @property({ attribute: false }) peer!: PeerView;

  override render() {
    const name = this.peer.username;
    const why =
      this.peer.problem?.code === "identity_mismatch"
        ? msg(str`The server now presents a different account for “${name}” than the one you first talked to.`)
        : msg(str`The server showed ${name}'s device list in a way that contradicts what you saw before.`);
    return html`<div class="danger" role="alert" data-testid="identity-warning" data-code=${this.peer.problem?.code ?? "unknown"}>
      <span class="icon">${warningIcon}</span>
      <span>
        <strong>${msg(str`${name}'s identity has changed. Sending is stopped.`)}</strong>
        <p>${why} ${msg(str`Someone may be trying to intercept this chat. Talk to ${name} another way before trusting it again.`)}</p>
      </span>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-identity-banner": SealedIdentityBanner;
  }
}
