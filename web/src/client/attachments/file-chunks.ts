/**
 * A file read for encryption in whole chunk-sized buffers (docs/decisions.md "Sending a large file in
 * bounded memory"). `blob.stream()` hands out slices of its own size (2 MiB for a file on disk in Chromium
 * 156), which the encryptor can only cut into views and copy, so every slice became garbage for the
 * collector. Read with a BYOB reader instead, each buffer is exactly one plaintext chunk and the whole of
 * its ArrayBuffer: the encryptor moves it to a chunk worker as it is, the worker hands it back, and the
 * stream frees it (chunk-port.ts), so the file leaves nothing behind.
 *
 * Where the blob's stream has no BYOB reader (not a byte stream), the stream is returned as it is.
 */
import { ATTACHMENT_CHUNK_BYTES } from "../../../../protocol/index.js";
import { releaseBuffer } from "./release.js";

type Transferable = ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };

export function fileChunks(blob: Blob, chunkBytes: number = ATTACHMENT_CHUNK_BYTES): ReadableStream<Uint8Array> {
  const source = blob.stream();
  let reader: ReadableStreamBYOBReader;
  try {
    reader = source.getReader({ mode: "byob" });
  } catch {
    return source;
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let buffer = new ArrayBuffer(chunkBytes);
        let filled = 0;
        // A read may fill part of the buffer (the file arrives in pieces): read on into the rest of it.
        while (filled < chunkBytes) {
          const { done, value } = await reader.read(new Uint8Array(buffer, filled, chunkBytes - filled));
          // Undefined only once the file's stream was cancelled, which only this stream's cancel does.
          if (!value) return;
          buffer = value.buffer as ArrayBuffer;
          if (done) break;
          filled += value.length;
        }
        if (filled === 0) {
          releaseBuffer(new Uint8Array(buffer));
          return controller.close();
        }
        if (filled === chunkBytes) return controller.enqueue(new Uint8Array(buffer));
        // The file ended: its last, shorter chunk in a buffer of its own length (transfer moves the bytes).
        const b = buffer as Transferable;
        controller.enqueue(new Uint8Array(b.transfer ? b.transfer(filled) : b.slice(0, filled)));
        controller.close();
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
