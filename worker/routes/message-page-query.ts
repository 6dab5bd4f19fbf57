import { z } from "zod";
import { DEFAULT_PAGE, MAX_PAGE } from "../../protocol/api.js";
import { describeIssues } from "../describe-issues.js";
import { BadRequest } from "../errors.js";

/** Decimal digits only: "1e3", "0x10", " 5" and "-1" are refused rather than coerced. */
export const decimalCount = z
  .string()
  .regex(/^\d{1,15}$/, "must be a non-negative integer")
  .transform(Number);

/** GET .../messages?after=N&limit=M: after defaults to 0 (from the start), limit to DEFAULT_PAGE. */
export const messagePageQuery = z.strictObject({
  after: decimalCount.default(0),
  limit: decimalCount.pipe(z.number().int().min(1).max(MAX_PAGE, `must be at most ${MAX_PAGE}`)).default(DEFAULT_PAGE),
});

export function parseMessagePageQuery(query: Record<string, string>): z.output<typeof messagePageQuery> {
  const parsed = messagePageQuery.safeParse(query);
  if (!parsed.success) throw new BadRequest("invalid_query", describeIssues(parsed.error.issues));
  return parsed.data;
}
