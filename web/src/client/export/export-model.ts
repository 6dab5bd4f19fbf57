import type { ConversationView, MessageView, TimelineItem } from "../views/views.js";

/**
 * The decrypted export of chats (issue 20, docs/decisions.md "Export"): what the JSON file holds, and
 * what the HTML file shows. Versioned; only what the person could read on screen, never a key.
 */
export const EXPORT_FORMAT = "sealed-export";
export const EXPORT_VERSION = 1;

export interface ExportedAttachment {
  readonly type: "file" | "image" | "voice";
  readonly name: string;
  readonly mimeType: string;
  readonly size: number;
  /** The file's path inside the .zip, when attachments were included and the file could be opened. */
  readonly file?: string;
  /** Why it is not included although attachments were asked for (deleted on the server, failed its checks). */
  readonly missing?: string;
}

export interface ExportedMessage {
  /** Stable: sender device id and client message id. */
  readonly id: string;
  readonly seq?: number;
  readonly sender: string;
  readonly mine: boolean;
  /** ISO 8601, as the sender's device stamped it. */
  readonly sentAt: string;
  readonly kind: "text" | "attachment" | "deleted" | "unsupported";
  readonly text: string;
  readonly edited: boolean;
  readonly replyTo?: { readonly id?: string; readonly sender?: string; readonly text: string };
  readonly reactions: readonly { readonly emoji: string; readonly by: readonly string[] }[];
  readonly attachment?: ExportedAttachment;
  /** Not sent: still waiting, or refused. */
  readonly status?: "pending" | "failed";
}

export interface ExportedConversation {
  readonly id: string;
  readonly kind: "direct" | "group";
  readonly title: string;
  readonly members: readonly string[];
  readonly messages: readonly ExportedMessage[];
  /** System lines (joined, left, key changes) in their place, as the chat shows them. */
  readonly events: readonly { readonly at: string; readonly text: string }[];
}

export interface ExportFile {
  readonly format: typeof EXPORT_FORMAT;
  readonly version: typeof EXPORT_VERSION;
  readonly exportedAt: string;
  readonly account: string;
  readonly conversations: readonly ExportedConversation[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function messageId(m: Pick<MessageView, "ref">): string {
  return `${m.ref.deviceId}/${m.ref.clientMessageId}`;
}

/** This account's name where the screen says "You" (a reaction chip): a file is read by others too. */
function named(name: string, me: string, mine: boolean): string {
  return mine && name === "You" ? me : name;
}

function exportedMessage(m: MessageView, me: string, attachment: (m: MessageView) => ExportedAttachment | undefined): ExportedMessage {
  const q = m.replyTo;
  const a = m.content === "attachment" ? attachment(m) : undefined;
  return {
    id: messageId(m),
    ...(m.seq !== undefined ? { seq: m.seq } : {}),
    sender: m.mine ? me : m.senderName,
    mine: m.mine,
    sentAt: iso(m.sentAt),
    kind: m.content,
    text: m.text,
    edited: m.edited,
    ...(q ? { replyTo: q.state === "shown" ? { id: q.key, sender: q.mine ? me : q.senderName, text: q.text } : { text: "(a message this device does not hold)" } } : {}),
    reactions: m.reactions.map((r) => ({ emoji: r.emoji, by: r.names.map((n) => named(n, me, r.mine)) })),
    ...(a ? { attachment: a } : {}),
    ...(m.status === "failed" ? { status: "failed" as const } : m.seq === undefined ? { status: "pending" as const } : {}),
  };
}

/** One chat as exported; `attachment` says where each file went (or why it did not). */
export function exportedConversation(c: ConversationView, me: string, timeline: readonly TimelineItem[], attachment: (m: MessageView) => ExportedAttachment | undefined): ExportedConversation {
  const members = c.kind === "direct" ? [me, c.peer.username] : c.group.members.map((m) => m.username);
  return {
    id: c.id,
    kind: c.kind,
    title: c.title,
    members,
    messages: timeline.filter((t): t is MessageView => t.kind === "message").map((m) => exportedMessage(m, me, attachment)),
    events: timeline.filter((t) => t.kind === "system").map((t) => ({ at: iso(t.at), text: t.text })),
  };
}
