import { z } from "zod";
import { clientMessageIdSchema, conversationIdSchema } from "../../../../protocol/api.js";
import { MAX_TERM_LENGTH } from "./tokenize.js";

/**
 * The rows of the local search index (store/db.ts version 9). They hold folded words of decrypted
 * messages: as private as the messages themselves (docs/THREAT-MODEL.md), never sent anywhere.
 *
 * A posting says "message `m` of conversation `c`, sent at `at`, holds term `t`". Its key
 * `[t+at+c+m]` orders a term's messages by time, so the newest come first without reading them all;
 * the `[c+m]` index finds a message's postings to remove them. Short field names: there is one posting
 * per distinct word of every message.
 */
export const searchPostingRow = z.object({
  t: z.string().min(1).max(MAX_TERM_LENGTH),
  at: z.number().int().nonnegative(),
  c: conversationIdSchema,
  m: clientMessageIdSchema,
});
export type SearchPostingRow = z.infer<typeof searchPostingRow>;

/**
 * What the query planner knows of a term (store/db.ts version 14): `n` counts the postings ever written
 * for it and `last` is the newest `at` among them. Both only ever grow (a posting removed does not lower
 * them), so they are upper bounds: a term whose `last` is older than the results found so far cannot hold
 * a newer one, and `n` says which word of a query is the rarest to walk (search/query.ts).
 */
export const searchTermRow = z.object({
  t: z.string().min(1).max(MAX_TERM_LENGTH),
  n: z.number().int().nonnegative(),
  last: z.number().int().nonnegative(),
});
export type SearchTermRow = z.infer<typeof searchTermRow>;

/** How far a conversation's history is indexed: every stored row with a seq up to `upTo` (search/indexer.ts). */
export const searchProgressRow = z.object({
  conversationId: conversationIdSchema,
  upTo: z.number().int().nonnegative(),
});
export type SearchProgressRow = z.infer<typeof searchProgressRow>;
