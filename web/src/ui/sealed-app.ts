import { LitElement, css, html } from "lit";
import { customElement, state } from "lit/decorators.js";
import { ChatClient } from "../client/client.js";
import { errorText } from "./error-text.js";
import { shared } from "../styles/shared.js";
import "./sealed-onboarding.js";
import "./sealed-recovery-key.js";
import "./sealed-main.js";

type View = "loading" | "onboarding" | "recovery" | "main";

/**
 * The root: decides between onboarding, the one-time recovery key screen and the chat. A device that
 * already holds an account opens straight into its (locally cached) chats while the session resumes in
 * the background, so history shows even offline.
 */
@customElement("sealed-app")
export class SealedApp extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
        height: 100%;
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
  private readonly client = new ChatClient();

  override connectedCallback(): void {
    super.connectedCallback();
    void this.boot();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.client.stop();
  }

  private async boot(): Promise<void> {
    try {
      if (!(await this.client.hasAccount())) {
        this.view = "onboarding";
        return;
      }
    } catch (e) {
      this.startError = errorText(e);
      this.view = "main";
      return;
    }
    this.view = "main";
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
  }

  private async onRecoveryConfirmed(): Promise<void> {
    await this.client.confirmRecoverySaved();
    // The key lives only in this component's memory; drop it as soon as the user has it.
    this.recoveryKey = "";
    this.view = "main";
  }

  override render() {
    switch (this.view) {
      case "loading":
        return html`<div class="splash" role="status">Opening Sealed…</div>`;
      case "onboarding":
        return html`<sealed-onboarding .client=${this.client} @signed-up=${this.onSignedUp}></sealed-onboarding>`;
      case "recovery":
        return html`<sealed-recovery-key .recoveryKey=${this.recoveryKey} @confirmed=${this.onRecoveryConfirmed}></sealed-recovery-key>`;
      case "main":
        return html`<sealed-main .client=${this.client} .startError=${this.startError}></sealed-main>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-app": SealedApp;
  }
}
