import { localized, msg } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { customElement, state } from "lit/decorators.js";
import { provide } from "@lit/context";
import { createChatClient, type ChatClient, type DeviceStatus } from "../client/index.js";
import { clientContext, deviceStatusContext, syncContext, type SyncState } from "./context.js";
import { clearInstalled, installedAccount, markInstalled, requestPersistentStorage } from "../pwa/storage.js";
import { wireSyncTriggers } from "../pwa/sync-triggers.js";
import { AppUpdates } from "../pwa/updates.js";
import { errorText } from "./error-text.js";
import { shared } from "../styles/shared.js";
import { lazyScreen } from "./lazy-screen.js";
import { evictedScreen, linkNewScreen, recoveryKeyScreen, removedScreen, restoreScreen } from "./screens.js";
import "./sealed-onboarding.js";
import "./sealed-main.js";
import "./sealed-update-prompt.js";
import "./sealed-refused.js";

type View = "loading" | "evicted" | "onboarding" | "recovery" | "main" | "link" | "removed" | "restore";

/**
 * The root: decides between onboarding, the one-time recovery key screen, the chat, and the notice that
 * the browser deleted this device's data. A device that already holds an account opens straight into
 * its (locally cached) chats while the session resumes in the background, so history shows offline and
 * with the server down. The service worker's update prompt floats over every view.
 */
@localized()
@customElement("sealed-app")
export class SealedApp extends LitElement {
  static override styles = [
    shared,
    css`
      /* The refusal banner (when there is one) above the view, which fills the rest of the window. */
      :host {
        display: block;
        height: 100%;
      }
      .app {
        display: grid;
        grid-template-rows: auto minmax(0, 1fr);
        height: 100%;
      }
      .view {
        grid-row: 2;
        min-height: 0;
      }
      .splash {
        height: 100%;
        display: grid;
        place-items: center;
        color: var(--muted);
      }
    `,
  ];

  @state() private view: View = "loading";
  @state() private recoveryKey = "";
  @state() private startError = "";
  @provide({ context: clientContext }) private readonly client: ChatClient = createChatClient();
  @provide({ context: deviceStatusContext }) @state() private deviceStatus: DeviceStatus = "active";
  @provide({ context: syncContext }) @state() private syncState: SyncState = { status: "connecting", live: false };
  private readonly onSyncStatus = () => (this.syncState = { status: this.client.sync.status, live: this.client.sync.live });
  private readonly updates = new AppUpdates();
  private unwire: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.updates.register();
    this.client.addEventListener("device-status", this.onDeviceStatus);
    this.client.addEventListener("signed-out", this.onSignedOut);
    this.client.sync.addEventListener("status", this.onSyncStatus);
    this.onSyncStatus();
    void this.boot();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unwire?.();
    this.client.stop();
  }

  private async boot(): Promise<void> {
    let account;
    try {
      account = await this.client.views.me();
    } catch (e) {
      this.startError = errorText(e);
      this.view = "main";
      return;
    }
    if (!account) {
      // Set up here before, yet no keys: the browser evicted IndexedDB (DESIGN "Offline first").
      this.view = installedAccount() ? "evicted" : "onboarding";
      return;
    }
    markInstalled(account.accountId);
    this.view = "main";
    this.unwire ??= wireSyncTriggers(this.client.sync);
    try {
      await this.client.start();
    } catch (e) {
      this.startError = errorText(e);
      // Keep trying in the background; the sync loop renews the session once the server answers.
      this.client.sync.start();
    }
  }

  private onSignedUp(e: CustomEvent<{ recoveryKey: string }>): void {
    this.recoveryKey = e.detail.recoveryKey;
    this.view = "recovery";
    if (this.client.session) markInstalled(this.client.session.accountId);
    this.unwire ??= wireSyncTriggers(this.client.sync);
    // The keys now live only here: ask the browser not to evict them. A refusal shows nothing.
    void requestPersistentStorage();
  }

  private linkReturn: View = "onboarding";

  /**
   * The client wiped this device after its own verified log showed it removed (the keys could read
   * nothing new, but hold the past); a refusal the log does not back keeps everything and says so.
   */
  private readonly onDeviceStatus = () => {
    const s = this.client.deviceStatus;
    this.deviceStatus = s;
    if (s !== "removed") return;
    clearInstalled();
    this.view = "removed";
  };

  /**
   * This browser was signed out, here or in another tab, and its store deleted: load the app afresh at
   * its root, so nothing of the account stays in memory and the welcome screen opens.
   */
  private readonly onSignedOut = () => {
    clearInstalled();
    location.replace(new URL("/", location.href).href);
  };

  /** The user chose to delete this device's data after a refusal: start over from an empty browser. */
  private onForgotten(): void {
    clearInstalled();
    location.reload();
  }

  private onRestore(): void {
    this.linkReturn = this.view;
    this.view = "restore";
  }

  private onLinkDevice(): void {
    this.linkReturn = this.view;
    this.view = "link";
  }

  /** Linked to an account from another device: the history is loaded, open the chats. */
  private async onLinked(): Promise<void> {
    const account = await this.client.views.me();
    if (account) markInstalled(account.accountId);
    this.view = "main";
    this.unwire ??= wireSyncTriggers(this.client.sync);
    void requestPersistentStorage();
    try {
      await this.client.start();
    } catch (e) {
      this.startError = errorText(e);
      this.client.sync.start();
    }
  }

  private onStartOver(): void {
    clearInstalled();
    this.view = "onboarding";
  }

  private async onRecoveryConfirmed(): Promise<void> {
    await this.client.confirmRecoverySaved();
    // The key lives only in this component's memory; drop it as soon as the user has it.
    this.recoveryKey = "";
    this.view = "main";
  }

  override render() {
    return html`<div class="app">
        ${this.deviceStatus === "refused" ? html`<sealed-refused @forgotten=${this.onForgotten}></sealed-refused>` : nothing}
        <div class="view">${this.renderView()}</div>
      </div>
      <sealed-update-prompt .updates=${this.updates}></sealed-update-prompt>`;
  }

  private renderView() {
    switch (this.view) {
      // The rarely seen screens load on demand (screens.ts), with a loading line until they are there.
      case "evicted":
        return lazyScreen(this, evictedScreen, () => html`<sealed-evicted @start-over=${this.onStartOver} @link-device=${this.onLinkDevice} @restore=${this.onRestore}></sealed-evicted>`);
      case "removed":
        return lazyScreen(this, removedScreen, () => html`<sealed-removed></sealed-removed>`);
      case "link":
        return lazyScreen(this, linkNewScreen, () => html`<sealed-link-new @linked=${this.onLinked} @cancel=${() => (this.view = this.linkReturn)}></sealed-link-new>`);
      case "restore":
        // Restored: like linking, the history is loaded by then; open the chats.
        return lazyScreen(this, restoreScreen, () => html`<sealed-restore @restored=${this.onLinked} @cancel=${() => (this.view = this.linkReturn)}></sealed-restore>`);
      case "loading":
        return html`<div class="splash" role="status">${msg("Opening Sealed…")}</div>`;
      case "onboarding":
        return html`<sealed-onboarding @signed-up=${this.onSignedUp} @link-device=${this.onLinkDevice} @restore=${this.onRestore}></sealed-onboarding>`;
      case "recovery":
        return lazyScreen(this, recoveryKeyScreen, () => html`<sealed-recovery-key .recoveryKey=${this.recoveryKey} @confirmed=${this.onRecoveryConfirmed}></sealed-recovery-key>`);
      case "main":
        return html`<sealed-main .startError=${this.startError}></sealed-main>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-app": SealedApp;
  }
}
