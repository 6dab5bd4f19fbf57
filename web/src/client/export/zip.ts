import { Zip, ZipDeflate, ZipPassThrough } from "fflate";

export interface ZipEntry {
  /** Path inside the archive ("attachments/chat/photo.jpg"). */
  readonly path: string;
  readonly data: Blob;
  /** Deflate it (text); files already compressed (photos, voice) are stored as they are. */
  readonly compress: boolean;
}

/**
 * A .zip of `entries` (fflate, streaming): each file is read in chunks from its Blob and the archive is
 * built as a list of chunks, so no single buffer holds the whole export.
 */
export async function zipFiles(entries: readonly ZipEntry[], signal?: AbortSignal): Promise<Blob> {
  const parts: Uint8Array[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const zip = new Zip((err, chunk, final) => {
      if (err) return reject(err);
      parts.push(chunk);
      if (final) resolve();
    });
    void (async () => {
      try {
        for (const e of entries) {
          signal?.throwIfAborted();
          const file = e.compress ? new ZipDeflate(e.path, { level: 6 }) : new ZipPassThrough(e.path);
          zip.add(file);
          const reader = e.data.stream().getReader();
          for (;;) {
            const { done: end, value } = await reader.read();
            if (end) break;
            file.push(value);
          }
          file.push(new Uint8Array(0), true);
        }
        zip.end();
      } catch (err) {
        zip.terminate();
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    })();
  });
  await done;
  return new Blob(parts as Uint8Array<ArrayBuffer>[], { type: "application/zip" });
}
