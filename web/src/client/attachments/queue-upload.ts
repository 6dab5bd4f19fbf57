/**
 * Storing, cancelling and retrying uploads (the rows of store/upload-row.ts). The runner (upload.ts)
 * does the network work; these only change rows, so they work offline and at once.
 */
import { encryptedSize, generateAttachmentKey, toBase64url, type ConversationId } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { requireConversation } from "../conversations/conversations.js";
import { ClientError } from "../errors.js";
import type { UploadRow } from "../store/upload-row.js";
import { addUpload, deleteUpload, getUpload, patchUpload } from "../store/uploads.js";
import type { OutgoingFile } from "./outgoing.js";
import { prepareOutgoing } from "./prepare.js";

/** Prepares `f` and stores it as a queued upload of `conversationId`; returns its id. */
export async function queueUpload(ctx: ClientContext, conversationId: ConversationId, f: OutgoingFile): Promise<string> {
  await requireConversation(ctx, conversationId);
  const p = await prepareOutgoing(f);
  const id = toBase64url(ctx.env.randomBytes(16));
  const common = {
    id,
    conversationId,
    createdAt: ctx.now(),
    name: p.name,
    mimeType: p.mimeType,
    caption: p.caption,
    size: p.file.size,
    key: generateAttachmentKey(ctx.env),
    sentBytes: 0,
    totalBytes: encryptedSize(p.file.size),
    state: "queued" as const,
  };
  const row: UploadRow =
    p.type === "image"
      ? { ...common, type: "image", width: p.width, height: p.height, preview: p.preview }
      : p.type === "voice"
        ? { ...common, type: "voice", durationMs: p.durationMs, waveform: p.waveform }
        : { ...common, type: "file" };
  await addUpload(ctx.db, row, p.file);
  return id;
}

/**
 * Forgets an upload on this device (a runner, in this tab or another, stops at its next step when it
 * finds the row gone) and deletes the server's copy, best effort: an upload never attached expires on
 * the server within 24 hours anyway.
 */
export async function cancelUpload(ctx: ClientContext, uploadId: string): Promise<void> {
  const row = await getUpload(ctx.db, uploadId);
  if (!row) return;
  await deleteUpload(ctx.db, uploadId);
  if (row.attachmentId) await ctx.api.deleteAttachment(row.attachmentId).catch((e: unknown) => console.warn("could not delete a cancelled upload on the server:", e));
}

/** A failed upload back to queued (the runner picks it up). */
export async function retryUpload(ctx: ClientContext, uploadId: string): Promise<void> {
  const row = await getUpload(ctx.db, uploadId);
  if (!row) throw new ClientError("unknown_upload", "no such upload on this device");
  if (row.state !== "failed") return;
  await patchUpload(ctx.db, uploadId, { state: "queued", error: undefined });
}
