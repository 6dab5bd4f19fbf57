// The app renders into shadow roots, so the probes that measure it in the page (functions passed to
// page.evaluate, which cannot close over module scope) find elements with one walker, installed as a page
// global before the app's own scripts by every measuring context.
import type { Browser, BrowserContext } from "playwright-core";

/** Finds the first element matching `selector` under `root`, through shadow roots. */
export type ShadowFind = (root: Document | ShadowRoot, selector: string, o?: { intoMessageList?: boolean }) => HTMLElement | null;

/** Runs in the page (context.addInitScript): defines globalThis.sealedFind. */
export function installShadowFind(): void {
  const find: ShadowFind = (root, selector, o) => {
    const hit = root.querySelector<HTMLElement>(selector);
    if (hit) return hit;
    for (const el of root.querySelectorAll("*")) {
      // The message list (hundreds of bubbles) is searched only by what asks for it.
      const inner = el.shadowRoot && (o?.intoMessageList || el.localName !== "sealed-message-list") ? find(el.shadowRoot, selector, o) : null;
      if (inner) return inner;
    }
    return null;
  };
  (globalThis as unknown as { sealedFind: ShadowFind }).sealedFind = find;
}

/** A browser context for measuring the app: a desktop viewport and the walker in every page. */
export async function benchContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(installShadowFind);
  return context;
}
