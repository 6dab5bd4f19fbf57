import { z } from "zod";
import { MAX_MENTIONS, type ConversationId } from "../../../../protocol/index.js";
import { accountIdSchema } from "../../../../protocol/api.js";
import { MemoryDraftStorage, type DraftStorage } from "./drafts.js";

/**
 * The @mentions of each chat's draft (docs/decisions.md "Mentions"), beside the draft's text
 * (drafts.ts) in localStorage, so a draft that comes back after a reload still mentions whom it did.
 * Under the drafts' key prefix, so forgetting every draft (a wipe, signing out) forgets these too. Read
 * back through a schema: another script of the origin may have written anything there.
 */
const PREFIX = "sealed-draft:mentions:";

/** One mention of a draft: its UTF-16 range, the account, and the "@Name" text it was inserted as. */
export const draftMentionSchema = z.object({
  accountId: accountIdSchema,
  start: z.number().int().nonnegative(),
  length: z.number().int().min(1).max(64),
  text: z.string().min(1).max(64),
});
export type StoredDraftMention = z.infer<typeof draftMentionSchema>;
const listSchema = z.array(draftMentionSchema).max(MAX_MENTIONS);

const fallback = new MemoryDraftStorage();

export class DraftMentions {
  constructor(private readonly storage: DraftStorage = typeof localStorage === "undefined" ? fallback : localStorage) {}

  /** The chat's draft mentions as stored; [] when none or when what is stored does not parse. */
  get(id: ConversationId): StoredDraftMention[] {
    const raw = this.storage.getItem(PREFIX + id);
    if (raw === null) return [];
    try {
      const r = listSchema.safeParse(JSON.parse(raw));
      return r.success ? r.data : [];
    } catch {
      return [];
    }
  }

  /** Keeps the chat's draft mentions; [] forgets them. Best effort, like the draft itself. */
  set(id: ConversationId, mentions: readonly StoredDraftMention[]): void {
    try {
      if (mentions.length === 0) this.storage.removeItem(PREFIX + id);
      else this.storage.setItem(PREFIX + id, JSON.stringify(mentions.slice(0, MAX_MENTIONS)));
    } catch (e) {
      console.warn("could not keep the draft's mentions:", e);
    }
  }
}
