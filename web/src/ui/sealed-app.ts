import { localized, msg } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { customElement, state } from "lit/decorators.js";
import { provide } from "@lit/context";
import type { ChatClient, DeviceStatus } from "../client/index.js";
import { storeMayExist } from "../client/shell.js";
import { appClient, prefetchClient } from "./app-client.js";
import { clientContext, deviceStatusContext, syncContext, type SyncState } from "./context.js";
import { clearInstalled, installedAccount, markInstalled, requestPersistentStorage } from "../pwa/storage.js";
import { wireSyncTriggers } from "../pwa/sync-triggers.js";
import { AppUpdates } from "../pwa/updates.js";
import { errorText } from "./error-text.js";
import { shared } from "../styles/shared.js";
import { lazyScreen } from "./lazy-screen.js";
import { loadScreen, type ScreenLoader } from "./screen-loads.js";
import { mainScreen, refusedBanner } from "./app-screens.js";
import { evictedScreen, linkNewScreen, recoveryKeyScreen, removedScreen, restoreScreen } from "./screens.js";
import "./sealed-onboarding.js";
import "./sealed-update-prompt.js";

type View = "loading" | "evicted" | "onboarding" | "recovery" | "main" | "link" | "removed" | "restore";

/**
 * The root: decides between onboarding, the one-time recovery key screen, the chat, and the notice that
 * the browser deleted this device's data. A device that already holds an account opens straight into
 * its (locally cached) chats while the session resumes in the background, so history shows offline and
 * with the server down. The service worker's update prompt floats over every view.
 *
 * The app shell is this element, the onboarding form and the update prompt: the client and every other
 * screen load on demand (docs/decisions.md "The app shell holds the first screen"). A browser with no
 * local store shows the form at once and prefetches the client; one with a store loads the client and
 * the chat screens together. Every view but onboarding waits for the client (clientContext is provided
 * before any of them renders).
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
  @provide({ context: clientContext }) private client: ChatClient | undefined;
  @provide({ context: deviceStatusContext }) @state() private deviceStatus: DeviceStatus = "active";
  @provide({ context: syncContext }) @state() private syncState: SyncState = { status: "connecting", live: false };
  private readonly onSyncStatus = () => {
    if (this.client) this.syncState = { status: this.client.sync.status, live: this.client.sync.live };
  };
  private readonly updates = new AppUpdates();
  private unwire: (() => void) | undefined;
  /** The client's load, shared by every view that needs it; forgotten when it fails, so a retry loads afresh. */
  private clientLoad: Promise<ChatClient> | undefined;
  /** The chat screens are loading with the client but the client's chunk could not be fetched. */
  @state() private clientFailed = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.updates.register();
    void this.boot();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unwire?.();
    this.client?.stop();
  }

  /** Loads the client (once) and provides it to the views below, listening to its events from then on. */
  private ensureClient(): Promise<ChatClient> {
    this.clientLoad ??= appClient().then(
      (client) => {
        if (!this.client) {
          client.addEventListener("device-status", this.onDeviceStatus);
          client.addEventListener("signed-out", this.onSignedOut);
          client.sync.addEventListener("status", this.onSyncStatus);
          this.client = client;
          this.onSyncStatus();
          // The refusal banner is a security notice: have its chunk here before the client could call for it.
          loadScreen(this.screens.refused).catch(() => undefined);
        }
        return client;
      },
      (e: unknown) => {
        this.clientLoad = undefined;
        throw e;
      },
    );
    return this.clientLoad;
  }

  /** A screen that needs the client: its chunk and the client load together, and it renders once both are there. */
  private withClient(screen: ScreenLoader): ScreenLoader {
    return () => Promise.all([screen(), this.ensureClient()]);
  }

  // One loader each (loadScreen() loads each function once).
  private readonly screens = {
    main: this.withClient(mainScreen),
    link: this.withClient(linkNewScreen),
    restore: this.withClient(restoreScreen),
    recovery: this.withClient(recoveryKeyScreen),
    // The eviction and removal notices use no client (a removed device's client is already running).
    evicted: evictedScreen,
    removed: removedScreen,
    refused: refusedBanner,
  };

  private async boot(): Promise<void> {
    this.clientFailed = false;
    // No store: nothing of an account can be here, so neither Dexie nor the client is needed to decide. An
    // account set up here (the marker) skips the question: main.ts has already started loading the client.
    if (installedAccount() === undefined && !(await storeMayExist())) {
      this.showNoAccount();
      return;
    }
    let client: ChatClient;
    try {
      // The chat screens' chunk loads alongside the client: most browsers with a store hold an account.
      loadScreen(this.screens.main).catch(() => undefined);
      client = await this.ensureClient();
    } catch {
      this.clientFailed = true;
      return;
    }
    let account;
    try {
      account = await client.views.me();
    } catch (e) {
      this.startError = errorText(e);
      this.view = "main";
      return;
    }
    if (!account) {
      this.showNoAccount();
      return;
    }
    markInstalled(account.accountId);
    this.view = "main";
    this.unwire ??= wireSyncTriggers(client.sync);
    try {
      await client.start();
    } catch (e) {
      this.startError = errorText(e);
      // Keep trying in the background; the sync loop renews the session once the server answers.
      client.sync.start();
    }
  }

  /** No account here: the onboarding form, or (set up here before, yet no keys) the eviction notice. */
  private showNoAccount(): void {
    // Set up here before, yet no keys: the browser evicted IndexedDB (DESIGN "Offline first").
    this.view = installedAccount() ? "evicted" : "onboarding";
    if (this.view === "onboarding") {
      // Once the form is painted, fetch the client's chunk, which "Create account" needs.
      void this.updateComplete.then(() => requestAnimationFrame(() => setTimeout(prefetchClient)));
    }
  }

  private onSignedUp(e: CustomEvent<{ recoveryKey: string }>): void {
    this.recoveryKey = e.detail.recoveryKey;
    this.view = "recovery";
    void this.ensureClient().then((client) => {
      if (client.session) markInstalled(client.session.accountId);
      this.unwire ??= wireSyncTriggers(client.sync);
    });
    // The keys now live only here: ask the browser not to evict them. A refusal shows nothing.
    void requestPersistentStorage();
  }

  private linkReturn: View = "onboarding";

  /**
   * The client wiped this device after its own verified log showed it removed (the keys could read
   * nothing new, but hold the past); a refusal the log does not back keeps everything and says so.
   */
  private readonly onDeviceStatus = () => {
    if (!this.client) return;
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
    const client = await this.ensureClient();
    const account = await client.views.me();
    if (account) markInstalled(account.accountId);
    this.view = "main";
    this.unwire ??= wireSyncTriggers(client.sync);
    void requestPersistentStorage();
    try {
      await client.start();
    } catch (e) {
      this.startError = errorText(e);
      client.sync.start();
    }
  }

  private onStartOver(): void {
    clearInstalled();
    this.view = "onboarding";
  }

  private async onRecoveryConfirmed(): Promise<void> {
    await (await this.ensureClient()).confirmRecoverySaved();
    // The key lives only in this component's memory; drop it as soon as the user has it.
    this.recoveryKey = "";
    this.view = "main";
  }

  override render() {
    return html`<div class="app">
        ${this.deviceStatus === "refused" ? lazyScreen(this, this.screens.refused, () => html`<sealed-refused @forgotten=${this.onForgotten}></sealed-refused>`) : nothing}
        <div class="view">${this.renderView()}</div>
      </div>
      <sealed-update-prompt .updates=${this.updates}></sealed-update-prompt>`;
  }

  private renderView() {
    if (this.clientFailed) {
      // A store is here but the client's chunk could not be fetched: say so, and start again on "Try again".
      return html`<sealed-screen-status failed @retry=${() => void this.boot()}></sealed-screen-status>`;
    }
    switch (this.view) {
      // The rarely seen screens load on demand (screens.ts), with a loading line until they are there.
      case "evicted":
        return lazyScreen(this, this.screens.evicted, () => html`<sealed-evicted @start-over=${this.onStartOver} @link-device=${this.onLinkDevice} @restore=${this.onRestore}></sealed-evicted>`);
      case "removed":
        return lazyScreen(this, this.screens.removed, () => html`<sealed-removed></sealed-removed>`);
      case "link":
        return lazyScreen(this, this.screens.link, () => html`<sealed-link-new @linked=${this.onLinked} @cancel=${() => (this.view = this.linkReturn)}></sealed-link-new>`);
      case "restore":
        // Restored: like linking, the history is loaded by then; open the chats.
        return lazyScreen(this, this.screens.restore, () => html`<sealed-restore @restored=${this.onLinked} @cancel=${() => (this.view = this.linkReturn)}></sealed-restore>`);
      case "loading":
        return html`<div class="splash" role="status">${msg("Opening Sealed…")}</div>`;
      case "onboarding":
        return html`<sealed-onboarding @signed-up=${this.onSignedUp} @link-device=${this.onLinkDevice} @restore=${this.onRestore}></sealed-onboarding>`;
      case "recovery":
        return lazyScreen(this, this.screens.recovery, () => html`<sealed-recovery-key .recoveryKey=${this.recoveryKey} @confirmed=${this.onRecoveryConfirmed}></sealed-recovery-key>`);
      case "main":
        return lazyScreen(this, this.screens.main, () => html`<sealed-main .startError=${this.startError}></sealed-main>`);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-app": SealedApp;
  }
}
