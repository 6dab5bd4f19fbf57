/**
 * The one byte range a `Range` header asks of a representation of `size` bytes (RFC 9110 section 14):
 * `bytes=a-b`, `bytes=a-` or the suffix `bytes=-n`, with b clipped to the end. `ignore` for no header, a
 * malformed one, another unit or several ranges (a server MAY ignore Range, section 14.2, and then sends
 * the whole representation with 200); `unsatisfiable` for a range that starts at or past the end (416).
 */
export type ByteRange = { readonly kind: "range"; readonly offset: number; readonly length: number } | { readonly kind: "ignore" } | { readonly kind: "unsatisfiable" };

const SINGLE = /^bytes=(?:(\d{1,16})-(\d{0,16})|-(\d{1,16}))$/;

export function parseByteRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return { kind: "ignore" };
  const m = SINGLE.exec(header.trim());
  if (!m) return { kind: "ignore" };
  const [, first, last, suffix] = m;
  if (suffix !== undefined) {
    const n = Number(suffix);
    // A suffix of 0 bytes selects nothing (section 14.1.3); a longer one than the blob means all of it.
    if (n === 0 || size === 0) return { kind: "unsatisfiable" };
    const length = Math.min(n, size);
    return { kind: "range", offset: size - length, length };
  }
  const start = Number(first);
  const open = last === "" || last === undefined;
  // A last position before the first makes the header invalid (section 14.1.1), so it is ignored.
  if (!open && Number(last) < start) return { kind: "ignore" };
  if (start >= size) return { kind: "unsatisfiable" };
  const end = open ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: "range", offset: start, length: end - start + 1 };
}
