import type { z } from "zod";

const MAX_ISSUES_REPORTED = 3;

/**
 * "field: problem" for the first few schema issues, e.g. `genesis: must be base64url of 1-8192 bytes`.
 * Shared by every boundary that parses input: HTTP bodies and queries, and realtime frames.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES_REPORTED).map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`);
  if (issues.length > MAX_ISSUES_REPORTED) shown.push(`and ${issues.length - MAX_ISSUES_REPORTED} more`);
  return shown.join("; ");
}
