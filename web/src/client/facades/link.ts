import type { ClientContext } from "../context.js";
import type { ExistingDeviceLink } from "../link/link-existing.js";
import type { NewDeviceStep } from "../link/link-new.js";

/**
 * Both sides of linking load on first use (dynamic import()): only the link screens need them, so they stay
 * out of the app shell (docs/decisions.md "Screens loaded on demand").
 *
 * `client.link`: linking a device to this account (docs/PROTOCOL.md "Linking"), from either side: the
 * new device shows a code and joins, the existing one scans it and confirms.
 */
export class LinkFacade {
  constructor(private readonly ctx: ClientContext) {}

  /** The new device's side: resolves once it joined the account (the history is not loaded yet). */
  async asNewDevice(p: { deviceName: () => string; onStep: (s: NewDeviceStep) => void; confirmAccount: (username: string) => Promise<boolean>; signal: AbortSignal }): Promise<void> {
    const { linkAsNewDevice } = await import("../link/link-new.js");
    await linkAsNewDevice(this.ctx, p);
  }

  /** The existing device's side of one link: scan, then confirm. */
  async fromThisDevice(): Promise<ExistingDeviceLink> {
    const { ExistingDeviceLink } = await import("../link/link-existing.js");
    return new ExistingDeviceLink(this.ctx);
  }
}
