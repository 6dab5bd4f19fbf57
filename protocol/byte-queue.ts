/** What a used-up slice's place holds. */
const EMPTY = new Uint8Array(0);

/**
 * A FIFO of bytes fed in arbitrary slices (as a network stream delivers them) and read in fixed-size
 * pieces. Slices are kept as given (not copied: the caller hands them over, as a stream's chunks are)
 * and copied at most once, when a piece that spans slices is taken (a piece inside one slice is returned
 * as a view of it), so feeding n bytes in any slicing costs O(n), not the O(n^2) of concatenating on
 * every push.
 */
export class ByteQueue {
  private slices: Uint8Array[] = [];
  /** Index of the first slice still holding queued bytes, and how much of it was already taken. */
  private first = 0;
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.slices.push(bytes);
    this.size += bytes.length;
  }

  /**
   * Removes and returns the first `n` bytes (n <= length): a view of the slice they were given in when
   * they lie in one (no copy; the queue keeps no other use of those bytes), else one array from `alloc`
   * (by default a new one; a caller may hand out a buffer of its own to reuse) filled with them.
   */
  take(n: number, alloc: (n: number) => Uint8Array = (m) => new Uint8Array(m)): Uint8Array {
    if (!Number.isInteger(n) || n < 0 || n > this.size) throw new RangeError(`take(${n}) from ${this.size} queued bytes`);
    const current = this.slices[this.first];
    if (current !== undefined && current.length - this.head >= n) {
      const view = current.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === current.length) this.next();
      this.size -= n;
      this.compact();
      return view;
    }
    const out = alloc(n);
    if (out.length !== n) throw new RangeError(`take(${n}) was given a buffer of ${out.length} bytes`);
    let filled = 0;
    while (filled < n) {
      const slice = this.slices[this.first]!;
      const part = Math.min(n - filled, slice.length - this.head);
      out.set(slice.subarray(this.head, this.head + part), filled);
      filled += part;
      this.head += part;
      if (this.head === slice.length) this.next();
    }
    this.size -= n;
    this.compact();
    return out;
  }

  /**
   * The first slice is used up: forget it at once (a 2 MiB file slice kept until the next compaction held
   * 64 of them, 128 MiB, while a large file was sent; docs/decisions.md "Sending a large file in bounded
   * memory").
   */
  private next(): void {
    this.slices[this.first] = EMPTY;
    this.first++;
    this.head = 0;
  }

  /** Shortens the list of slices now and then, so its length follows what is queued, not what was ever pushed. */
  private compact(): void {
    if (this.first > 64 && this.first * 2 > this.slices.length) {
      this.slices = this.slices.slice(this.first);
      this.first = 0;
    }
  }
}
