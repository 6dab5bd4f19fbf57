import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { consume } from "@lit/context";
import { customElement, property, query, state } from "lit/decorators.js";
import type { ConversationId, Mention, MessageRef } from "../../../protocol/index.js";
import type { ChatClient, MessageView } from "../client/index.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { Action } from "./action.js";
import { attachIcon, closeIcon, sendIcon } from "./icons.js";
import { STAGED_EVENT, filesOf, stageFiles, stagedFiles, takeStagedFiles, unstageFile, type StagedFile } from "./staged-files.js";
import type { VoiceNote } from "./voice-recording.js";
import { MentionController } from "./mention-controller.js";
import { toSend, type DraftMention, type Mentionable } from "./mention-editing.js";
import { mentionListStyles } from "./mention-list-styles.js";
import "./sealed-staged-tray.js";
import "./sealed-voice-recorder.js";

/** What Enter does besides sending a new message: answer one (quoting it) or replace one's own text. */
type Mode = { readonly kind: "reply" | "edit"; readonly message: MessageView };

/**
 * The reply bar each chat was left with, in this tab: leaving a chat (the back button, another chat) and
 * coming back finds it again with its draft. An edit is not kept: leaving cancels it, and the draft waits.
 */
const openReplies = new Map<ConversationId, Mode>();

/** Errors that say the message answered is gone: its reply bar is not put back. */
const TARGET_GONE = new Set(["unknown_message", "message_deleted", "message_not_sent"]);

/**
 * A submitted text and what it does, fixed when it was submitted; with `files`, the staged files sent with
 * it (the text is the first file's caption, or a reply of its own); with `voice`, a recorded voice note.
 */
interface Outgoing {
  readonly id: ConversationId;
  readonly text: string;
  /** The @mentions of `text` (a text, reply or edit in a group). */
  readonly mentions?: readonly Mention[];
  readonly reply?: MessageRef;
  readonly edit?: MessageRef;
  readonly files?: readonly StagedFile[];
  readonly voice?: VoiceNote;
  /** The reply or edit bar it was written under, shown again if it comes back. */
  readonly mode?: Mode;
}

/** The name a voice note's file gets (its bubble shows "Voice message", not the name). */
const VOICE_NAME = "voice-message.webm";

/**
 * The message box of one chat: Enter sends, Shift+Enter adds a line. The chat's unsent draft is kept on
 * this device as it is typed (client.drafts) and shown again when the chat opens. A text that could not be
 * sent comes back to the box. `data-sending` on the box is "true" while a submitted text is not yet
 * sealed and stored. A bar above the box says when Enter replies ("Replying to alice: …") or saves an
 * edit ("Editing message"); × or Escape cancels it. Editing puts the message's text in the box and the
 * draft aside (the draft comes back when the edit is saved or cancelled, and is never overwritten). It
 * reports typing (client.typing) while the box holds a new message (not an edit): typing while it has
 * text, stopped when it is sent or emptied and when the box goes away (another chat, or the chat closed).
 *
 * Attachments (issue 18): the paperclip, a paste of files or a drop on the chat (the chat view calls
 * `stage`) put files in the staging tray of this chat (ui/staged-files.ts); Send or Enter sends each as
 * its own message, the box's text as the first one's caption, in the same once-only queue as texts. The
 * microphone records a voice note, sent when its Send is pressed.
 */
