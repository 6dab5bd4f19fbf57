import { bytesEqual, type AccountId, type ConversationId } from "../../../../protocol/index.js";
import type { OutgoingContent } from "../conversations/content-rows.js";
import type { SealedDb } from "../store/db.js";
import { getProfileRow, getProfileShare, putProfileShare } from "./profile-store.js";

/**
 * When this account's profile goes into a conversation (docs/PROTOCOL.md "Profile"): into every
 * conversation when it is set or changed (profiles/mine.ts), and before the first message this device
 * sends into one whose share row names another digest or an older epoch, so a new contact, a new group
 * member and a contact's new device (each comes with a new epoch) receive it. A device linked later
 * replays it from the history.
 */

/** What to seal before the next message in `conversationId` (under the epoch `epochOf` finds, asked only when this account has a profile), with the write that records it; undefined when nothing is due. */
export async function profileToShare(
  db: SealedDb,
  self: AccountId,
  conversationId: ConversationId,
  epochOf: () => Promise<number>,
): Promise<{ content: OutgoingContent; along: { tables: SealedDb["profileShares"][]; write: () => Promise<void> } } | undefined> {
  const mine = await getProfileRow(db, self);
  // Only a profile this account's devices opened and checked is passed on.
  if (!mine?.openedDigest || !bytesEqual(mine.openedDigest, mine.digest)) return undefined;
  const epoch = await epochOf();
  const shared = await getProfileShare(db, conversationId);
  if (shared && bytesEqual(shared.digest, mine.digest) && shared.epoch >= epoch) return undefined;
  return {
    content: { kind: "profile", generation: mine.generation, key: mine.key, digest: mine.digest },
    along: { tables: [db.profileShares], write: () => putProfileShare(db, { conversationId, digest: mine.digest, epoch }) },
  };
}

/** Content kinds whose sending first passes on the profile: not a receipt (sent unasked) nor the profile itself. */
export function sharesProfileBefore(content: OutgoingContent): boolean {
  return content.kind !== "receipt" && content.kind !== "profile";
}
