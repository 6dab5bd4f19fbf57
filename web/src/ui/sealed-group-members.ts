import { localized, msg, str } from "@lit/localize";
import { formatCount } from "./i18n/intl.js";
import { LitElement, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, property, query } from "lit/decorators.js";
import { live } from "lit/directives/live.js";
import { MAX_GROUP_NAME_BYTES, type ConversationId } from "../../../protocol/index.js";
import { clientContext } from "./context.js";
import type { ChatClient, GroupView, MemberView } from "../client/index.js";
import { shared } from "../styles/shared.js";
import { dialogStyles } from "./dialog-styles.js";
import { groupMembersStyles } from "./group-members-styles.js";
import { Action, InputError } from "./action.js";
import { closeIcon } from "./icons.js";
import type { SealedConfirmDialog } from "./sealed-confirm-dialog.js";
import "./sealed-confirm-dialog.js";

/**
 * The group's member panel: who is in it and who is an admin; admins add, remove and promote people and
 * decide whether new members can read earlier messages; members rename the group; everyone can leave.
 * Every change is one signed membership entry made by the client; removing and leaving are confirmed first.
 */
@localized()
@customElement("sealed-group-members")
export class SealedGroupMembers extends LitElement {
  static override styles = [shared, dialogStyles, groupMembersStyles];

  @consume({ context: clientContext }) client!: ChatClient;
  @property({ attribute: false }) conversationId!: ConversationId;
  @property({ attribute: false }) group!: GroupView;
  /** The name as the list shows it ("Unnamed group" until one is readable). */
  @property() groupTitle = "";
  @query("dialog") private dialog!: HTMLDialogElement;
  @query("sealed-confirm-dialog") private confirmDialog!: SealedConfirmDialog;

  open(): void {
    this.change.clear();
    this.dialog.showModal();
  }

  /**
   * One change at a time: `what` names it (to label its button while it runs), `done` is the sentence
   * shown after. The group view updates itself from the store, so only the outcome is kept here.
   */
  private readonly change = new Action(this, async (_what: string, action: () => Promise<void>, done: string) => {
    await action();
    return done;
  });

  private async act(what: string, action: () => Promise<void>, done: string): Promise<boolean> {
    await this.change.run(what, action, done);
    return this.change.done;
  }

  /** The change under way ("" when none), to disable the controls and label its button. */
  private get busy(): string {
    return this.change.pending ? (this.change.lastArgs?.[0] ?? "") : "";
  }

  /** A sentence for input refused here, before anything is sent. */
  private refuse(text: string): Promise<boolean> {
    return this.act("", () => Promise.reject(new InputError(text)), "");
  }

  private async add(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem("username") as HTMLInputElement;
    const name = input.value.trim().toLowerCase();
    if (!name) {
      await this.refuse(msg("Enter the username of the person to add."));
      return;
    }
    if (this.group.members.some((m) => m.username === name)) {
      await this.refuse(msg(str`${name} is in the group already.`));
      return;
    }
    if (await this.act("add", () => this.client.addMember(this.conversationId, name), msg(str`${name} was added.`))) input.value = "";
  }

  private async rename(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem("name") as HTMLInputElement;
    const name = input.value.trim();
    if (!name) {
      await this.refuse(msg("Give the group a name."));
      return;
    }
    await this.act("rename", () => this.client.renameGroup(this.conversationId, name), msg("The group was renamed."));
  }

  private async removeMember(m: MemberView): Promise<void> {
    const yes = await this.confirmDialog.ask({
      title: msg(str`Remove ${m.username} from “${this.groupTitle}”?`),
      body: msg("They keep what they already received but can't read anything new."),
      confirm: msg("Remove"),
      danger: true,
    });
    if (!yes) return;
    await this.act("remove", () => this.client.removeMember(this.conversationId, m.accountId), msg(str`${m.username} was removed.`));
  }

  private async toggleAdmin(m: MemberView): Promise<void> {
    const admin = m.role !== "admin";
    await this.act("admin", () => this.client.setAdmin(this.conversationId, m.accountId, admin), admin ? msg(str`${m.username} is now an admin.`) : msg(str`${m.username} is no longer an admin.`));
  }

  private async setHistory(e: Event): Promise<void> {
    const on = (e.target as HTMLInputElement).checked;
    this.historyWanted = on;
    const ok = await this.act(
      "history",
      () => this.client.setHistoryForNewMembers(this.conversationId, on),
      on ? msg("People added from now on can read earlier messages.") : msg("People added from now on read only what is written after they join."),
    );
    if (!ok) this.historyWanted = undefined;
  }

  /**
   * The switch's new state while the change is on its way into the group view: the view re-renders
   * whenever anything in the chat changes (a message, a receipt), and with the old state until then.
   */
  private historyWanted: boolean | undefined;

  protected override willUpdate(): void {
    if (this.historyWanted === this.group?.historyForNewMembers) this.historyWanted = undefined;
  }

