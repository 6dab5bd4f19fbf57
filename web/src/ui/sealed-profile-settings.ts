import { localized, msg, str } from "@lit/localize";
import { formatCount } from "./i18n/intl.js";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, state } from "lit/decorators.js";
import type { ChatClient } from "../client/index.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { Action, InputError } from "./action.js";
import { avatarStyles } from "./chat-avatar.js";

/** A JPEG's bytes as a data: URL (the CSP allows data: images), for the preview. */
function jpegUrl(b: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return `data:image/jpeg;base64,${btoa(bin)}`;
}

/**
 * Settings › Profile (issue 21 item 1): the display name and avatar contacts and group members see,
 * encrypted so the server cannot read them (docs/PROTOCOL.md "Profile"). The picture is made small on
 * this device (128x128 JPEG, its metadata gone) before it is sealed. Saving needs the server: offline it
 * says so and keeps what was typed.
 */
@localized()
@customElement("sealed-profile-settings")
export class SealedProfileSettings extends LitElement {
  static override styles = [
    shared,
    avatarStyles,
    css`
      .grid {
        display: grid;
        gap: 0.75rem;
      }
      h2 + .hint {
        margin: 0 0 1rem;
      }
      .picture {
        display: flex;
        align-items: center;
        gap: 1rem;
        flex-wrap: wrap;
        --avatar-size: 4rem;
      }
      .avatar img {
        width: 100%;
        height: 100%;
        border-radius: 50%;
        object-fit: cover;
      }
      .row {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        flex-wrap: wrap;
      }
      input[type="file"] {
        position: absolute;
        width: 1px;
        height: 1px;
        opacity: 0;
      }
      input[type="file"]:focus-visible + label {
        outline: 2px solid var(--accent);
        outline-offset: 2px;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @state() private name = "";
  /** The avatar as saved (bytes), or a picture chosen and not saved yet, or removed (null). */
  @state() private saved: Uint8Array | undefined;
  @state() private picked: { file: File; url: string } | null | undefined;
  @state() private message = "";
  /** The saved profile was read (the field is enabled from then on, so nothing typed is overwritten). */
  @state() private loaded = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.picked) URL.revokeObjectURL(this.picked.url);
  }

  private async load(): Promise<void> {
    await this.client.profiles.refresh().catch(() => undefined);
    const mine = await this.client.profiles.mine();
    this.name = mine.name ?? "";
    this.saved = mine.avatar;
    this.loaded = true;
  }

  private pick(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    if (this.picked) URL.revokeObjectURL(this.picked.url);
    this.picked = { file, url: URL.createObjectURL(file) };
    this.message = "";
  }

  private removePicture(): void {
    if (this.picked) URL.revokeObjectURL(this.picked.url);
    this.picked = null;
    this.message = "";
  }

  private readonly saving = new Action(this, async () => {
    this.message = "";
    if (!navigator.onLine) throw new InputError(msg("You're offline. Your profile can be saved once you're connected."));
    const avatar = this.picked === undefined ? undefined : this.picked === null ? null : this.picked.file;
    const failed = await this.client.profiles.set(this.name, avatar);
    const mine = await this.client.profiles.mine();
    this.name = mine.name ?? this.name;
    this.saved = mine.avatar;
    if (this.picked) URL.revokeObjectURL(this.picked.url);
    this.picked = undefined;
    this.message = failed.length ? (failed.length === 1 ? msg("Saved. One chat gets it with your next message there.") : msg(str`Saved. ${formatCount(failed.length)} chats get it with your next message there.`)) : msg("Saved. Your contacts see it in their chats.");
  });

  private preview(): string | undefined {
    if (this.picked === null) return undefined;
    if (this.picked) return this.picked.url;
    return this.saved ? jpegUrl(this.saved) : undefined;
  }

  override render() {
    const busy = this.saving.pending;
    const url = this.preview();
    const initial = (this.name.trim() || this.client.session?.username || "?").slice(0, 1);
    return html`<section aria-labelledby="profile-title" data-testid="profile-settings" ?data-loaded=${this.loaded}>
      <h2 id="profile-title">${msg("Profile")}</h2>
      <p class="hint">${msg("Your name and picture are encrypted: only the people you chat with can see them, never the server. They still see your username too.")}</p>
      <div class="grid">
        <div class="picture">
          <span class="avatar" aria-hidden="true">${url ? html`<img src=${url} alt="" data-testid="profile-avatar-preview" />` : initial}</span>
          <input id="profile-avatar" type="file" accept="image/jpeg,image/png,image/webp" @change=${this.pick} ?disabled=${busy} data-testid="profile-avatar-input" />
          <label class="button secondary" for="profile-avatar">${url ? msg("Change picture") : msg("Add picture")}</label>
          ${url ? html`<button type="button" class="secondary" @click=${this.removePicture} ?disabled=${busy} data-testid="profile-avatar-remove">${msg("Remove picture")}</button>` : nothing}
        </div>
        <label class="field" for="profile-name">${msg("Display name")}</label>
        <input
          id="profile-name"
          type="text"
          autocomplete="nickname"
          maxlength="64"
          .value=${this.name}
          @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)}
          ?disabled=${busy || !this.loaded}
          data-testid="profile-name"
        />
        <div class="row">
          <button class="primary" type="button" ?disabled=${busy || this.name.trim() === ""} @click=${() => void this.saving.run()} data-testid="profile-save">${busy ? msg("Saving…") : msg("Save")}</button>
          ${!busy && this.message ? html`<span role="status" data-testid="profile-saved">${this.message}</span>` : nothing}
        </div>
        ${this.saving.error ? html`<p class="error" role="alert" data-testid="profile-error">${this.saving.error}</p>` : nothing}
      </div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-profile-settings": SealedProfileSettings;
  }
}
