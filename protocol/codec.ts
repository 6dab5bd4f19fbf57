import { fail } from "./errors.js";
import { fromUtf8, utf8 } from "./bytes.js";

/**
 * Binary writer for every wire format and signing input: big-endian integers, fixed-size byte fields,
 * and u32-length-prefixed variable fields. See docs/PROTOCOL.md "Encoding".
 */
export class Writer {
  /**
   * One growing buffer written in place: a field costs no allocation of its own (issue 23, per-send cost).
   * Give `capacity` when the encoding's size is known: finish() then hands back this buffer itself, so the
   * encoding costs one allocation (in Chromium each typed array over 64 bytes costs 1.5 to 2 µs). Give a
   * zeroed array instead to write into it (it is replaced only if the writing outgrows it).
   */
  private buf: Uint8Array;
  private len = 0;

  constructor(capacity: number | Uint8Array = 256) {
    this.buf = typeof capacity === "number" ? new Uint8Array(capacity) : capacity;
  }

  /** Reserves `n` bytes and returns where they start. Call before reading `buf`: it may replace it. */
  private room(n: number): number {
    const at = this.len;
    if (at + n > this.buf.length) {
      let size = Math.max(this.buf.length * 2, 16);
      while (size < at + n) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.buf.subarray(0, at));
      this.buf = grown;
    }
    this.len = at + n;
    return at;
  }

  /** Big-endian, by shifts: no DataView to allocate. */
  private put32(at: number, n: number): void {
    const b = this.buf;
    b[at] = n >>> 24;
    b[at + 1] = (n >>> 16) & 0xff;
    b[at + 2] = (n >>> 8) & 0xff;
    b[at + 3] = n & 0xff;
  }

  u8(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new RangeError("u8 out of range");
    const at = this.room(1);
    this.buf[at] = n;
    return this;
  }

  u16(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError("u16 out of range");
    const at = this.room(2);
    this.buf[at] = n >>> 8;
    this.buf[at + 1] = n & 0xff;
    return this;
  }

  u32(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError("u32 out of range");
    this.put32(this.room(4), n);
    return this;
  }

  /** Unsigned 64-bit, limited to safe integers (timestamps in milliseconds). */
  u64(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError("u64 out of range");
    const at = this.room(8);
    this.put32(at, Math.floor(n / 2 ** 32));
    this.put32(at + 4, n >>> 0);
    return this;
  }

  /** A field whose size the format fixes; the length is checked, not written. */
  fixed(bytes: Uint8Array, size: number): this {
    if (bytes.length !== size) throw new RangeError(`fixed field must be ${size} bytes, got ${bytes.length}`);
    const at = this.room(bytes.length);
    this.buf.set(bytes, at);
    return this;
  }

  /** A variable field: u32 length, then the bytes. */
  vbytes(bytes: Uint8Array): this {
    this.u32(bytes.length);
    const at = this.room(bytes.length);
    this.buf.set(bytes, at);
    return this;
  }

  str(text: string): this {
    return this.vbytes(utf8(text));
  }

  /** `n` bytes left as they are (zeros) for the caller to fill in the finished buffer: a part known only later. */
  skip(n: number): this {
    if (!Number.isInteger(n) || n < 0) throw new RangeError("skip out of range");
    this.room(n);
    return this;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  /**
   * The bytes written, as an array of exactly that length (the writer may be used no further): the
   * buffer itself when it is full (the capacity was exact), else a copy of the written part.
   */
  finish(): Uint8Array {
    return this.len === this.buf.length ? this.buf : this.buf.slice(0, this.len);
  }
}

/** Big-endian u32 at `at` (in bounds: the caller checked), without a DataView. */
function get32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Strict reader: every read is bounded, and `end()` refuses trailing bytes. Errors name the format. */
export class Reader {
  private off = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {}

  get offset(): number {
    return this.off;
  }

  /** Checks that `n` more bytes are there, moves past them and returns where they start (no view made). */
  private skip(n: number, field: string): number {
    const at = this.off;
    if (at + n > this.buf.length) fail("malformed", `${this.what}: truncated at ${field}`);
    this.off = at + n;
    return at;
  }

  private take(n: number, field: string): Uint8Array {
    const at = this.skip(n, field);
    return this.buf.subarray(at, at + n);
  }

  u8(field: string): number {
    return this.buf[this.skip(1, field)]!;
  }

  u16(field: string): number {
    const at = this.skip(2, field);
    return (this.buf[at]! << 8) | this.buf[at + 1]!;
  }

  u32(field: string): number {
    return get32(this.buf, this.skip(4, field));
  }

  u64(field: string): number {
    const at = this.skip(8, field);
    const hi = get32(this.buf, at);
    if (hi > 0x1fffff) fail("out_of_bounds", `${this.what}: ${field} exceeds 2^53`);
    return hi * 2 ** 32 + get32(this.buf, at + 4);
  }

  /** A copy, so decoded values never alias the input buffer. */
  fixed(size: number, field: string): Uint8Array {
    const at = this.skip(size, field);
    return this.buf.slice(at, at + size);
  }

  vbytes(min: number, max: number, field: string): Uint8Array {
    const n = this.u32(field);
    if (n < min || n > max) fail("out_of_bounds", `${this.what}: ${field} length ${n} not in [${min}, ${max}]`);
    const at = this.skip(n, field);
    return this.buf.slice(at, at + n);
  }

  /**
   * A view of a fixed field, not a copy: only for callers that own the buffer read (a private copy) or
   * consume the bytes at once (text decoding).
   */
  fixedView(size: number, field: string): Uint8Array {
    return this.take(size, field);
  }

  /** vbytes as a view, not a copy: the same bounds, with the caveat of fixedView. */
  vbytesView(min: number, max: number, field: string): Uint8Array {
    const n = this.u32(field);
    if (n < min || n > max) fail("out_of_bounds", `${this.what}: ${field} length ${n} not in [${min}, ${max}]`);
    return this.take(n, field);
  }

  str(maxBytes: number, field: string): string {
    return fromUtf8(this.vbytesView(0, maxBytes, field));
  }

  /** Bytes from `start` to the current offset: the exact encoding a signature or hash covers. */
  span(start: number): Uint8Array {
    return this.buf.slice(start, this.off);
  }

  end(): void {
    if (this.off !== this.buf.length) fail("malformed", `${this.what}: ${this.buf.length - this.off} trailing bytes`);
  }
}
