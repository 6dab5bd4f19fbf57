import { PRINCIPALS, PRINCIPAL_INFO, type Cell, type Endpoint } from "./authz-table.js";

/**
 * docs/AUTHORIZATION.md, rendered from the table in authz-table.ts. authz-matrix.test.ts fails when the
 * file differs from this; `UPDATE_SNAPSHOT=1 npx vitest run --config vitest.worker.config.ts
 * tests/worker/authz-matrix.test.ts` (or `-u`) rewrites it. It is a vitest file snapshot because the test
 * runs in workerd, which sees no process environment (so no UPDATE_DOCS) and has no file system of its own.
 */
export function renderAuthorizationDoc(table: readonly Endpoint[]): string {
  const header = `| endpoint | request | ${PRINCIPALS.map((p) => PRINCIPAL_INFO[p].title).join(" | ")} |`;
  const rule = `|${" --- |".repeat(PRINCIPALS.length + 2)}`;
  const rows = table.map((e) => `| \`${e.method} ${e.path}\` | ${e.request} | ${PRINCIPALS.map((p) => cellText(e.cells[p])).join(" | ")} |`);
  const cells = table.reduce((n, e) => n + PRINCIPALS.filter((p) => !("notApplicable" in e.cells[p])).length, 0);
  return [
    "# Authorization matrix",
    "",
    "<!-- Generated from tests/worker/authz-table.ts by tests/worker/authz-matrix.test.ts: edit the table, then run",
    "     `UPDATE_SNAPSHOT=1 npx vitest run --config vitest.worker.config.ts tests/worker/authz-matrix.test.ts`. -->",
    "",
    "Every endpoint of the HTTP API (docs/API.md) against every kind of caller, with the status the worker",
    `answers. Each of the ${cells} cells with a status is a real request in the worker test suite (workerd with real D1`,
    "and the AccountHub Durable Object), which asserts the status and, for errors, the JSON body",
    "`{error: {code, message}}` with the code shown. An endpoint listed twice is one route with two kinds of",
    "credential or body (a session or the link token; an add-device or a recover entry).",
    "",
    "Each cell sends the member's own request (the same path and body) with the principal's credentials, so a",
    "status other than the member's is the authorization check at work. Rows whose body is signed by or names the",
    "principal's own device (challenge, login, group create, membership entries, group meta) put that device in the body instead.",
    "Every request comes from its own client address, so the per-address rate limits never decide a cell.",
    "",
    "## Principals",
    "",
    ...PRINCIPALS.map((p) => `- **${PRINCIPAL_INFO[p].title}**: ${PRINCIPAL_INFO[p].who}.`),
    "",
    "## Matrix",
    "",
    header,
    rule,
    ...rows,
    "",
    "## Session cookie",
    "",
    "The same test checks the cookie `POST /api/session` sets: over https `__Host-sealed_session` with `Secure`,",
    "over plain http (only the local dev origin) `sealed_session` without it; both `HttpOnly`, `SameSite=Strict`,",
    "`Path=/`, `Max-Age=2592000` (30 days) and no `Domain`. Logging out clears it with `Max-Age=0` and the same",
    "attributes.",
    "",
  ].join("\n");
}

function cellText(cell: Cell): string {
  if ("notApplicable" in cell) return `n/a: ${cell.notApplicable}`;
  const code = cell.code === undefined ? "" : ` \`${cell.code}\``;
  const note = cell.note === undefined ? "" : ` (${cell.note})`;
  return `${cell.status}${code}${note}`;
}
