// Issue 16: the worker's storage is reached only through the interfaces of worker/storage, so every line of
// SQL (and every use of the D1 binding) lives in worker/db, the D1 implementation. A second engine then
// replaces worker/db, not routes. This walks the TypeScript syntax tree, so comments and prose in strings
// that merely mention a table are not flagged; SQL is recognised by its upper-case statement shapes.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/** Where SQL and the D1 binding may appear; env.ts declares the binding's type. */
const ALLOWED = [/^worker\/db\//, /^worker\/env\.ts$/];
const SQL = /\b(SELECT\b[\s\S]*\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|DROP\s+TABLE|ALTER\s+TABLE)\b/;
const D1_TYPES = new Set(["D1Database", "D1PreparedStatement", "D1Result"]);

/** "file:line: what" for each use of SQL or D1 in one source text. */
export function sqlOffenders(path: string, text: string): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const report = (node: ts.Node, what: string) => out.push(`${path}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: ${what}`);
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node)) {
      if (SQL.test(node.text)) report(node, "SQL in a string");
    } else if (ts.isNoSubstitutionTemplateLiteral(node)) {
      if (SQL.test(node.text)) report(node, "SQL in a template");
    } else if (ts.isTemplateExpression(node)) {
      const text = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(" ");
      if (SQL.test(text)) report(node, "SQL in a template");
    } else if (ts.isPropertyAccessExpression(node)) {
      const name = node.name.text;
      if (name === "DB") report(node, "the D1 binding (env.DB)");
      if ((name === "prepare" || name === "batch") && ts.isCallExpression(node.parent) && node.parent.expression === node) report(node, `.${name}(`);
    } else if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && D1_TYPES.has(node.typeName.text)) {
      report(node, `the ${node.typeName.text} type`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => relative(process.cwd(), join(e.parentPath, e.name)).split("\\").join("/"));
}

describe("no SQL outside worker/db", () => {
  it("the worker's routes, auth, http and realtime reach storage only through its interfaces", () => {
    const files = filesUnder("worker", ".ts").filter((f) => !ALLOWED.some((a) => a.test(f)));
    expect(files.length).toBeGreaterThan(40);
    expect(files.flatMap((f) => sqlOffenders(f, readFileSync(f, "utf8")))).toEqual([]);
  });

  it("names each offender in code that does its own storage (the check can fail)", () => {
    const dir = "tests/unit/architecture/fixtures/sql-outside-storage";
    const found = filesUnder(dir, ".ts.txt").flatMap((f) => sqlOffenders(f.replace(`${dir}/`, ""), readFileSync(f, "utf8")));
    expect(found).toEqual([
      // The route of worker/routes/conversation-access.ts before the storage interfaces.
      "conversation-access.ts.txt:13: the D1 binding (env.DB)",
      "inline-sql.ts.txt:4: the D1Database type",
      "inline-sql.ts.txt:5: .prepare(",
      "inline-sql.ts.txt:5: the D1 binding (env.DB)",
      "inline-sql.ts.txt:5: SQL in a string",
      "inline-sql.ts.txt:6: .batch(",
      "inline-sql.ts.txt:6: .prepare(",
      "inline-sql.ts.txt:6: SQL in a template",
      "inline-sql.ts.txt:7: SQL in a template",
    ]);
  });

  it("does not mistake prose for SQL", () => {
    expect(sqlOffenders("x.ts", 'const m = "select a device from the list, then delete from here"; // SELECT x FROM y')).toEqual([]);
  });
});
