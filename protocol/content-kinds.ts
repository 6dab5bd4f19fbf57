import { ATTACHMENT_KIND, decodeAttachmentPayload, encodeAttachmentPayload, type AttachmentContent } from "./attachment-content.js";
import { fromUtf8, utf8 } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { readMentions, writeMentions, type Mention } from "./mentions.js";
import { MAX_EMOJI_BYTES, checkReactionEmoji } from "./reaction-emoji.js";

export { MAX_EMOJI_BYTES } from "./reaction-emoji.js";
import { fail } from "./errors.js";
import { PROFILE_DIGEST_BYTES, PROFILE_KEY_BYTES } from "./profile.js";
import { CLIENT_MESSAGE_ID_BYTES, ClientMessageId, DEVICE_ID_BYTES, DeviceId } from "./ids.js";

/**
 * The kinds of message content this version knows, each with its payload codec (docs/PROTOCOL.md
 * "Message content"). A payload decoder reads exactly its payload and refuses anything else: a known kind
 * that does not parse is refused, never shown. Kind numbers are fixed forever; new kinds take new numbers.
 */
export const ContentKind = { text: 1, reply: 2, reaction: 3, edit: 4, delete: 5, receipt: 6, attachment: ATTACHMENT_KIND, mentioned: 8, profile: 9 } as const;
export type ContentKindName = keyof typeof ContentKind;

/** The most UTF-8 bytes of text in a text, reply or edit (the same bound as the body before kinds). */
export const MAX_TEXT_BYTES = 16_384;
export const MESSAGE_REF_BYTES = DEVICE_ID_BYTES + CLIENT_MESSAGE_ID_BYTES;

/**
 * A message's stable id: its sender device and client message id, both inside the signed header. The
 * same on every device and across replays of the history, unlike the server's position.
 */
export interface MessageRef {
  readonly deviceId: DeviceId;
  readonly clientMessageId: ClientMessageId;
}

/** A read-up-to or delivered-up-to mark: the server position of the last envelope covered, and its id. */
export interface ReceiptMark {
  readonly mark: "delivered" | "read";
  /** The conversation's server sequence number (>= 1) of the last envelope covered, inclusive. */
  readonly position: number;
  /** The envelope at that position, so a receiver can tell when positions and messages disagree. */
  readonly at: MessageRef;
}

/**
 * The mentions of a text, reply or edit (protocol/mentions.ts): absent when there are none. A body with
 * mentions travels as kind 8 around the kind it is (docs/PROTOCOL.md "Mentions"); one without them keeps
 * its own kind's bytes, so nothing changes for a message that mentions nobody.
 */
export interface WithMentions {
  readonly mentions?: readonly Mention[];
}

export type KnownContent =
  | ({ readonly kind: "text"; readonly sentAt: number; readonly text: string } & WithMentions)
  | ({ readonly kind: "reply"; readonly sentAt: number; readonly to: MessageRef; readonly text: string } & WithMentions)
  /** `emoji: null` removes the sender's reaction; a new emoji replaces the sender's previous one. */
  | { readonly kind: "reaction"; readonly sentAt: number; readonly to: MessageRef; readonly emoji: string | null }
  | ({ readonly kind: "edit"; readonly sentAt: number; readonly to: MessageRef; readonly text: string } & WithMentions)
  | { readonly kind: "delete"; readonly sentAt: number; readonly to: MessageRef }
  | ({ readonly kind: "receipt"; readonly sentAt: number } & ReceiptMark)
  | AttachmentContent
  /**
   * The sender account's profile key of AHK generation `generation` and the digest of its current
   * sealed profile (protocol/profile.ts): never shown; receivers fetch and check the blob.
   */
  | { readonly kind: "profile"; readonly sentAt: number; readonly generation: number; readonly key: Uint8Array; readonly digest: Uint8Array };

const REACTION_SET = 1;
const REACTION_REMOVE = 2;
const RECEIPT_MARKS = { delivered: 1, read: 2 } as const;

export function textBytes(text: string): Uint8Array {
  const b = utf8(text);
  if (b.length < 1 || b.length > MAX_TEXT_BYTES) fail("out_of_bounds", `message text must be 1 to ${MAX_TEXT_BYTES} bytes`);
  return b;
}

function writeRef(w: Writer, ref: MessageRef): Writer {
  return w.fixed(DeviceId.toBytes(ref.deviceId), DEVICE_ID_BYTES).fixed(ClientMessageId.toBytes(ref.clientMessageId), CLIENT_MESSAGE_ID_BYTES);
}

function readRef(r: Reader): MessageRef {
  return { deviceId: DeviceId.fromBytes(r.fixed(DEVICE_ID_BYTES, "target device id")), clientMessageId: ClientMessageId.fromBytes(r.fixed(CLIENT_MESSAGE_ID_BYTES, "target client message id")) };
}

