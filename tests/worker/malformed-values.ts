import { toBase64url } from "../../protocol/bytes.js";

/**
 * Deterministic bad values for the malformed-request suite: a seeded generator (so a failure replays)
 * and, per kind of field, values the API must refuse. Each generator returns only values that are
 * invalid for that field, so a request built from them can never legitimately succeed.
 */

/** mulberry32: small, fast and good enough to spread cases; the seed makes every run the same. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from nothing");
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** Characters that have tripped parsers and displays: lone surrogates, NUL, bidi overrides, zero-width, homoglyphs. */
export const ODD_TEXT = [
  "\ud800", // lone high surrogate
  "\udfff", // lone low surrogate
  "\udc00\ud800", // reversed pair
  "\u0000", // NUL
  "\u202e", // RIGHT-TO-LEFT OVERRIDE
  "\u2066", // LEFT-TO-RIGHT ISOLATE
  "\u200b", // ZERO WIDTH SPACE
  "\ufeff", // BOM / zero-width no-break space
  "\u0301", // combining acute accent
  "\u0430", // Cyrillic a, looks like Latin a
  "\uff21", // fullwidth A
  "\u{1f600}", // emoji, outside the BMP
  "\u00a0", // no-break space
  "\r\n", // CRLF
  "\\", // backslash
  '"', // quote
  "%00", // percent-encoded NUL as text
  "\u2028", // LINE SEPARATOR
];

/** What a string field holds: bytes as base64url within bounds, a username, a link side, or a count. */
export type FieldKind =
  | { readonly kind: "bytes"; readonly min: number; readonly max: number; readonly randomIsRefused: boolean; readonly real?: Uint8Array }
  | { readonly kind: "username" }
  | { readonly kind: "side" }
  | { readonly kind: "count" };

/** JSON values of the wrong type for any field (strings excluded: those are per kind). */
export const WRONG_TYPES: readonly unknown[] = [null, true, false, 0, 1, -1, 1.5, 1e308, [], {}, [[]], { nested: {} }];

/** WRONG_TYPES less those a field of this kind accepts (a count takes 0 and 1). */
export function wrongTypesFor(f: FieldKind): readonly unknown[] {
  return f.kind === "count" ? [...WRONG_TYPES.filter((v) => v !== 0 && v !== 1), "12"] : [...WRONG_TYPES, 12];
}

function insertAt(text: string, at: number, piece: string): string {
  return text.slice(0, at) + piece + text.slice(at);
}

/** A valid base64url string of `n` random bytes (a starting point for corruption). */
function validB64(rng: Rng, n: number): string {
  return toBase64url(rng.bytes(n));
}

const B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * A refused value and what refuses it: the request schema (400 invalid_body naming the field, or 413 for
 * an oversized field) or, for well-formed bytes that mean nothing, a later check (any 4xx).
 */
export interface BadValue {
  readonly value: unknown;
  readonly refusedBy: "schema" | "content";
}

/** Base64url strings that are not the encoding of min..max bytes, or well-formed ones the server cannot accept. */
function badBytes(rng: Rng, f: Extract<FieldKind, { kind: "bytes" }>): unknown {
  const n = Math.max(1, Math.min(f.max, f.min + rng.int(Math.min(f.max - f.min + 1, 64))));
  const good = validB64(rng, n);
  const choice = rng.int(f.real ? 13 : 10);
  switch (choice) {
    case 0:
      return good + rng.pick(["=", "==", "==="]); // padding
    case 1:
      return insertAt(good, rng.int(good.length), rng.pick(["+", "/", ".", "*", "~"])); // another alphabet
    case 2:
      return insertAt(good, rng.int(good.length + 1), rng.pick([" ", "\n", "\t", "\r"])); // whitespace
    case 3: {
      // Non-canonical trailing bits: a last character whose unused low bits are set.
      const odd = good.length % 4 === 0 ? validB64(rng, n + 1) : good;
      const last = B64_ALPHABET.indexOf(odd.at(-1)!);
      return odd.slice(0, -1) + B64_ALPHABET[last | 1];
    }
    case 4:
      return good + rng.pick(["A", "Q", "-"]).repeat(good.length % 4 === 0 ? 1 : 5 - (good.length % 4)); // impossible length
    case 5:
      // Out of bounds: one byte short of the minimum, or one over the maximum.
      if (rng.int(2) === 0) return f.min > 1 ? validB64(rng, f.min - 1) : "";
      return toBase64url(new Uint8Array(f.max + 1));
    case 6:
      return insertAt(good, rng.int(good.length + 1), rng.pick(ODD_TEXT)); // unicode oddity inside
    case 7:
      return rng.pick(ODD_TEXT).repeat(1 + rng.int(4)); // nothing but oddities
    case 8:
      return rng.pick(WRONG_TYPES);
    case 9:
      return f.randomIsRefused ? CONTENT(validB64(rng, n)) : good + "!"; // well-formed, meaningless bytes (refused later)
    default:
      return CONTENT(tamper(rng, f.real!));
  }
}

