/**
 * Typed, parsed reads and writes of the files being sent (store/upload-row.ts; db.ts version 8). An
 * upload's row and its file are written together and deleted together.
 */
import type { ConversationId } from "../../../../protocol/index.js";
import type { SealedDb } from "./db.js";
import { parseRow, parseRows } from "./rows.js";
import { uploadFileRow, uploadRow, type UploadRow } from "./upload-row.js";

export async function getUpload(db: SealedDb, id: string): Promise<UploadRow | undefined> {
  const r = await db.uploads.get(id);
  return r === undefined ? undefined : parseRow(uploadRow, "uploads", r);
}

/** The file of an upload, or undefined once the upload is gone (sent or cancelled). */
export async function getUploadFile(db: SealedDb, id: string): Promise<Blob | undefined> {
  const r = await db.uploadFiles.get(id);
  return r === undefined ? undefined : parseRow(uploadFileRow, "uploadFiles", r).file;
}

/** A conversation's uploads, oldest first. */
export async function listUploads(db: SealedDb, conversationId: ConversationId): Promise<UploadRow[]> {
  const rows = parseRows(uploadRow, "uploads", await db.uploads.where("conversationId").equals(conversationId).toArray());
  return rows.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/** Every upload in one of `states`, oldest first (what a runner picks up). */
export async function listUploadsIn(db: SealedDb, states: readonly UploadRow["state"][]): Promise<UploadRow[]> {
  const rows = parseRows(uploadRow, "uploads", await db.uploads.where("state").anyOf([...states]).toArray());
  return rows.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/** Stores a new upload with its file, in one transaction. */
export async function addUpload(db: SealedDb, row: UploadRow, file: Blob): Promise<void> {
  const checked = parseRow(uploadRow, "uploads", row);
  const f = parseRow(uploadFileRow, "uploadFiles", { id: row.id, file });
  await db.transaction("rw", [db.uploads, db.uploadFiles], async () => {
    await db.uploads.add(checked);
    await db.uploadFiles.put(f);
  });
}

/**
 * Changes fields of an upload that still exists; false when it is gone (cancelled, or sealed by another
 * tab), which is how a running upload learns to stop. Never brings a deleted row back.
 */
export async function patchUpload(db: SealedDb, id: string, patch: Partial<Pick<UploadRow, "attachmentId" | "sentBytes" | "state" | "error">>): Promise<boolean> {
  return db.transaction("rw", db.uploads, async () => {
    const cur = await getUpload(db, id);
    if (!cur) return false;
    const next: Record<string, unknown> = { ...cur, ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete next[k];
    await db.uploads.put(parseRow(uploadRow, "uploads", next));
    return true;
  });
}

/** Deletes an upload and its file. Call inside a transaction over both tables, or alone. */
export async function deleteUpload(db: SealedDb, id: string): Promise<void> {
  await db.transaction("rw", [db.uploads, db.uploadFiles], async () => {
    await db.uploads.delete(id);
    await db.uploadFiles.delete(id);
  });
}
