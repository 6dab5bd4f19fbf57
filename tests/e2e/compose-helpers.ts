// Putting files into the composer the ways people do (issue 18): the attach button's file picker, a paste,
// a drag and drop onto the chat. Paste and drop are dispatched in the page with a real DataTransfer holding
// real File objects, as the browser does for the person.
import type { Page } from "playwright-core";

/** A file as the tests hand it to the page. */
export interface TestFile {
  readonly name: string;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
}

/** A file of `size` bytes whose content is a recognisable pattern. */
export function patternFile(name: string, size: number, mimeType = "application/octet-stream"): TestFile {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return { name, mimeType, bytes };
}

/** A real JPEG of `width` x `height` drawn by the browser (a photo as far as the sender's code can tell). */
export async function jpegFile(page: Page, name: string, width = 640, height = 480): Promise<TestFile> {
  const bytes = await page.evaluate(
    async ([w, h]) => {
      const canvas = new OffscreenCanvas(w, h);
      const g = canvas.getContext("2d")!;
      g.fillStyle = "#2a7";
      g.fillRect(0, 0, w, h);
      g.fillStyle = "#fc3";
      g.fillRect(w / 4, h / 4, w / 2, h / 2);
      return [...new Uint8Array(await (await canvas.convertToBlob({ type: "image/jpeg", quality: 0.9 })).arrayBuffer())];
    },
    [width, height] as const,
  );
  return { name, mimeType: "image/jpeg", bytes: Uint8Array.from(bytes) };
}

/** Chooses `files` with the attach button's hidden file input (what the picker does). */
export async function attachViaPicker(page: Page, files: readonly TestFile[]): Promise<void> {
  await page.getByTestId("attach-input").setInputFiles(files.map((f) => ({ name: f.name, mimeType: f.mimeType, buffer: Buffer.from(f.bytes) })));
}

type Wire = { name: string; mimeType: string; bytes: number[] };
const wire = (files: readonly TestFile[]): Wire[] => files.map((f) => ({ name: f.name, mimeType: f.mimeType, bytes: [...f.bytes] }));

/** Pastes `files` into the composer's text box (a ClipboardEvent carrying them). */
export async function pasteFiles(page: Page, files: readonly TestFile[]): Promise<void> {
  await page.getByTestId("composer").evaluate((box, list: Wire[]) => {
    const data = new DataTransfer();
    for (const f of list) data.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.mimeType }));
    box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true, composed: true }));
  }, wire(files));
}

/**
 * Drags `files` over the chat (dragenter, dragover on the chat's title), then, unless `drop` is false,
 * drops them. Returns whether the page took the drag (dragover's default prevented, as a drop target does).
 */
export async function dragFilesOverChat(page: Page, files: readonly TestFile[], drop = true): Promise<boolean> {
  return page.getByTestId("chat-title").evaluate(
    (target, [list, doDrop]: [Wire[], boolean]) => {
      const data = new DataTransfer();
      for (const f of list) data.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.mimeType }));
      const fire = (type: string) => target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true, composed: true }));
      fire("dragenter");
      const taken = !fire("dragover");
      if (doDrop) fire("drop");
      return taken;
    },
    [wire(files), drop] as [Wire[], boolean],
  );
}

/** Names of the attachment bubbles in the open chat: a file's name, "photo" or "voice" for the others. */
export function attachmentKinds(page: Page): Promise<string[]> {
  return page.getByTestId("attachment").evaluateAll((els) =>
    els.map((el) => {
      const root = el.shadowRoot ?? el;
      const name = root.querySelector("[data-testid=attachment-name]")?.textContent;
      if (name) return name;
      if (root.querySelector("[data-testid=attachment-image]")) return "photo";
      if (root.querySelector("[data-testid=attachment-voice]")) return "voice";
      return "?";
    }),
  );
}

/** The voice upload rows stored on this device (store table `uploads`): their measured duration and waveform. */
export function storedVoiceUploads(page: Page): Promise<{ durationMs: number; waveform: number[]; mimeType: string }[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open("sealed");
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const rows = await new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
      const r = db.transaction("uploads").objectStore("uploads").getAll();
      r.onsuccess = () => resolve(r.result as Array<Record<string, unknown>>);
      r.onerror = () => reject(r.error);
    });
    db.close();
    return rows
      .filter((row) => row["type"] === "voice")
      .map((row) => ({ durationMs: Number(row["durationMs"]), waveform: [...(row["waveform"] as Uint8Array)], mimeType: String(row["mimeType"]) }));
  });
}