  private async leave(): Promise<void> {
    const yes = await this.confirmDialog.ask({
      title: msg(str`Leave “${this.groupTitle}”?`),
      body: msg("You keep the messages you have but get nothing new, and only an admin can add you back."),
      confirm: msg("Leave group"),
      danger: true,
    });
    if (!yes) return;
    if (await this.act("leave", () => this.client.leaveGroup(this.conversationId), msg("You left the group."))) this.dialog.close();
  }

  private renderMember(m: MemberView, admin: boolean) {
    const disabled = this.busy !== "";
    return html`<li data-testid="group-member" data-username=${m.username} data-role=${m.role}>
      <span class="who">
        ${m.isMe ? msg("You") : m.displayName !== undefined ? html`<span data-testid="group-member-name">${m.displayName}</span> <span class="hint">@${m.username}</span>` : m.username}${m.role === "admin" ? html`<span class="badge" data-testid="group-admin-badge">${msg("Admin")}</span>` : nothing}
        ${m.status !== "verified" ? html`<span class="badge warn">${msg("Identity changed")}</span>` : nothing}
      </span>
      ${admin && !m.isMe
        ? html`<button class="secondary" type="button" ?disabled=${disabled} @click=${() => this.toggleAdmin(m)} data-testid="group-member-admin"
              aria-label=${m.role === "admin" ? msg(str`Remove admin: ${m.username}`) : msg(str`Make admin: ${m.username}`)}>
              ${m.role === "admin" ? msg("Remove admin") : msg("Make admin")}
            </button>
            <button class="danger" type="button" ?disabled=${disabled} @click=${() => this.removeMember(m)} data-testid="group-member-remove" aria-label=${msg(str`Remove ${m.username} from the group`)}>
              ${msg("Remove")}
            </button>`
        : nothing}
    </li>`;
  }

  override render() {
    const g = this.group;
    if (!g) return html`<dialog></dialog>`;
    const admin = g.myRole === "admin";
    const member = g.myRole !== "none";
    const disabled = this.busy !== "";
    const count = g.members.length === 1 ? msg("1 member") : msg(str`${formatCount(g.members.length)} members`);
    return html`<dialog aria-labelledby="members-title" data-testid="group-members">
      <div class="top">
        <div>
          <h2 id="members-title">${msg("Members")}</h2>
          <p>${this.groupTitle} · ${count}</p>
        </div>
        <button class="ghost close" type="button" @click=${() => this.dialog.close()} aria-label=${msg("Close")}>${closeIcon}</button>
      </div>
      <p class="error" role="alert" data-testid="group-error">${this.change.error}</p>
      <p class="done" role="status">${this.change.done ? this.change.value : ""}</p>
      ${member
        ? html`<section>
            <label class="field" for="rename">${msg("Group name")}</label>
            <form @submit=${this.rename}>
              <input id="rename" name="name" type="text" autocomplete="off" maxlength=${MAX_GROUP_NAME_BYTES} .value=${g.name ?? ""} ?disabled=${disabled} data-testid="group-rename-input" />
              <button class="secondary" type="submit" ?disabled=${disabled} data-testid="group-rename-button">${this.busy === "rename" ? msg("Saving…") : msg("Rename")}</button>
            </form>
          </section>`
        : nothing}
      ${admin
        ? html`<section>
            <label class="field" for="add">${msg("Add a member")}</label>
            <form @submit=${this.add}>
              <input id="add" name="username" type="text" placeholder=${msg("Their username")} autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="32" ?disabled=${disabled} data-testid="group-add-input" />
              <button class="primary" type="submit" ?disabled=${disabled} data-testid="group-add-button">${this.busy === "add" ? msg("Adding…") : msg("Add")}</button>
            </form>
          </section>`
        : nothing}
      <section>
        ${admin
          ? html`<label class="toggle">
              <input type="checkbox" .checked=${live(this.historyWanted ?? g.historyForNewMembers)} ?disabled=${disabled} @change=${this.setHistory} data-testid="group-history-toggle" />
              <span>
                ${msg("New members can read earlier messages")}
                <span class="hint">${msg("When on, people you add get the keys to the messages written before they joined. When off, they read only what is written after.")}</span>
              </span>
            </label>`
          : html`<p class="hint" data-testid="group-history-state">
              ${g.historyForNewMembers ? msg("New members can read the messages written before they joined.") : msg("New members read only the messages written after they join.")}
            </p>`}
      </section>
      <section>
        <h3 id="member-list">${count}</h3>
        <ul aria-labelledby="member-list">
          ${g.members.map((m) => this.renderMember(m, admin))}
        </ul>
      </section>
      ${member
        ? html`<div class="leave">
            <button class="danger" type="button" ?disabled=${disabled} @click=${this.leave} data-testid="group-leave">${this.busy === "leave" ? msg("Leaving…") : msg("Leave group")}</button>
          </div>`
        : nothing}
      <sealed-confirm-dialog></sealed-confirm-dialog>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-group-members": SealedGroupMembers;
  }
}