/**
 * A real signed structure with one defect: a flipped bit (anywhere, or in the signature at the end), an
 * unknown version byte, or cut short or extended. Every format refuses all of these (docs/PROTOCOL.md).
 */
export function tamper(rng: Rng, real: Uint8Array): string {
  const b = real.slice();
  switch (rng.int(5)) {
    case 0: {
      const i = rng.int(b.length);
      b[i]! ^= 1 << rng.int(8);
      return toBase64url(b);
    }
    case 1: {
      const i = b.length - 1 - rng.int(Math.min(64, b.length));
      b[i]! ^= 1 << rng.int(8);
      return toBase64url(b);
    }
    case 2:
      b[0] = rng.pick([0, 2, 3, 0x7f, 0xff]); // an unknown version
      return toBase64url(b);
    case 3:
      return toBase64url(b.slice(0, rng.int(b.length))); // truncated
    default: {
      const out = new Uint8Array(b.length + 1 + rng.int(16));
      out.set(b);
      out.set(rng.bytes(out.length - b.length), b.length);
      return toBase64url(out); // extended
    }
  }
}

const BAD_USERNAMES = [
  "",
  "ab",
  "a".repeat(33),
  "Alice",
  "ALICE",
  "1alice",
  "_alice",
  ".alice",
  "al ice",
  "al-ice",
  "alice!",
  "al@ice",
  "alice/..",
  "x".repeat(100_000),
];

function badUsername(rng: Rng): unknown {
  switch (rng.int(4)) {
    case 0:
      return rng.pick(BAD_USERNAMES);
    case 1:
      return insertAt("alice_" + rng.int(1000), rng.int(7), rng.pick(ODD_TEXT));
    case 2:
      return rng.pick(ODD_TEXT) + "alice";
    default:
      return rng.pick(WRONG_TYPES);
  }
}

const BAD_SIDES: readonly unknown[] = ["", "NEW", "New", "new ", " new", "newer", "existin", "ne\u0000w", "n\u0435w", "existing\u202e", "both", 0, 1, null, ["new"], { new: true }];
const BAD_COUNTS: readonly unknown[] = [-1, -1e9, 1.5, 0.0001, 1e300, 2 ** 53 + 2, -(2 ** 60), "0", "123", "1e3", "", null, true, [], {}, [1]];

/** A value the field must refuse. */
export function badValue(rng: Rng, f: FieldKind): BadValue {
  switch (f.kind) {
    case "bytes": {
      const v = badBytes(rng, f);
      return v instanceof Content ? { value: v.text, refusedBy: "content" } : { value: v, refusedBy: "schema" };
    }
    case "username":
      return { value: badUsername(rng), refusedBy: "schema" };
    case "side":
      return { value: rng.pick(BAD_SIDES), refusedBy: "schema" };
    case "count":
      return { value: rng.pick(BAD_COUNTS), refusedBy: "schema" };
  }
}

/** Marks a well-formed string that only a check after the schema can refuse. */
class Content {
  constructor(readonly text: string) {}
}
const CONTENT = (text: string) => new Content(text);
