import { msg } from "@lit/localize";
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from "lit";
import type { ConversationId } from "../../../protocol/index.js";
import { DraftMentions, type MentionView } from "../client/index.js";
import { adjustMentions, insertMention, mentionQuery, suggestions, validMentions, type DraftMention, type Mentionable, type MentionQuery } from "./mention-editing.js";

/**
 * The @mention suggestions of a group chat's composer (docs/decisions.md "Mentions"). Typing "@" opens a
 * list of the group's other members, filtered by what follows; ArrowUp/ArrowDown move, Enter or Tab
 * picks, Escape closes, a click picks. The box keeps focus and names the highlighted option with
 * aria-activedescendant (the WAI-ARIA combobox pattern with a listbox popup; the textarea keeps its
 * textbox role, which allows aria-autocomplete and aria-activedescendant). The mentions recorded for a
 * chat's draft are kept beside its text on this device (client/conversations/draft-mentions.ts).
 */

const draftMentions = new DraftMentions();

export const MENTION_LIST_ID = "mention-list";
const optionId = (i: number) => `mention-option-${i}`;

export interface MentionHost extends ReactiveControllerHost {
  /** The box being typed in. */
  readonly mentionBox: HTMLTextAreaElement | null;
  /** The box holds the chat's draft (not a message being edited): its mentions are kept per chat. */
  readonly keepsDraft: boolean;
  readonly conversationId: ConversationId;
  /** Who can be mentioned here; empty in a 1:1 chat (no suggestions open). */
  readonly mentionable: readonly Mentionable[];
  /** The box's text changed from here (a pick): keep the draft and typing state as for typing. */
  textChanged(): void;
}

export class MentionController implements ReactiveController {
  /** The mentions of the box's text now. */
  mentions: readonly DraftMention[] = [];
  private query: MentionQuery | undefined;
  private options: Mentionable[] = [];
  private active = 0;
  /** The text the mentions were last adjusted to. */
  private last = "";

  constructor(private readonly host: MentionHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.close();
  }

  get open(): boolean {
    return this.options.length > 0;
  }

  /** The box now shows this chat's draft (or was emptied): its recorded mentions come back if they still fit. */
  restore(text: string): void {
    this.set(validMentions(text, draftMentions.get(this.host.conversationId)), text);
    this.close();
  }

  /** The box now holds `text` with these mentions (an edit started, a draft put back). */
  set(mentions: readonly DraftMention[], text: string): void {
    this.mentions = validMentions(text, mentions);
    this.last = text;
    this.keep();
  }

  /** A message being edited: its mentions, as ranges of its own text. */
  static fromView(text: string, views: readonly MentionView[] | undefined): DraftMention[] {
    return (views ?? []).map((m) => ({ accountId: m.accountId, start: m.start, length: m.length, text: text.slice(m.start, m.start + m.length) }));
  }

  /** After every input: mentions the edit broke are dropped, the others follow the text; the list follows the caret. */
  onInput(): void {
    const box = this.host.mentionBox;
    if (!box) return;
    this.mentions = adjustMentions(this.last, box.value, this.mentions);
    this.last = box.value;
    this.keep();
    this.update();
  }

  /** Keys while the list is open; true when the key was the list's. */
  onKey(e: KeyboardEvent): boolean {
    if (!this.open || e.isComposing) return false;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      const n = this.options.length;
      this.active = (this.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
    } else if ((e.key === "Enter" && !e.shiftKey) || e.key === "Tab") {
      this.pick(this.active);
    } else if (e.key === "Escape") {
      this.close();
    } else {
      return false;
    }
    e.preventDefault();
    e.stopPropagation();
    this.host.requestUpdate();
    return true;
  }

  /** Looks for an "@query" at the caret and shows who matches it. */
  update(): void {
    const box = this.host.mentionBox;
    const members = this.host.mentionable;
    const q = box && members.length > 0 && box.selectionStart === box.selectionEnd ? mentionQuery(box.value, box.selectionStart, this.mentions) : undefined;
    const options = q ? suggestions(members, q.query) : [];
    if (q?.start !== this.query?.start || q?.query !== this.query?.query) this.active = 0;
    this.query = q;
    this.options = options;
    this.host.requestUpdate();
  }

  close(): void {
    if (!this.open && !this.query) return;
    this.query = undefined;
    this.options = [];
    this.host.requestUpdate();
  }

  private pick(i: number): void {
    const box = this.host.mentionBox;
    const who = this.options[i];
    if (!box || !who || !this.query) return;
    const r = insertMention(box.value, this.query, box.selectionStart, who, this.mentions);
    box.value = r.text;
    box.setSelectionRange(r.caret, r.caret);
    this.set(r.mentions, r.text);
    this.close();
    this.host.textChanged();
  }

  private keep(): void {
    if (!this.host.keepsDraft) return;
    draftMentions.set(this.host.conversationId, this.mentions);
  }

  /** The attributes the box carries for the list (aria-activedescendant names the highlighted option). */
  boxAria(): { activedescendant: string | typeof nothing; controls: string | typeof nothing } {
    return this.open ? { activedescendant: optionId(this.active), controls: MENTION_LIST_ID } : { activedescendant: nothing, controls: nothing };
  }

  /** The suggestion list above the box, or nothing. */
  render() {
    if (!this.open) return nothing;
    return html`<ul class="mentions" id=${MENTION_LIST_ID} role="listbox" aria-label=${msg("Members to mention")} data-testid="mention-list">
      ${this.options.map(
        (m, i) => html`<li
          id=${optionId(i)}
          role="option"
          aria-selected=${i === this.active ? "true" : "false"}
          class=${i === this.active ? "active" : ""}
          data-testid="mention-option"
          data-name=${m.name}
          @mousedown=${(e: Event) => e.preventDefault()}
          @click=${() => this.pick(i)}
        ><span class="at" aria-hidden="true">@</span>${m.name}</li>`,
      )}
    </ul>`;
  }
}
