import { msg } from "@lit/localize";
import type { ConversationId } from "../../../../protocol/index.js";
import type { AttachmentFields } from "../store/attachment-row.js";

/**
 * What a bubble shows of an attachment before anything is downloaded (issue 18): the kind of file, its
 * name, size and type, and for an image its dimensions and inline preview (so the list reserves the box
 * and does not jump), for a voice note its duration. The file's key stays in the store: the UI opens the
 * file through `client.attachments.open(conversationId, ref)`, never with key material of its own.
 */
export type AttachmentView = {
  /** The chat it was sent in: with the bubble's `ref`, what `client.attachments.open` takes. */
  readonly conversationId: ConversationId;
  readonly name: string;
  readonly mimeType: string;
  /** Plaintext bytes. */
  readonly size: number;
  /** "" when there is none. */
  readonly caption: string;
} & (
  | { readonly type: "file" }
  /** `preview`: a small JPEG or WebP (empty when the sender made none), to show at once. */
  | { readonly type: "image"; readonly width: number; readonly height: number; readonly preview: Uint8Array }
  | { readonly type: "voice"; readonly durationMs: number }
);

export function attachmentView(a: AttachmentFields, conversationId: ConversationId): AttachmentView {
  const shown = { conversationId, name: a.name, mimeType: a.mimeType, size: a.size, caption: a.caption };
  switch (a.type) {
    case "file":
      return { type: "file", ...shown };
    case "image":
      return { type: "image", ...shown, width: a.width, height: a.height, preview: a.preview };
    case "voice":
      return { type: "voice", ...shown, durationMs: a.durationMs };
  }
}

/**
 * One line for an attachment where there is no room for the bubble (the chat list's last message, a
 * reply's quote): "📎 report.pdf", "Photo" or "Voice message", then the caption if there is one.
 */
export function attachmentSummary(a: Pick<AttachmentView, "type" | "name" | "caption">): string {
  // msg(): the page has a language set (ui/i18n/); in the service worker it stays English.
  const what = a.type === "image" ? msg("Photo") : a.type === "voice" ? msg("Voice message") : `📎 ${a.name}`;
  return a.caption === "" ? what : `${what}: ${a.caption}`;
}
