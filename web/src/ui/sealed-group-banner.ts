import { localized, msg } from "@lit/localize";
import { LitElement, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { GroupView } from "../client/index.js";
import { bannerStyles } from "../styles/banner.js";
import { shared } from "../styles/shared.js";
import { warningIcon } from "./icons.js";

/**
 * What a group chat says above its history when something is wrong: the server served a membership change
 * no admin signed (a lasting warning: the client kept the verified member list), or this account is no
 * longer a member (the history stays readable, nothing new arrives, the composer is off).
 */
@localized()
@customElement("sealed-group-banner")
export class SealedGroupBanner extends LitElement {
  static override styles = [shared, bannerStyles];

  @property({ attribute: false }) group!: GroupView;

  override render() {
    const g = this.group;
    return html`${g.problem
      ? html`<div class="danger" role="alert" data-testid="membership-warning" data-code=${g.problem.code}>
          <span class="icon">${warningIcon}</span>
          <span>
            <strong>${msg("The server tried to change this group's members without an admin. The change was refused.")}</strong>
            <p>
              ${msg("No admin signed it, so this device kept the member list it had verified and sends only to those people. If it happens again, the server may be trying to add someone to listen in.")}
            </p>
          </span>
        </div>`
      : nothing}
    ${g.myRole === "none"
      ? html`<div class="info" role="status" data-testid="group-removed">
          <span>
            <strong>${msg("You are no longer a member of this group")}</strong>
            <p>${msg("You can still read what was written while you were in it, but you can't send or receive new messages.")}</p>
          </span>
        </div>`
      : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-group-banner": SealedGroupBanner;
  }
}
