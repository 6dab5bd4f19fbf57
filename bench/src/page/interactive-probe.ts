// Installed with page.addInitScript before the app's own scripts: records when the app becomes
// interactive, i.e. the onboarding form's username input (or, signed in, the conversation list) is in the
// document, rendered with a layout box, visible and enabled. Time is performance.now(), which counts from
// the start of the navigation. The app renders into shadow roots, so every shadow root attached is watched
// too; a per-frame check backs the mutation observers up.

export interface InteractiveMark {
  /** ms from navigation start. */
  readonly at: number;
  readonly what: "onboarding" | "chat-list";
  /** When <sealed-app> was defined, i.e. the app bundle had been fetched, parsed and run (ms). */
  readonly appDefinedAt?: number;
}

/** Runs in the page; must be self-contained (it is serialised by Playwright). */
export function interactiveProbe(): void {
  const w = window as unknown as { __sealedInteractive?: InteractiveMark; __sealedDefinedAt?: number };
  void customElements.whenDefined("sealed-app").then(() => (w.__sealedDefinedAt = performance.now()));
  const targets: [string, InteractiveMark["what"]][] = [
    ["#username, [data-testid=username-input]", "onboarding"],
    ["sealed-conversation-list", "chat-list"],
  ];
  const deepFind = (root: Document | ShadowRoot, selector: string): Element | null => {
    const hit = root.querySelector(selector);
    if (hit) return hit;
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) {
        const inner = deepFind(el.shadowRoot, selector);
        if (inner) return inner;
      }
    }
    return null;
  };
  const ready = (el: Element) =>
    el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && el.getClientRects().length > 0 && !(el as HTMLInputElement).disabled;
  const observers: MutationObserver[] = [];
  const check = () => {
    if (w.__sealedInteractive) return;
    for (const [selector, what] of targets) {
      const el = deepFind(document, selector);
      if (el && ready(el)) {
        w.__sealedInteractive = { at: performance.now(), what, ...(w.__sealedDefinedAt === undefined ? {} : { appDefinedAt: w.__sealedDefinedAt }) };
        for (const o of observers) o.disconnect();
        return;
      }
    }
  };
  const watch = (node: Node) => {
    const o = new MutationObserver(check);
    o.observe(node, { childList: true, subtree: true, attributes: true });
    observers.push(o);
  };
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (this: Element, init: ShadowRootInit) {
    const root = attach.call(this, init);
    if (!w.__sealedInteractive) watch(root);
    return root;
  };
  watch(document);
  const frame = () => {
    check();
    if (!w.__sealedInteractive) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
