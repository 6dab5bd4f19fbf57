import type { ClientContext } from "../context.js";
import { ExistingDeviceLink } from "../link/link-existing.js";
import { linkAsNewDevice, type NewDeviceStep } from "../link/link-new.js";

/**
 * `client.link`: linking a device to this account (docs/PROTOCOL.md "Linking"), from either side: the
 * new device shows a code and joins, the existing one scans it and confirms.
 */
export class LinkFacade {
  constructor(private readonly ctx: ClientContext) {}

  /** The new device's side: resolves once it joined the account (the history is not loaded yet). */
  async asNewDevice(p: { deviceName: () => string; onStep: (s: NewDeviceStep) => void; confirmAccount: (username: string) => Promise<boolean>; signal: AbortSignal }): Promise<void> {
    await linkAsNewDevice(this.ctx, p);
  }

  /** The existing device's side of one link: scan, then confirm. */
  fromThisDevice(): ExistingDeviceLink {
    return new ExistingDeviceLink(this.ctx);
  }
}
