import { fail } from "./errors.js";
import { fromUtf8, utf8 } from "./bytes.js";

/**
 * Binary writer for every wire format and signing input: big-endian integers, fixed-size byte fields,
 * and u32-length-prefixed variable fields. See docs/PROTOCOL.md "Encoding".
 */
export class Writer {
  private readonly parts: Uint8Array[] = [];

  u8(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new RangeError("u8 out of range");
    this.parts.push(Uint8Array.of(n));
    return this;
  }

  u16(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError("u16 out of range");
    this.parts.push(Uint8Array.of(n >>> 8, n & 0xff));
    return this;
  }

  u32(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError("u32 out of range");
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    this.parts.push(b);
    return this;
  }

  /** Unsigned 64-bit, limited to safe integers (timestamps in milliseconds). */
  u64(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError("u64 out of range");
    const b = new Uint8Array(8);
    const view = new DataView(b.buffer);
    view.setUint32(0, Math.floor(n / 2 ** 32));
    view.setUint32(4, n >>> 0);
    this.parts.push(b);
    return this;
  }

  /** A field whose size the format fixes; the length is checked, not written. */
  fixed(bytes: Uint8Array, size: number): this {
    if (bytes.length !== size) throw new RangeError(`fixed field must be ${size} bytes, got ${bytes.length}`);
    this.parts.push(bytes);
    return this;
  }

  /** A variable field: u32 length, then the bytes. */
  vbytes(bytes: Uint8Array): this {
    this.u32(bytes.length);
    this.parts.push(bytes);
    return this;
  }

  str(text: string): this {
    return this.vbytes(utf8(text));
  }

  finish(): Uint8Array {
    let length = 0;
    for (const p of this.parts) length += p.length;
    const out = new Uint8Array(length);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
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
