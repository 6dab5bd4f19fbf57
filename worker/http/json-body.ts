import type { Context } from "hono";
import type { z } from "zod";
import { describeIssues } from "../describe-issues.js";
import { BadRequest, TooLarge, UnsupportedMediaType } from "../errors.js";

const JSON_TYPE = /^application\/json\s*(;|$)/i;

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
  } catch (e) {
    throw new BadRequest("invalid_body", "the body is not valid JSON", { cause: e });
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
