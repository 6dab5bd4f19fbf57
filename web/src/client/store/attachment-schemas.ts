import { z } from "zod";
import { AttachmentId, MAX_IMAGE_SIDE, MAX_PREVIEW_BYTES, MAX_VOICE_DURATION_MS, MAX_WAVEFORM_BYTES } from "../../../../protocol/index.js";

// Pieces of the stored rows that carry an attachment's fields: a received message's (attachment-row.ts)
// and a file on its way out (upload-row.ts). Bounded like the message payload, so a row edited in the
// profile cannot make the renderer reserve a box of any size.

export const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, "must be bytes");
export const sized = (n: number) => bytes.refine((b) => b.length === n, `must be ${n} bytes`);
export const atMost = (n: number) => bytes.refine((b) => b.length <= n, `must be at most ${n} bytes`);
export const storedAttachmentId = z
  .string()
  .refine(AttachmentId.is, "must be an attachment id")
  .transform((s) => s as AttachmentId);

const side = z.number().int().min(1).max(MAX_IMAGE_SIDE);

/** The three attachment types, each with the fields only it has, over the fields all share. */
export function byAttachmentType<T extends z.ZodRawShape>(common: T) {
  return z.discriminatedUnion("type", [
    z.object({ type: z.literal("file"), ...common }),
    z.object({ type: z.literal("image"), ...common, width: side, height: side, preview: atMost(MAX_PREVIEW_BYTES) }),
    z.object({ type: z.literal("voice"), ...common, durationMs: z.number().int().min(1).max(MAX_VOICE_DURATION_MS), waveform: atMost(MAX_WAVEFORM_BYTES) }),
  ]);
}
