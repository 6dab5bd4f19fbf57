// Row schemas shared by the ConversationLog object and the move from D1: both read the same columns
// (D1's tables and the object's have the same names, the object's without conversation_id).
import { z } from "zod";
import { accountIdSchema, conversationIdSchema } from "../../../protocol/api.js";
import { blob, int } from "../rows.js";

export const conversationRow = z.object({
  id: conversationIdSchema,
  kind: z.enum(["direct", "group"]),
  member_a: accountIdSchema.nullable(),
  member_b: accountIdSchema.nullable(),
  created_at: int,
});
export const memberRow = z.object({ account_id: accountIdSchema });
export const entryRow = z.object({ seq: int.nonnegative(), entry: blob });
