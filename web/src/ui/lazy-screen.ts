import { localized, msg } from "@lit/localize";
import { LitElement, css, html, type ReactiveControllerHost, type TemplateResult } from "lit";
import { customElement, property } from "lit/decorators.js";
import { shared } from "../styles/shared.js";
import { hasFailed, isLoaded, loadScreen, retryLater, type ScreenLoader } from "./screen-loads.js";

/**
 * Renders `view` once the screen's module is loaded (at once when it already is); until then a loading
 * line, and if the load failed a readable error with a retry. `host` renders again when the load settles.
 */
export function lazyScreen(host: ReactiveControllerHost, loader: ScreenLoader, view: () => TemplateResult): TemplateResult {
  if (isLoaded(loader)) return view();
  if (hasFailed(loader)) {
    const retry = () => {
      retryLater(loader);
      host.requestUpdate();
    };
    return html`<sealed-screen-status failed @retry=${retry}></sealed-screen-status>`;
  }
  void loadScreen(loader).then(
    () => host.requestUpdate(),
    () => host.requestUpdate(),
  );
  return html`<sealed-screen-status></sealed-screen-status>`;
}

/** The words shown when a screen kept out of the shell could not be loaded. */
export const loadFailedText = (): string => msg("This screen couldn't be loaded. You may be offline, and it wasn't saved on this device yet.");

/**
 * Where a lazily loaded screen will appear: "Loading…", or why it could not load and a retry. Fires
 * `retry` on "Try again", and by itself when the browser comes back online.
 */
@localized()
@customElement("sealed-screen-status")
export class SealedScreenStatus extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        place-items: center;
        min-height: 8rem;
        height: 100%;
        padding: 1.5rem;
        box-sizing: border-box;
        text-align: center;
        color: var(--muted);
      }
      .failed {
        max-width: 26rem;
        color: var(--text);
      }
      .failed p {
        margin: 0 0 0.75rem;
      }
    `,
  ];

  @property({ type: Boolean }) failed = false;

  /**
   * The failure says "You may be offline": when the browser says the network is back, try again without
   * waiting for a click (a reload that met a dropped network would otherwise stay on this error).
   */
  private readonly onOnline = () => {
    if (this.failed) this.dispatchEvent(new CustomEvent("retry"));
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("online", this.onOnline);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("online", this.onOnline);
  }

  override render() {
    if (!this.failed) return html`<p role="status" data-testid="screen-loading">${msg("Loading…")}</p>`;
    return html`<div class="failed" role="alert" data-testid="screen-load-failed">
      <p>${loadFailedText()}</p>
      <button class="secondary" type="button" @click=${() => this.dispatchEvent(new CustomEvent("retry"))}>${msg("Try again")}</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-screen-status": SealedScreenStatus;
  }
}
