import { css, type LitElement, type ReactiveController } from "lit";

/**
 * The surface the popup menus (sealed-chat-menu, sealed-message-menu) share: a card fixed next to the
 * button that opened it, a sheet at the bottom on a phone. Put after a menu's own styles, so that its
 * `button:focus-visible` outranks a menu's plain `x button` background as it did when each menu held it.
 */
export const popupMenuStyles = css`
  :host {
    position: fixed;
    z-index: 20;
  }
  [role="menu"] {
    background: var(--surface);
    color: var(--text);
    border: 1px solid var(--border);
    border-radius: 16px;
    box-shadow: 0 12px 40px rgb(0 0 0 / 22%);
    padding: 0.35rem;
  }
  .item {
    display: flex;
    width: 100%;
    justify-content: flex-start;
    border-radius: 10px;
    background: transparent;
    color: var(--text);
    font-weight: 500;
  }
  .item:hover,
  button:focus-visible {
    background: var(--surface-2);
  }
  .item.danger {
    color: var(--danger);
  }
  @media (max-width: 699.98px) {
    :host {
      left: 0 !important;
      right: 0;
      top: auto !important;
      bottom: 0;
    }
    [role="menu"] {
      border-radius: 18px 18px 0 0;
      padding-bottom: calc(0.5rem + env(safe-area-inset-bottom));
    }
  }
`;

/** A popup menu element: the button that opened it gets focus back on close. */
export type PopupMenuHost = LitElement & { trigger: HTMLElement | undefined };

/**
 * Places a menu below its trigger, or above it near the bottom of the window, or at a point (where a
 * right-click opened it); kept inside the window. `fallback` (px) stands in for its size before layout.
 */
export function placeMenu(menu: HTMLElement, trigger: HTMLElement | undefined, at: { x: number; y: number } | undefined, fallback: { width: number; height: number }): void {
  const r = at ? { right: at.x + 1, top: at.y, bottom: at.y } : trigger?.getBoundingClientRect();
  if (!r) return;
  const w = menu.offsetWidth || fallback.width;
  const h = menu.offsetHeight || fallback.height;
  const left = at ? Math.min(at.x, window.innerWidth - w - 8) : Math.min(Math.max(8, r.right - w), window.innerWidth - w - 8);
  const top = r.bottom + h + 8 > window.innerHeight ? Math.max(8, r.top - h - 4) : r.bottom + 4;
  menu.style.left = `${Math.max(8, left)}px`;
  menu.style.top = `${top}px`;
}

/**
 * The behaviour of a popup menu (WAI-ARIA menu pattern) as a Lit controller: a press outside the menu
 * and its trigger closes it; arrow keys, Home and End move focus over its buttons (roving, wrapping),
 * Escape closes and gives focus back to the trigger, Tab closes. Closing fires `menu-closed`.
 */
export class PopupMenuController implements ReactiveController {
  /** `arrows: "both"` also moves with Left/Right (a menu whose first row is horizontal). */
  constructor(
    private readonly host: PopupMenuHost,
    private readonly arrows: "vertical" | "both",
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener("pointerdown", this.onOutside, true);
  }

  hostDisconnected(): void {
    document.removeEventListener("pointerdown", this.onOutside, true);
  }

  private readonly onOutside = (e: PointerEvent): void => {
    const trigger = this.host.trigger;
    if (!e.composedPath().includes(this.host) && !(trigger && e.composedPath().includes(trigger))) this.close(false);
  };

  private buttons(): HTMLButtonElement[] {
    return [...this.host.renderRoot.querySelectorAll<HTMLButtonElement>("button")];
  }

  focusFirst(): void {
    this.buttons()[0]?.focus();
  }

  /** The menu's keydown handler (bind it on the element with role="menu"). */
  readonly onKey = (e: KeyboardEvent): void => {
    const all = this.buttons();
    const at = all.indexOf(this.host.renderRoot.querySelector<HTMLButtonElement>("button:focus") ?? all[0]!);
    const move = (to: number) => all[(to + all.length) % all.length]?.focus();
    const both = this.arrows === "both";
    if (e.key === "Escape") this.close(true);
    else if (e.key === "ArrowDown" || (both && e.key === "ArrowRight")) move(at + 1);
    else if (e.key === "ArrowUp" || (both && e.key === "ArrowLeft")) move(at - 1);
    else if (e.key === "Home") move(0);
    else if (e.key === "End") move(all.length - 1);
    else if (e.key === "Tab") this.close(false);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  /** Fires `menu-closed`; `refocus` gives focus back to the trigger first. */
  close(refocus: boolean): void {
    if (refocus) this.host.trigger?.focus();
    this.host.dispatchEvent(new CustomEvent("menu-closed", { bubbles: true, composed: true }));
  }
}
