import { z } from "zod";
import {
  ATTACHMENT_DIGEST_BYTES,
  ATTACHMENT_KEY_BYTES,
  MAX_ATTACHMENT_PLAINTEXT_BYTES,
  MAX_CAPTION_BYTES,
  MAX_FILE_NAME_BYTES,
  MAX_MIME_TYPE_BYTES,
  type AttachmentContent,
} from "../../../../protocol/index.js";
import { byAttachmentType, sized, storedAttachmentId } from "./attachment-schemas.js";

/**
 * The attachment a kind 7 message row carries (protocol/attachment-content.ts): everything needed to
 * fetch, check, decrypt and show the file, as decoded from the message, bounded like the payload. A delete for everyone
 * removes this field from the row (sync/apply-content.ts): key and preview go with the text.
 */
// The strings' byte bounds; characters are at most 4 UTF-8 bytes, so a length check in UTF-16 units suffices here.
const boundedString = (min: number, max: number) => z.string().min(min).max(max);

const common = {
  id: storedAttachmentId,
  key: sized(ATTACHMENT_KEY_BYTES),
  size: z.number().int().min(0).max(MAX_ATTACHMENT_PLAINTEXT_BYTES),
  digest: sized(ATTACHMENT_DIGEST_BYTES),
  mimeType: boundedString(1, MAX_MIME_TYPE_BYTES),
  name: boundedString(1, MAX_FILE_NAME_BYTES),
  caption: boundedString(0, MAX_CAPTION_BYTES),
};
export const attachmentFields = byAttachmentType(common);
export type AttachmentFields = z.infer<typeof attachmentFields>;

/** A decoded attachment message's row fields (the content without its kind and send time). */
export function attachmentRowFields(c: AttachmentContent): AttachmentFields {
  const base = { id: c.id, key: c.key, size: c.size, digest: c.digest, mimeType: c.mimeType, name: c.name, caption: c.caption };
  switch (c.type) {
    case "file":
      return { type: "file", ...base };
    case "image":
      return { type: "image", ...base, width: c.width, height: c.height, preview: c.preview };
    case "voice":
      return { type: "voice", ...base, durationMs: c.durationMs, waveform: c.waveform };
  }
}
