// People in one browser, each in a context of their own (own storage, own service worker), with every
// page error collected under their name: what most multi-person e2e files build by hand.
import type { Browser, BrowserContext, Page } from "playwright-core";

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export class People {
  readonly errors: string[] = [];
  private readonly contexts: BrowserContext[] = [];

  constructor(private readonly browser: Browser) {}

  /** A new person's page at `viewport`; their page errors land in `errors` as "who: message". */
  async page(who: string, viewport: { width: number; height: number } = DESKTOP): Promise<Page> {
    const context = await this.browser.newContext({ viewport });
    this.contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (e) => this.errors.push(`${who}: ${e.message}`));
    return page;
  }

  async close(): Promise<void> {
    for (const c of this.contexts) await c.close();
  }
}
