import { fail } from "./errors.js";
import { fromUtf8, utf8 } from "./bytes.js";

/**
 * Binary writer for every wire format and signing input: big-endian integers, fixed-size byte fields,
 * and u32-length-prefixed variable fields. See docs/PROTOCOL.md "Encoding".
 */
export class Writer {
  /** One growing buffer written in place: a field costs no allocation of its own (issue 23, per-send cost). */
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private len = 0;

  /** Reserves `n` bytes and returns where they start. Call before reading `buf` or `view`: it may replace them. */
  private room(n: number): number {
    const at = this.len;
    if (at + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < at + n) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.buf.subarray(0, at));
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    }
    this.len = at + n;
    return at;
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
    this.view.setUint16(at, n);
    return this;
  }

  u32(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError("u32 out of range");
    const at = this.room(4);
    this.view.setUint32(at, n);
    return this;
  }

  /** Unsigned 64-bit, limited to safe integers (timestamps in milliseconds). */
  u64(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError("u64 out of range");
    const at = this.room(8);
    this.view.setUint32(at, Math.floor(n / 2 ** 32));
    this.view.setUint32(at + 4, n >>> 0);
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

  /** The bytes written, as a new array of exactly that length (the writer may be used no further). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
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

  private take(n: number, field: string): Uint8Array {
    if (this.off + n > this.buf.length) fail("malformed", `${this.what}: truncated at ${field}`);
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }

  u8(field: string): number {
    return this.take(1, field)[0]!;
  }

  u16(field: string): number {
    const b = this.take(2, field);
    return (b[0]! << 8) | b[1]!;
  }

  u32(field: string): number {
    const b = this.take(4, field);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
  }

  u64(field: string): number {
    const b = this.take(8, field);
    const view = new DataView(b.buffer, b.byteOffset, 8);
    const hi = view.getUint32(0);
    if (hi > 0x1fffff) fail("out_of_bounds", `${this.what}: ${field} exceeds 2^53`);
    return hi * 2 ** 32 + view.getUint32(4);
  }

  /** A copy, so decoded values never alias the input buffer. */
  fixed(size: number, field: string): Uint8Array {
    return this.take(size, field).slice();
  }

  vbytes(min: number, max: number, field: string): Uint8Array {
    const n = this.u32(field);
    if (n < min || n > max) fail("out_of_bounds", `${this.what}: ${field} length ${n} not in [${min}, ${max}]`);
    return this.take(n, field).slice();
  }

  str(maxBytes: number, field: string): string {
    return fromUtf8(this.vbytes(0, maxBytes, field));
  }

  /** Bytes from `start` to the current offset: the exact encoding a signature or hash covers. */
  span(start: number): Uint8Array {
    return this.buf.slice(start, this.off);
  }

  end(): void {
    if (this.off !== this.buf.length) fail("malformed", `${this.what}: ${this.buf.length - this.off} trailing bytes`);
  }
}
