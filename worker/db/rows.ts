import { z } from "zod";
import { CorruptRow } from "../errors.js";

/**
 * D1 rows pass a schema like any other input (STYLE.md rule 3): a row that does not match is a server
 * fault, reported as such rather than used.
 */

/**
 * A BLOB column. D1 returns BLOBs as arrays of byte numbers (ArrayBuffer in some versions); only the
 * container is checked, since D1 itself produced the bytes and a per-element check costs O(size).
 */
export const blob = z
  .custom<number[] | ArrayBuffer>((v) => Array.isArray(v) || v instanceof ArrayBuffer, "expected a BLOB")
  .transform((v) => (v instanceof ArrayBuffer ? new Uint8Array(v) : Uint8Array.from(v)));

export const int = z.number().int();

/** The row parsed by `schema`, or CorruptRow naming `table`. Same argument order as the client's parseRow. */
export function parseRow<S extends z.ZodType>(schema: S, table: string, row: unknown): z.output<S> {
  const parsed = schema.safeParse(row);
  if (!parsed.success) throw new CorruptRow(`${table}: ${parsed.error.issues[0]?.message ?? "bad row"}`, { cause: parsed.error });
  return parsed.data;
}

export function parseRows<S extends z.ZodType>(schema: S, table: string, rows: readonly unknown[]): z.output<S>[] {
  return rows.map((r) => parseRow(schema, table, r));
}

/** D1 reports constraint failures only in the message, e.g. "UNIQUE constraint failed: accounts.username". */
export function isUniqueViolation(e: unknown, column: string): boolean {
  return e instanceof Error && e.message.includes("UNIQUE constraint failed") && e.message.includes(column);
}
