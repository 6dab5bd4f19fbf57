import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, property, query, state } from "lit/decorators.js";
import { MAX_GROUP_NAME_BYTES, USERNAME_PATTERN } from "../../../protocol/index.js";
import { MemberRefused, isApiError, type ChatClient } from "../client/index.js";
import { errorText } from "./error-text.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { dialogStyles } from "./dialog-styles.js";
import { Action } from "./action.js";
import { closeIcon } from "./icons.js";


/**
 * "New group": a name and the people to add (typed one by one, removable before creating). Creating
 * verifies every member's device log and signs the group's first membership entry. Fires `chat-started`.
 */
/** The sentence for a failed Create: a refused member is named, so the person knows which chip to fix. */
function memberErrorText(e: unknown): string {
  if (!(e instanceof MemberRefused)) return errorText(e);
  if (isApiError(e.cause, "not_found")) return msg(str`No one uses the username “${e.username}”. Check it, or remove it from the list.`);
  return msg(str`${e.username}: ${errorText(e.cause)}`);
}

@localized()
@customElement("sealed-new-group-dialog")
export class SealedNewGroupDialog extends LitElement {
  static override styles = [
    shared,
    dialogStyles,
    css`
      label {
        display: block;
        font-weight: 600;
        margin: 0.75rem 0 0.4rem;
      }
      p.intro {
        margin: 0;
        color: var(--muted);
      }
      .add {
        display: flex;
        gap: 0.5rem;
      }
      .add input {
        flex: 1;
        min-width: 0;
      }
      ul {
        list-style: none;
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        margin: 0.6rem 0 0;
        padding: 0;
      }
      li {
        display: inline-flex;
        align-items: center;
        gap: 0.2rem;
        padding: 0.15rem 0.2rem 0.15rem 0.75rem;
        border-radius: 999px;
        background: var(--accent-soft);
        color: var(--text);
        font-weight: 600;
        font-size: 0.9rem;
      }
      li button {
        min-height: 0;
        width: 1.9rem;
        height: 1.9rem;
        padding: 0;
        color: var(--muted);
      }
      li.refused {
        background: var(--danger-bg);
        color: var(--danger);
        outline: 2px solid var(--danger);
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  /** This account's username: it is in every group it makes, so adding it is refused here. */
  @property() me = "";
  @state() private members: string[] = [];
  /** What the dialog itself refused (a mistyped or repeated member), before anything is sent. */
  @state() private invalid = "";
  /** The member the server or the contact checks refused at Create: its chip is marked until removed. */
  @state() private refusedMember = "";
  @query("dialog") private dialog!: HTMLDialogElement;
  @query("#group-name") private nameInput!: HTMLInputElement;
  @query("#group-member") private memberInput!: HTMLInputElement;

  open(): void {
    this.invalid = "";
    this.refusedMember = "";
    this.creating.clear();
    this.members = [];
    this.nameInput.value = "";
    this.memberInput.value = "";
    this.dialog.showModal();
    this.nameInput.focus();
  }

  private close(): void {
    this.dialog.close();
  }

  /** Adds the typed username to the list; true if it was added or the field was empty. */
  private addTyped(): boolean {
    const name = this.memberInput.value.trim().toLowerCase();
    if (!name) return true;
    if (!USERNAME_PATTERN.test(name)) return this.refuse(msg("Usernames are 3–32 characters: letters a–z, digits, “_” or “.”, starting with a letter."));
    if (name === this.me) return this.refuse(msg("You're in the group already: add the other people."));
    if (this.members.includes(name)) return this.refuse(msg(str`${name} is on the list already.`));
    this.members = [...this.members, name];
    this.memberInput.value = "";
    this.invalid = "";
    return true;
  }

  private refuse(text: string): false {
    this.creating.clear();
    this.invalid = text;
    this.memberInput.focus();
    return false;
  }

  private onMemberKey(e: KeyboardEvent): void {
    // Enter in the member field adds that person; the Create button (or Enter in the name field) creates.
    if (e.key !== "Enter" || e.isComposing) return;
    e.preventDefault();
    this.addTyped();
  }

  private removeMember(name: string): void {
    this.members = this.members.filter((m) => m !== name);
    if (name === this.refusedMember) {
      this.refusedMember = "";
      this.creating.clear();
    }
    this.memberInput.focus();
  }

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (!this.addTyped()) return;
    const name = this.nameInput.value.trim();
    if (!name) {
      this.creating.clear();
      this.invalid = msg("Give the group a name.");
      this.nameInput.focus();
      return;
    }
    if (this.members.length === 0) {
      this.refuse(msg("Add at least one person by username."));
      return;
    }
    this.invalid = "";
    this.refusedMember = "";
    await this.creating.run(name, this.members);
  }

  private readonly creating = new Action(this, async (name: string, members: readonly string[]) => {
    try {
      const id = await this.client.createGroup(name, members);
      this.dialog.close();
      this.dispatchEvent(new CustomEvent("chat-started", { detail: { id }, bubbles: true, composed: true }));
    } catch (err) {
      if (err instanceof MemberRefused) this.refusedMember = err.username;
      void this.updateComplete.then(() => this.memberInput.focus());
      throw err;
    }
  }, memberErrorText);

  override render() {
    return html`
      <dialog aria-labelledby="new-group-title" data-testid="new-group-dialog">
        <form @submit=${this.submit} novalidate>
          <h2 id="new-group-title">${msg("New group")}</h2>
          <p class="intro">${msg("Only the members can read the group's name and messages.")}</p>
          <label for="group-name">${msg("Group name")}</label>
          <input id="group-name" type="text" autocomplete="off" maxlength=${MAX_GROUP_NAME_BYTES} ?disabled=${this.creating.pending} data-testid="group-name-input" />
          <label for="group-member">${msg("Members")}</label>
          <div class="add">
            <input
              id="group-member"
              type="text"
              placeholder=${msg("Their username")}
              autocomplete="off"
              autocapitalize="none"
              spellcheck="false"
              maxlength="32"
              aria-describedby="group-error"
              aria-invalid=${(this.invalid || this.creating.error) ? "true" : "false"}
              ?disabled=${this.creating.pending}
              @keydown=${this.onMemberKey}
              data-testid="group-member-input"
            />
            <button class="secondary" type="button" ?disabled=${this.creating.pending} @click=${() => this.addTyped()} data-testid="group-member-add">${msg("Add")}</button>
          </div>
          ${this.members.length
            ? html`<ul aria-label=${msg("People to add")}>
                ${this.members.map(
                  (m) => html`<li data-testid="group-new-member" data-username=${m} class=${m === this.refusedMember ? "refused" : ""} aria-invalid=${m === this.refusedMember ? "true" : "false"}>
                    ${m === this.refusedMember ? html`<span class="visually-hidden">${msg("Cannot be added:")} </span>` : nothing}${m}
                    <button class="ghost" type="button" ?disabled=${this.creating.pending} aria-label=${msg(str`Remove ${m}`)} @click=${() => this.removeMember(m)}>${closeIcon}</button>
                  </li>`,
                )}
              </ul>`
            : nothing}
          <p class="error" id="group-error" role="alert">${(this.invalid || this.creating.error)}</p>
          <div class="actions">
            <button class="secondary" type="button" @click=${this.close}>${msg("Cancel")}</button>
            <button class="primary" type="submit" ?disabled=${this.creating.pending} data-testid="group-create">${this.creating.pending ? msg("Creating…") : msg("Create group")}</button>
          </div>
        </form>
      </dialog>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-new-group-dialog": SealedNewGroupDialog;
  }
}
