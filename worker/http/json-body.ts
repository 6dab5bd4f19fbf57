import type { Context } from "hono";
import type { z } from "zod";
import { BadRequest, TooLarge, UnsupportedMediaType } from "../errors.js";

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const MAX_ISSUES_REPORTED = 3;

/**
 * Reads a request body as JSON and parses it with a contract schema (protocol/api.ts): the only way a
 * route gets its input. Wrong media type is 415; bad JSON or a schema miss is 400 naming the field,
 * except a field whose schema flags its size issue with `params.tooLarge` (a link frame): 413.
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  if (!JSON_TYPE.test(c.req.header("content-type") ?? "")) throw new UnsupportedMediaType("the body must be application/json");
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch {
    throw new BadRequest("invalid_body", "the body is not valid JSON");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const message = describeIssues(parsed.error.issues);
    if (parsed.error.issues.some(isTooLarge)) throw new TooLarge(message);
    throw new BadRequest("invalid_body", message);
  }
  return parsed.data;
}

function isTooLarge(issue: z.core.$ZodIssue): boolean {
  return issue.code === "custom" && issue.params?.["tooLarge"] === true;
}

/** "field: problem" for the first few issues, e.g. `genesis: must be base64url of 1-8192 bytes`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES_REPORTED).map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`);
  if (issues.length > MAX_ISSUES_REPORTED) shown.push(`and ${issues.length - MAX_ISSUES_REPORTED} more`);
  return shown.join("; ");
}
