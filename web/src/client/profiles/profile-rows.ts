import { z } from "zod";
import { accountIdSchema, conversationIdSchema } from "../../../../protocol/api.js";
import { MAX_AVATAR_BYTES, MAX_DISPLAY_NAME_BYTES } from "../../../../protocol/index.js";

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, "must be bytes");
const bytes32 = bytes.refine((b) => b.length === 32, "must be 32 bytes");

/**
 * What this device knows of one account's profile (docs/PROTOCOL.md "Profile"), its own included: the
 * key and blob digest of the newest kind 9 message of that account (by its send time), and what the
 * blob with that digest said once fetched and opened. `name` and `avatar` belong to `openedDigest`; when
 * that is not `digest` a newer blob is still to be fetched (profiles/fetch.ts) and the older name shows
 * meanwhile.
 */
export const profileRow = z.object({
  accountId: accountIdSchema,
  generation: z.number().int().nonnegative(),
  key: bytes32,
  digest: bytes32,
  /** The send time of the kind 9 message that named `digest`: a later one replaces it, an earlier one not. */
  sentAt: z.number().int().nonnegative(),
  openedDigest: bytes32.optional(),
  name: z.string().min(1).max(MAX_DISPLAY_NAME_BYTES).optional(),
  avatar: bytes.refine((b) => b.length <= MAX_AVATAR_BYTES, "avatar too large").optional(),
  /** Why the blob named by `digest` was refused (served blob of another digest, does not open): shown nowhere but logged. */
  problem: z.string().max(500).optional(),
});
export type ProfileRow = z.infer<typeof profileRow>;

/**
 * The digest of this account's profile last sent into a conversation and the epoch it was sealed under
 * (profiles/share.ts): sent again when the profile changes or a new epoch (new members or devices) begins.
 */
export const profileShareRow = z.object({ conversationId: conversationIdSchema, digest: bytes32, epoch: z.number().int().nonnegative() });
export type ProfileShareRow = z.infer<typeof profileShareRow>;