@localized()
@customElement("sealed-composer")
export class SealedComposer extends LitElement {
  static override styles = [
    shared,
    mentionListStyles,
    css`
      :host {
        position: relative;
        display: block;
        padding: 0.6rem 0.75rem calc(0.6rem + env(safe-area-inset-bottom));
        background: var(--surface);
        border-top: 1px solid var(--border);
      }
      form {
        display: flex;
        align-items: flex-end;
        gap: 0.5rem;
      }
      textarea {
        resize: none;
        min-height: 2.75rem;
        max-height: 10rem;
        border-radius: 22px;
        padding: 0.65rem 1rem;
        line-height: 1.35;
        background: var(--surface-2);
      }
      textarea:focus-visible {
        outline: none;
        border-color: var(--accent);
        box-shadow: 0 0 0 3px var(--accent-soft);
      }
      [hidden] {
        display: none !important;
      }
      button.icon {
        width: 2.75rem;
        height: 2.75rem;
        padding: 0;
        flex: none;
        color: var(--muted);
        background: transparent;
      }
      button.icon:hover:not(:disabled) {
        color: var(--accent);
        background: var(--accent-soft);
      }
      button.send {
        width: 2.75rem;
        height: 2.75rem;
        padding: 0;
        flex: none;
      }
      .error {
        margin: 0 0 0.4rem;
      }
      .mode {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        margin: 0 0 0.5rem;
        padding: 0.35rem 0.35rem 0.35rem 0.75rem;
        border-left: 3px solid var(--accent);
        border-radius: 10px;
        background: var(--surface-2);
        font-size: 0.88rem;
      }
      .mode-text {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .mode-text strong {
        color: var(--accent);
      }
      .mode button {
        min-height: 0;
        width: 2rem;
        height: 2rem;
        padding: 0;
        color: var(--muted);
        background: transparent;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  /** The chat this box writes to: its draft is shown and kept under this id, and what is sent goes there. */
  @property({ attribute: false }) conversationId!: ConversationId;
  @property() label = msg("Message");
  @property({ type: Boolean }) disabled = false;
  /** Who "@" suggests: the group's other members; empty in a 1:1 chat (no suggestions). */
  @property({ attribute: false }) mentionable: readonly Mentionable[] = [];
  /** The placeholder while disabled: why nothing can be sent. */
  @property() stoppedText = msg("Sending is stopped");
  @query("textarea") private box!: HTMLTextAreaElement;

  /** Texts taken from the box by Send or Enter that the client has not accepted yet, oldest first. */
  private readonly outgoing: Outgoing[] = [];
  @state() private mode: Mode | undefined;
  /** This chat's staged files (kept per chat in staged-files.ts, so switching chats never carries them). */
  @state() private staged: readonly StagedFile[] = [];
  @state() private recording = false;
  /** Why the microphone could not record, until the next try. */
  @state() private voiceError = "";
  @query("input[type=file]") private picker!: HTMLInputElement;
  /** The draft set aside while a message is edited in the box. */
  private draftBeforeEdit = "";
  /** Its mentions, set aside with it. */
  private mentionsBeforeEdit: readonly DraftMention[] = [];
  private readonly mention = new MentionController(this);

  /** For the mention controller: the box, and whether it holds the draft. */
  get mentionBox(): HTMLTextAreaElement | null {
    return this.box ?? null;
  }

  get keepsDraft(): boolean {
    return this.mode?.kind !== "edit";
  }

  /** A mention was picked into the box: the draft and typing state follow, as for typed text. */
  textChanged(): void {
    this.onInput();
  }

  /** Enter now answers `message`, quoting it. */
  startReply(message: MessageView): void {
    this.leaveEdit();
    this.setMode({ kind: "reply", message });
    this.focus();
  }

  /** The box now holds `message`'s text; Enter replaces it on every device. */
  startEdit(message: MessageView): void {
    this.leaveEdit();
    this.draftBeforeEdit = this.box.value;
    this.mentionsBeforeEdit = this.mention.mentions;
    this.setMode({ kind: "edit", message });
    this.box.value = message.text;
    this.mention.set(MentionController.fromView(message.text, message.mentions), message.text);
    this.grow();
    this.focus();
  }

  /** Back to writing a new message; after an edit the draft returns to the box. */
  cancelMode(): void {
    this.leaveEdit();
    this.setMode(undefined);
    this.box.focus();
  }

  private setMode(mode: Mode | undefined): void {
    this.mode = mode;
    if (mode?.kind === "reply") openReplies.set(this.conversationId, mode);
    else openReplies.delete(this.conversationId);
  }

  private leaveEdit(): void {
    if (this.mode?.kind !== "edit") return;
    this.box.value = this.draftBeforeEdit;
    this.draftBeforeEdit = "";
    this.mode = undefined;
    this.mention.set(this.mentionsBeforeEdit, this.box.value);
    this.mentionsBeforeEdit = [];
    this.grow();
  }

  override focus(): void {
    // Opening a chat focuses a composer that may not have rendered its box yet.
    void this.updateComplete.then(() => this.box?.focus());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(STAGED_EVENT, this.onStagedOutside);
  }

  override disconnectedCallback(): void {
    window.removeEventListener(STAGED_EVENT, this.onStagedOutside);
    this.client.typing.set(this.conversationId, false);
    super.disconnectedCallback();
  }

  /** Files (and maybe a draft) were put in this chat from outside, by a share: shown at once. */
  private readonly onStagedOutside = (e: Event): void => {
    if ((e as CustomEvent<ConversationId>).detail !== this.conversationId) return;
    this.staged = stagedFiles(this.conversationId);
    if (this.box && this.box.value === "" && this.mode?.kind !== "edit") {
      this.box.value = this.client.drafts.get(this.conversationId);
      this.mention.restore(this.box.value);
      this.grow();
    }
  };

  protected override updated(changed: PropertyValues<this>): void {
    // The first render, or the same element reused for another chat: the box shows that chat's draft.
    if (changed.has("conversationId")) {
      const before = changed.get("conversationId");
      if (before !== undefined) this.client.typing.set(before, false);
      this.box.value = this.client.drafts.get(this.conversationId);
      this.mention.restore(this.box.value);
      this.grow();
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The chat's staged files, read before rendering so the tray shows with the box.
    if (changed.has("conversationId")) {
      this.staged = stagedFiles(this.conversationId);
      this.mode = openReplies.get(this.conversationId);
    }
  }

  /** Adds files to this chat's staging tray (the attach button, a paste, a drop, or a share). */
  stage(files: Iterable<File>): void {
    const list = [...files];
    if (list.length === 0 || this.disabled) return;
    this.staged = stageFiles(this.conversationId, list);
  }

  private onPicked(): void {
    this.stage(this.picker.files ?? []);
    // The same file can be picked again after it was removed.
    this.picker.value = "";
    this.box.focus();
  }

  private onPaste(e: ClipboardEvent): void {
    const files = filesOf(e.clipboardData);
    if (files.length === 0) return;
    e.preventDefault();
    this.stage(files);
  }

  private onUnstage(e: CustomEvent<string>): void {
    this.staged = unstageFile(this.conversationId, e.detail);
    this.box.focus();
  }

  private onRecording(e: CustomEvent<boolean>): void {
    this.recording = e.detail;
    if (e.detail) this.voiceError = "";
    else void this.updateComplete.then(() => this.box.focus());
  }

  private onVoice(e: CustomEvent<VoiceNote>): void {
    this.queue({ id: this.conversationId, text: "", voice: e.detail });
  }

  private grow(): void {
    this.box.style.height = "auto";
    this.box.style.height = `${this.box.scrollHeight + 2}px`;
  }

  private onInput(): void {
    this.mention.onInput();
    this.grow();
    // The box holds the message being edited, not the draft: the draft waits untouched.
    if (this.mode?.kind !== "edit") this.client.drafts.set(this.conversationId, this.box.value);
    this.client.typing.set(this.conversationId, this.mode?.kind !== "edit" && this.box.value.trim() !== "");
  }

  /** Moving the caret with the keyboard may enter or leave an "@query". */
  private onCaretKey(e: KeyboardEvent): void {
    if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) this.mention.update();
  }

  private onKey(e: KeyboardEvent): void {
    if (this.mention.onKey(e)) return;
    if (e.key === "Escape" && this.mode) {
      e.preventDefault();
      this.cancelMode();
    } else if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    }
  }

  /**
   * Takes the text out of the box at once, not when the send resolves: a second Enter or click finds the
   * box empty (one message, not two), and what is typed while sealing runs is never erased. Sends run one
   * after another, in the order they were submitted.
   */
  private submit(e?: Event): void {
    e?.preventDefault();
    const text = this.box.value;
    this.box.focus();
    // Files go with a new message or a reply, never with an edit (it changes only a text).
    const withFiles = this.mode?.kind !== "edit" && this.staged.length > 0;
    if ((text.trim() === "" && !withFiles) || this.disabled) return;
    const mode = this.mode;
    // A caption carries no mentions (sendOne passes them only with a text, a reply or an edit).
    const mentions = toSend(text, this.mention.mentions);
    this.mention.close();
    this.setMode(undefined);
    // Taken out of the tray at once, like the text from the box: a second click finds nothing to send.
    const files = withFiles ? takeStagedFiles(this.conversationId) : [];
    if (withFiles) this.staged = [];
    if (mode?.kind === "edit") {
      // The edit is taken; the draft set aside comes back (it is still the stored draft).
      this.box.value = this.draftBeforeEdit;
      this.draftBeforeEdit = "";
      this.mention.set(this.mentionsBeforeEdit, this.box.value);
      this.mentionsBeforeEdit = [];
      this.grow();
      if (text === mode.message.text && sameMentions(mentions, mode.message.mentions)) return;
    } else {
      this.box.value = "";
      this.mention.set([], "");
      this.grow();
      this.client.drafts.set(this.conversationId, "");
    }
    this.client.typing.set(this.conversationId, false);
    this.queue({ id: this.conversationId, text, ...(mentions.length > 0 ? { mentions } : {}), ...(mode ? { [mode.kind]: mode.message.ref, mode } : {}), ...(files.length > 0 ? { files } : {}) });
  }

  private queue(o: Outgoing): void {
    // A new message (not an edit): the chat shows the newest messages, where it will appear, whatever the
    // reader was looking at (sealed-chat-view.ts). Said here, not left to the list noticing an unsent row:
    // a send acknowledged before the list's next read never shows as unsent.
    if (!o.edit) this.dispatchEvent(new CustomEvent("message-submitted", { bubbles: true, composed: true }));
    this.outgoing.push(o);
    if (this.outgoing.length === 1) void this.sending.run();
    else this.requestUpdate();
  }

  /** Sends what was submitted, oldest first; on a failure that text and every later one go back to their box. */
  private readonly sending = new Action(this, async () => {
    for (let next = this.outgoing[0]; next; next = this.outgoing[0]) {
      try {
        await this.sendOne(next);
      } catch (e) {
        this.giveBack(this.outgoing.splice(0), e);
        throw e;
      }
      this.outgoing.shift();
    }
  });

  /**
   * One submitted item. Files are sent one by one; each that the client accepted is dropped from `o`, so a
   * failure gives back only the files not sent yet (and the text only if no caption went out with a file).
   */
  private async sendOne(o: Outgoing): Promise<void> {
    const hasText = o.text.trim() !== "";
    if (o.voice) {
      const v = o.voice;
      await this.client.attachments.send(o.id, { file: v.file, name: VOICE_NAME, mimeType: v.mimeType, voice: { durationMs: v.durationMs, waveform: v.waveform } });
      return;
    }
    if (o.edit) return void (await this.client.edit(o.id, o.edit, o.text, o.mentions));
    // A reply keeps its quote as a text of its own; the files follow without a caption.
    if (o.reply && hasText) await this.client.reply(o.id, o.reply, o.text, o.mentions);
    else if (!o.files && hasText) await this.client.send(o.id, o.text, o.mentions);
    if (!o.files) return;
    let caption = o.reply ? "" : o.text;
    const files = [...o.files];
    // The reply went out: a failure below gives back the files only.
    if (o.reply) this.outgoing[0] = { id: o.id, text: "", files: [...files] };
    for (let f = files[0]; f; f = files[0]) {
      await this.client.attachments.send(o.id, { file: f.file, name: f.file.name || "file", ...(f.file.type ? { mimeType: f.file.type } : {}), ...(caption.trim() ? { caption } : {}) });
      caption = "";
      files.shift();
      // What is left to give back if a later file fails: no text (it went out), the remaining files.
      this.outgoing[0] = { id: o.id, text: "", files: [...files] };
    }
  }

  /**
   * Puts texts that were not sent back in front of what their chat's box (or stored draft) holds now, under
   * the reply or edit bar they were written under, so fixing and resending does what was meant. A failed
   * edit comes back only into its own open chat with no other reply or edit begun meanwhile (its text must
   * never become a new message's draft); the error still says what failed.
   */
  private giveBack(failed: readonly Outgoing[], error: unknown): void {
    const targetGone = error instanceof Error && "code" in error && TARGET_GONE.has(String(error.code));
    for (const { id, text, files, mode: sentMode } of [...failed].reverse()) {
      const mode = targetGone ? undefined : sentMode;
      const here = id === this.conversationId;
      if (files && files.length > 0) {
        const back = stageFiles(id, files.map((f) => f.file));
        if (here) this.staged = back;
      }
      if (text === "") continue;
      if (mode?.kind === "edit") {
        if (here && !this.mode) {
          this.draftBeforeEdit = this.box.value;
          this.setMode(mode);
          this.box.value = text;
          this.grow();
        }
        continue;
      }
      if (mode && here && !this.mode) this.setMode(mode);
      else if (mode && !here && !openReplies.has(id)) openReplies.set(id, mode);
      const now = here ? this.box.value : this.client.drafts.get(id);
      const back = now === "" ? text : `${text}\n${now}`;
      if (here) {
        this.box.value = back;
        this.grow();
      }
      this.client.drafts.set(id, back);
    }
  }

  private renderMode() {
    const m = this.mode;
    if (!m) return null;
    const who = m.message.senderName;
    return html`<div class="mode" role="status" data-testid="composer-mode" data-mode=${m.kind}>
      <span class="mode-text">
        ${m.kind === "reply" ? html`<strong>${m.message.mine ? msg("Replying to yourself:") : msg(str`Replying to ${who}:`)}</strong> ${m.message.text}` : html`<strong>${msg("Editing message")}</strong>`}
      </span>
      <button type="button" aria-label=${m.kind === "reply" ? msg("Cancel reply") : msg("Cancel editing")} @click=${this.cancelMode} data-testid="composer-mode-cancel">${closeIcon}</button>
    </div>`;
  }

  override render() {
    const error = this.voiceError || this.sending.error;
    const rec = this.recording;
    return html`
      ${error ? html`<p class="error" role="alert" data-testid="composer-error">${error}</p>` : null}
      ${this.renderMode()}
      ${this.staged.length > 0 && !rec ? html`<sealed-staged-tray .files=${this.staged} @unstage=${this.onUnstage}></sealed-staged-tray>` : null}
      <form @submit=${this.submit}>
        <input type="file" multiple hidden tabindex="-1" aria-hidden="true" data-testid="attach-input" @change=${this.onPicked} />
        <button class="icon" type="button" aria-label=${msg("Attach files")} ?hidden=${rec} ?disabled=${this.disabled} data-testid="attach-button" @click=${() => this.picker.click()}>${attachIcon}</button>
        <label class="visually-hidden" for="box">${this.label}</label>
        ${this.mention.render()}
        <textarea
          dir="auto"
          id="box"
          rows="1"
          aria-autocomplete=${this.mentionable.length > 0 ? "list" : nothing}
          aria-controls=${this.mention.boxAria().controls}
          aria-activedescendant=${this.mention.boxAria().activedescendant}
          ?hidden=${rec}
          placeholder=${this.disabled ? this.stoppedText : this.staged.length > 0 ? msg("Add a caption") : this.mode?.kind === "reply" ? msg("Write a reply") : msg("Write a message")}
          ?disabled=${this.disabled}
          @keydown=${this.onKey}
          @input=${this.onInput}
          @click=${() => this.mention.update()}
          @keyup=${this.onCaretKey}
          @blur=${() => this.mention.close()}
          @paste=${this.onPaste}
          data-testid="composer"
          data-sending=${this.outgoing.length > 0 ? "true" : "false"}
        ></textarea>
        <sealed-voice-recorder
          ?disabled=${this.disabled}
          @recording-change=${this.onRecording}
          @voice-recorded=${this.onVoice}
          @voice-error=${(e: CustomEvent<string>) => (this.voiceError = e.detail)}
        ></sealed-voice-recorder>
        <button class="primary send" type="submit" aria-label=${msg("Send")} ?hidden=${rec} ?disabled=${this.disabled} data-testid="send">${sendIcon}</button>
      </form>
    `;
  }
}

/** Whether an edit's mentions are those the message has (same accounts at the same ranges). */
function sameMentions(a: readonly Mention[], b: readonly { accountId: string; start: number; length: number }[] | undefined): boolean {
  const key = (l: readonly { accountId: string; start: number; length: number }[]) => l.map((m) => `${m.accountId}:${m.start}:${m.length}`).join(",");
  return key(a) === key(b ?? []);
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-composer": SealedComposer;
  }
}
