// The link store owns device-linking sessions (docs/API.md "Linking a device"): the link, the existing
// device's answer, and the frames each side relays to the other, all gone when the link ends or expires.
// Today D1 tables (worker/db/d1-link-store.ts).
import type { LinkId, LinkSide } from "../../protocol/api.js";
import type { AccountId, DeviceId } from "../../protocol/ids.js";

export interface LinkRecord {
  readonly linkId: LinkId;
  readonly newTokenHash: Uint8Array;
  readonly expiresAt: number;
  /** The existing device that answered, with its ephemeral key; undefined until one did. */
  readonly responder?: { readonly accountId: AccountId; readonly deviceId: DeviceId; readonly ephemeralKey: Uint8Array };
}

export type FoundLink = { readonly kind: "live"; readonly link: LinkRecord } | { readonly kind: "expired" } | { readonly kind: "missing" };

export interface LinkStore {
  /** Stores a new link; expired ones are swept on the way, so abandoned links never pile up. */
  insert(l: { linkId: LinkId; newTokenHash: Uint8Array; now: number; expiresAt: number }): Promise<void>;
  /** The link if it is live. An expired one is deleted with its frames on the spot, and reported as such once. */
  find(linkId: LinkId, now: number): Promise<FoundLink>;
  /**
   * Records the existing device's answer unless the link is expired or already answered, atomically:
   * of two concurrent answers exactly one wins. Answering moves the link's expiry to `expiresAt`.
   */
  answer(a: { linkId: LinkId; accountId: AccountId; deviceId: DeviceId; ephemeralKey: Uint8Array; now: number; expiresAt: number }): Promise<boolean>;
  /**
   * Appends a frame from `sender` with that side's next seq (1, 2, ...), if the link is live and holds
   * fewer than `maxFrames` from that side, atomically. Undefined when nothing was stored.
   */
  appendFrame(f: { linkId: LinkId; sender: LinkSide; frame: Uint8Array; now: number; maxFrames: number }): Promise<number | undefined>;
  /** The frames `sender` posted after seq `after`, in order. */
  listFrames(linkId: LinkId, sender: LinkSide, after: number): Promise<{ seq: number; frame: Uint8Array }[]>;
  delete(linkId: LinkId): Promise<void>;
}
