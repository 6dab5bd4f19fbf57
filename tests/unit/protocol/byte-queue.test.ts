import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteQueue } from "../../../protocol/byte-queue.js";

describe("ByteQueue", () => {
  it("returns the bytes in order for any slicing in and any piece sizes out", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 300 }), fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 400 }), (slices, takes) => {
        const q = new ByteQueue();
        const all: number[] = [];
        for (const s of slices) {
          q.push(s);
          all.push(...s);
        }
        const out: number[] = [];
        for (const t of takes) {
          const n = Math.min(t, q.length);
          out.push(...q.take(n));
        }
        out.push(...q.take(q.length));
        expect(out).toEqual(all);
        expect(q.length).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("lets go of each slice once its last byte is taken, not at a later compaction", () => {
    // What it still references (a private field, read here because what it holds is the point: a sender's
    // 2 MiB file slices were all kept until 64 had piled up).
    const held = (q: ByteQueue) => (q as unknown as { slices: Uint8Array[] }).slices.filter((s) => s.length > 0);
    const q = new ByteQueue();
    const slices = Array.from({ length: 10 }, (_, i) => new Uint8Array(100).fill(i));
    for (const s of slices) q.push(s);
    q.take(250); // slices 0 and 1 used up, 2 half taken (a copy spanning them)
    expect(held(q)).toEqual(slices.slice(2));
    q.take(50); // slice 2 used up by a view
    expect(held(q)).toEqual(slices.slice(3));
    q.take(q.length);
    expect(held(q)).toEqual([]);
  });

  it("returns a piece inside one slice as a view of it, and one that spans slices as a copy", () => {
    const q = new ByteQueue();
    const a = Uint8Array.of(1, 2, 3, 4);
    q.push(a);
    q.push(Uint8Array.of(5, 6));
    const first = q.take(3);
    expect(first.buffer).toBe(a.buffer);
    expect([...first]).toEqual([1, 2, 3]);
    const spanning = q.take(2);
    expect(spanning.buffer).not.toBe(a.buffer);
    expect([...spanning]).toEqual([4, 5]);
    expect([...q.take(1)]).toEqual([6]);
  });

  it("refuses to take more than it holds", () => {
    const q = new ByteQueue();
    q.push(Uint8Array.of(1, 2));
    expect(() => q.take(3)).toThrow(RangeError);
    expect([...q.take(2)]).toEqual([1, 2]);
  });
});
