import { LitElement, css, html, type ReactiveControllerHost, type TemplateResult } from "lit";
import { customElement, property } from "lit/decorators.js";
import { shared } from "../styles/shared.js";

/** Loads the module of a screen kept out of the app shell (docs/decisions.md "Screens loaded on demand"). */
export type ScreenLoader = () => Promise<unknown>;

const loads = new Map<ScreenLoader, Promise<unknown>>();
const loaded = new Set<ScreenLoader>();
const failed = new Set<ScreenLoader>();

/**
 * Loads a screen's module once: every caller shares the same promise. A failed load (offline before the
 * service worker saved the chunk) is forgotten, so the next call tries again.
 */
export function loadScreen(loader: ScreenLoader): Promise<unknown> {
  let load = loads.get(loader);
  if (!load) {
    failed.delete(loader);
    load = loader().then(
      () => void loaded.add(loader),
      (e: unknown) => {
        loads.delete(loader);
        failed.add(loader);
        throw e;
      },
    );
    loads.set(loader, load);
  }
  return load;
}

/** Whether the screen's module has loaded (its elements are defined). */
export function isLoaded(loader: ScreenLoader): boolean {
  return loaded.has(loader);
}

/**
 * Renders `view` once the screen's module is loaded (at once when it already is); until then a loading
 * line, and if the load failed a readable error with a retry. `host` renders again when the load settles.
 */
export function lazyScreen(host: ReactiveControllerHost, loader: ScreenLoader, view: () => TemplateResult): TemplateResult {
  if (loaded.has(loader)) return view();
  if (failed.has(loader)) {
    const retry = () => {
      failed.delete(loader);
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
export const LOAD_FAILED_TEXT = "This screen couldn't be loaded. You may be offline, and it wasn't saved on this device yet.";

/** Where a lazily loaded screen will appear: "Loading…", or why it could not load and a retry. Fires `retry`. */
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

  override render() {
    if (!this.failed) return html`<p role="status" data-testid="screen-loading">Loading…</p>`;
    return html`<div class="failed" role="alert" data-testid="screen-load-failed">
      <p>${LOAD_FAILED_TEXT}</p>
      <button class="secondary" type="button" @click=${() => this.dispatchEvent(new CustomEvent("retry"))}>Try again</button>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-screen-status": SealedScreenStatus;
  }
}