/** The payload of a known kind other than text (text is framed directly, content.ts). */
export function encodeKnownPayload(c: KnownContent): { kindNumber: number; payload: Uint8Array } {
  const w = new Writer();
  if ((c.kind === "text" || c.kind === "reply" || c.kind === "edit") && c.mentions && c.mentions.length > 0) {
    // Kind 8 around the kind's own payload: u8 inner kind || vbytes inner payload || mentions.
    const { mentions, ...plain } = c;
    const inner = encodeKnownPayload(plain);
    return { kindNumber: ContentKind.mentioned, payload: writeMentions(w.u8(inner.kindNumber).vbytes(inner.payload), c.text, mentions).finish() };
  }
  switch (c.kind) {
    case "text": {
      const b = textBytes(c.text);
      w.fixed(b, b.length);
      break;
    }
    case "reply":
    case "edit":
      writeRef(w, c.to).vbytes(textBytes(c.text));
      break;
    case "reaction":
      if (c.emoji === null) writeRef(w, c.to).u8(REACTION_REMOVE).vbytes(new Uint8Array(0));
      else writeRef(w, c.to).u8(REACTION_SET).vbytes(checkReactionEmoji(c.emoji));
      break;
    case "delete":
      writeRef(w, c.to);
      break;
    case "receipt":
      if (!Number.isSafeInteger(c.position) || c.position < 1) fail("out_of_bounds", "receipt position must be at least 1");
      writeRef(w.u8(RECEIPT_MARKS[c.mark]).u64(c.position), c.at);
      break;
    case "attachment":
      return { kindNumber: ContentKind.attachment, payload: encodeAttachmentPayload(c) };
    case "profile":
      if (!Number.isSafeInteger(c.generation) || c.generation < 0 || c.generation > 0xffffffff) fail("out_of_bounds", "profile generation must be a u32");
      w.u32(c.generation).fixed(c.key, PROFILE_KEY_BYTES).fixed(c.digest, PROFILE_DIGEST_BYTES);
      break;
  }
  return { kindNumber: ContentKind[c.kind], payload: w.finish() };
}

type PayloadDecoder = (payload: Uint8Array, sentAt: number) => KnownContent;

function payloadReader(kind: ContentKindName, payload: Uint8Array, read: (r: Reader) => KnownContent): KnownContent {
  const r = new Reader(payload, `${kind} payload`);
  const c = read(r);
  r.end();
  return c;
}

const textIn = (r: Reader) => fromUtf8(r.vbytes(1, MAX_TEXT_BYTES, "text"));

/** Decoders of the known kinds other than text, by kind number. */
export const KIND_DECODERS: ReadonlyMap<number, PayloadDecoder> = new Map<number, PayloadDecoder>([
  [ContentKind.reply, (p, sentAt) => payloadReader("reply", p, (r) => ({ kind: "reply", sentAt, to: readRef(r), text: textIn(r) }))],
  [ContentKind.edit, (p, sentAt) => payloadReader("edit", p, (r) => ({ kind: "edit", sentAt, to: readRef(r), text: textIn(r) }))],
  [ContentKind.delete, (p, sentAt) => payloadReader("delete", p, (r) => ({ kind: "delete", sentAt, to: readRef(r) }))],
  [
    ContentKind.reaction,
    (p, sentAt) =>
      payloadReader("reaction", p, (r) => {
        const to = readRef(r);
        const action = r.u8("action");
        if (action === REACTION_REMOVE) {
          r.vbytes(0, 0, "emoji");
          return { kind: "reaction", sentAt, to, emoji: null };
        }
        if (action !== REACTION_SET) fail("malformed", `reaction action ${action}`);
        const emoji = fromUtf8(r.vbytes(1, MAX_EMOJI_BYTES, "emoji"));
        checkReactionEmoji(emoji);
        return { kind: "reaction", sentAt, to, emoji };
      }),
  ],
  [
    ContentKind.receipt,
    (p, sentAt) =>
      payloadReader("receipt", p, (r) => {
        const code = r.u8("mark");
        const mark = code === RECEIPT_MARKS.delivered ? "delivered" : code === RECEIPT_MARKS.read ? "read" : fail("malformed", `receipt mark ${code}`);
        const position = r.u64("position");
        if (position < 1) fail("out_of_bounds", "receipt position must be at least 1");
        return { kind: "receipt", sentAt, mark, position, at: readRef(r) };
      }),
  ],
  [ContentKind.attachment, decodeAttachmentPayload],
  [
    ContentKind.profile,
    (p, sentAt) =>
      payloadReader("profile", p, (r) => ({ kind: "profile", sentAt, generation: r.u32("generation"), key: r.fixed(PROFILE_KEY_BYTES, "profile key"), digest: r.fixed(PROFILE_DIGEST_BYTES, "profile digest") })),
  ],
  [ContentKind.mentioned, (p, sentAt) => payloadReader("mentioned", p, (r) => readMentioned(r, sentAt))],
]);

/** The inner kinds kind 8 may wrap: the kinds that carry a text. */
const MENTIONABLE = new Set<number>([ContentKind.text, ContentKind.reply, ContentKind.edit]);

/** Kind 8: the inner kind decoded by its own rules, then its mentions checked against its text. */
function readMentioned(r: Reader, sentAt: number): KnownContent {
  const innerKind = r.u8("inner kind");
  if (!MENTIONABLE.has(innerKind)) fail("malformed", `kind ${innerKind} does not carry mentions`);
  const payload = r.vbytes(0, MAX_TEXT_BYTES + MESSAGE_REF_BYTES + 4, "inner payload");
  const inner = innerKind === ContentKind.text ? { kind: "text" as const, sentAt, text: fromUtf8(checkedText(payload)) } : KIND_DECODERS.get(innerKind)!(payload, sentAt);
  if (inner.kind !== "text" && inner.kind !== "reply" && inner.kind !== "edit") fail("malformed", "kind 8 wraps only a text, a reply or an edit");
  return { ...inner, mentions: readMentions(r, inner.text) };
}

function checkedText(b: Uint8Array): Uint8Array {
  if (b.length < 1 || b.length > MAX_TEXT_BYTES) fail("out_of_bounds", `message text must be 1 to ${MAX_TEXT_BYTES} bytes`);
  return b;
}
