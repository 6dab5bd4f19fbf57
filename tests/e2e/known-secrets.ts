// What the end-to-end tests told the app in confidence (message texts, device names, passphrases,
// recovery keys, private key bytes), recorded as they go, so that the last test file can scan the
// server's storage for every one of them (zz-server-blind.test.ts). A record is one JSON line in a file
// the global setup names; appends from one test file at a time (the e2e suite runs files in sequence).
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { inject } from "vitest";

/** Shorter values could turn up in ciphertext or binary SQLite pages by chance. */
export const MIN_SECRET_BYTES = 8;

export interface KnownValue {
  readonly kind: string;
  /** UTF-8 text, or bytes as base64 (`bytes: true`). */
  readonly value: string;
  readonly bytes?: boolean;
}

function file(): string {
  return inject("knownSecretsFile");
}

function record(v: KnownValue): void {
  appendFileSync(file(), `${JSON.stringify(v)}\n`);
}

/** Something the server must never hold in the clear. Values under MIN_SECRET_BYTES are not recorded. */
export function rememberSecret(kind: string, value: string | Uint8Array): void {
  if (typeof value === "string") {
    if (Buffer.byteLength(value, "utf8") >= MIN_SECRET_BYTES) record({ kind, value });
  } else if (value.length >= MIN_SECRET_BYTES) {
    record({ kind, value: Buffer.from(value).toString("base64"), bytes: true });
  }
}

/**
 * Something the server must hold (a username; bytes of an attachment's ciphertext, which only R2 holds):
 * proves the scan reads what the server stored, R2's object bytes included.
 */
export function rememberPublic(value: string | Uint8Array): void {
  record(typeof value === "string" ? { kind: "public", value } : { kind: "public", value: Buffer.from(value).toString("base64"), bytes: true });
}

export function knownValues(path = file()): KnownValue[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as KnownValue);
}

export function needleOf(v: KnownValue): Buffer {
  return v.bytes ? Buffer.from(v.value, "base64") : Buffer.from(v.value, "utf8");
}

/** Where the recorded secrets (not the public values) occur in `files`, one line per hit. */
export function secretHits(files: readonly { path: string; bytes: Buffer }[], values: readonly KnownValue[] = knownValues()): string[] {
  return values
    .filter((v) => v.kind !== "public")
    .flatMap((v) => files.filter((f) => f.bytes.includes(needleOf(v))).map((f) => `${v.kind} ${JSON.stringify(v.value.slice(0, 40))} in ${f.path}`));
}
