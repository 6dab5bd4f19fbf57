import { ContentKind, type Content, type KnownContent, type Mention, type MessageRef } from "../../../../protocol/index.js";
import { attachmentRowFields, type AttachmentFields } from "../store/attachment-row.js";
import type { MessageRow } from "../store/rows.js";

/**
 * The mapping between a message body (protocol/content.ts) and the content fields of its stored row, both
 * ways: a received body becomes fields (rowFields), and a pending row becomes its body again when it must
 * be sealed anew (rowContent, for resealPending). Kept in one place so the two cannot drift.
 */

/** The content a send starts from: a body without its send time, which the sealing adds. */
export type OutgoingContent = KnownContent extends infer C ? (C extends KnownContent ? Omit<C, "sentAt"> : never) : never;

export type ContentFields = Pick<MessageRow, "text" | "kindNumber" | "ref" | "emoji" | "receipt" | "attachment" | "mentions" | "profile">;

/** The row field for a body's mentions: present only when there are some. */
const mentionsOf = (m: readonly Mention[] | undefined): Pick<MessageRow, "mentions"> => (m && m.length > 0 ? { mentions: m.map((x) => ({ accountId: x.accountId, start: x.start, length: x.length })) } : {});

const ref = (r: MessageRef): NonNullable<MessageRow["ref"]> => ({ deviceId: r.deviceId, clientMessageId: r.clientMessageId });

/** A body's row fields. A kind this version does not know keeps only its number (views show a placeholder). */
export function rowFields(body: Content | OutgoingContent): ContentFields {
  switch (body.kind) {
    case "text":
      return { text: body.text, ...mentionsOf(body.mentions) };
    case "reply":
    case "edit":
      return { text: body.text, kindNumber: ContentKind[body.kind], ref: ref(body.to), ...mentionsOf(body.mentions) };
    case "reaction":
      return { text: "", kindNumber: ContentKind.reaction, ref: ref(body.to), emoji: body.emoji };
    case "delete":
      return { text: "", kindNumber: ContentKind.delete, ref: ref(body.to) };
    case "receipt":
      return { text: "", kindNumber: ContentKind.receipt, ref: ref(body.at), receipt: { mark: body.mark, position: body.position } };
    case "attachment":
      // The caption stays inside the attachment: `text` is what edits replace, and attachments are not edited.
      return { text: "", kindNumber: ContentKind.attachment, attachment: attachmentRowFields({ ...body, sentAt: 0 }) };
    case "profile":
      return { text: "", kindNumber: ContentKind.profile, profile: { generation: body.generation, key: body.key, digest: body.digest } };
    case "unknown":
      return { text: "", kindNumber: body.kindNumber };
  }
}

/** The content of a row written by this device, to seal again; undefined for a kind it cannot write. */
export function rowContent(row: MessageRow): OutgoingContent | undefined {
  const to = row.ref;
  switch (row.kindNumber) {
    case undefined:
      return { kind: "text", text: row.text, ...mentionsOf(row.mentions) };
    case ContentKind.reply:
      return to ? { kind: "reply", to, text: row.text, ...mentionsOf(row.mentions) } : undefined;
    case ContentKind.edit:
      return to ? { kind: "edit", to, text: row.text, ...mentionsOf(row.mentions) } : undefined;
    case ContentKind.reaction:
      return to && row.emoji !== undefined ? { kind: "reaction", to, emoji: row.emoji } : undefined;
    case ContentKind.delete:
      return to ? { kind: "delete", to } : undefined;
    case ContentKind.receipt:
      return to && row.receipt ? { kind: "receipt", at: to, mark: row.receipt.mark, position: row.receipt.position } : undefined;
    case ContentKind.attachment:
      return row.attachment ? attachmentContent(row.attachment) : undefined;
    case ContentKind.profile:
      return row.profile ? { kind: "profile", ...row.profile } : undefined;
    default:
      return undefined;
  }
}

/** Kinds shown as a bubble of their own (defined with the store's index fields, which index them). */
export { isShownKind } from "../store/fold-keys.js";

/** The content an attachment row was made from, to seal again while it is pending. */
function attachmentContent(a: AttachmentFields): OutgoingContent {
  switch (a.type) {
    case "file":
      return { kind: "attachment", ...a };
    case "image":
      return { kind: "attachment", ...a };
    case "voice":
      return { kind: "attachment", ...a };
  }
}
