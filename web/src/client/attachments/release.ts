/**
 * Frees the memory of a buffer its holder will not use again now, not at some later garbage collection.
 * An ArrayBuffer's contents count against its V8 isolate until it is detached or collected, and V8 starts
 * collecting them only once tens of MB have built up since the last collection: a file streamed in 64 KiB
 * chunks leaves a fresh buffer or three per chunk (docs/decisions.md "Attachment buffers freed at once").
 * ArrayBuffer.prototype.transfer(0) (ES2024; Chromium 114+) detaches the buffer and frees its contents at
 * once; where it is missing this does nothing and the collector frees them later.
 *
 * Only a view over the whole of its buffer is freed (any other view may share the buffer with bytes
 * someone still reads). The caller must own the buffer: every view of it reads as empty afterwards.
 */
export function releaseBuffer(bytes: Uint8Array): void {
  const b = bytes.buffer;
  if (!(b instanceof ArrayBuffer) || bytes.byteOffset !== 0 || bytes.byteLength !== b.byteLength) return;
  (b as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }).transfer?.(0);
}
