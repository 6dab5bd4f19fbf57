import type { ConversationId } from "../../../../protocol/index.js";
import { openAttachment } from "../attachments/download.js";
import type { ClientContext } from "../context.js";
import { ClientError } from "../errors.js";
import { getAccount } from "../store/db.js";
import { conversationViews, timelineViews, type MessageView } from "../views/views.js";
import { exportHtml } from "./export-html.js";
import { EXPORT_FORMAT, EXPORT_VERSION, exportedConversation, type ExportFile, type ExportedAttachment, type ExportedConversation } from "./export-model.js";
import { zipFiles, type ZipEntry } from "./zip.js";

export interface ExportOptions {
  /** One chat, or every chat on this device. */
  readonly conversationId?: ConversationId;
  readonly format: "html" | "json";
  /** Also the files: the export becomes a .zip of the page (or JSON) and an attachments folder. */
  readonly attachments: boolean;
  readonly onProgress?: (p: ExportProgress) => void;
  readonly signal?: AbortSignal;
  /** Dates in the HTML page (the app's language). */
  readonly locale?: string;
}

export interface ExportProgress {
  readonly step: "messages" | "attachments" | "packing";
  readonly done: number;
  readonly total: number;
}

export interface ExportResult {
  readonly file: Blob;
  /** A file name for the download: sealed-export-<date>.html/.json/.zip */
  readonly name: string;
  /** Attachments that could not be included (deleted on the server, failed their checks). */
  readonly missing: number;
}

/** A file name inside the zip: no path separators or control characters, bounded, never empty. */
export function safeFileName(name: string): string {
  const cleaned = [...name.replace(/[\\/:*?"<>|\p{Cc}]/gu, "_").replace(/^\.+/, "_")].slice(0, 100).join("");
  return cleaned.trim() || "file";
}

/**
 * Exports chats decrypted, on this device only (issue 20): nothing is sent anywhere, and the result is a
 * Blob the screen offers as a download. With `attachments`, each file is fetched and checked as when it
 * is opened (a file that fails its checks or is gone is listed as missing, never included).
 */
export async function exportChats(ctx: ClientContext, o: ExportOptions): Promise<ExportResult> {
  const account = await getAccount(ctx.db);
  if (!account) throw new ClientError("not_signed_up", "this device has no account yet");
  const all = await conversationViews(ctx.db);
  const chosen = o.conversationId ? all.filter((c) => c.id === o.conversationId) : all;
  if (o.conversationId && chosen.length === 0) throw new ClientError("unknown_conversation", "no such chat on this device");

  const entries: ZipEntry[] = [];
  const wanted: { conversationId: ConversationId; m: MessageView; path: string }[] = [];
  const conversations: ExportedConversation[] = [];
  const used = new Set<string>();
  for (const [i, c] of chosen.entries()) {
    o.signal?.throwIfAborted();
    o.onProgress?.({ step: "messages", done: i, total: chosen.length });
    const timeline = await timelineViews(ctx.db, c.id);
    const place = (m: MessageView): ExportedAttachment | undefined => {
      const a = m.attachment;
      if (!a) return undefined;
      const base = { type: a.type, name: a.name, mimeType: a.mimeType, size: a.size };
      if (!o.attachments) return base;
      let path = `attachments/${safeFileName(c.title)}/${safeFileName(a.name)}`;
      for (let n = 2; used.has(path); n++) path = `attachments/${safeFileName(c.title)}/${n}-${safeFileName(a.name)}`;
      used.add(path);
      wanted.push({ conversationId: c.id, m, path });
      return { ...base, file: path };
    };
    conversations.push(exportedConversation(c, account.username, timeline, place));
  }

  // Files the export promised: fetched one at a time, each checked whole before it is kept.
  const missing = new Map<string, string>();
  for (const [i, w] of wanted.entries()) {
    o.signal?.throwIfAborted();
    o.onProgress?.({ step: "attachments", done: i, total: wanted.length });
    try {
      entries.push({ path: w.path, data: await openAttachment(ctx, w.conversationId, w.m.ref, o.signal ? { signal: o.signal } : {}), compress: false });
    } catch (e) {
      if (o.signal?.aborted) throw e;
      missing.set(w.path, e instanceof ClientError && e.code === "attachment_corrupt" ? "it failed its integrity checks" : "it is no longer on the server");
    }
  }
  const final: ExportedConversation[] = missing.size
    ? conversations.map((c) => ({
        ...c,
        messages: c.messages.map((m) => {
          const why = m.attachment?.file ? missing.get(m.attachment.file) : undefined;
          if (!why || !m.attachment) return m;
          const { file: _file, ...rest } = m.attachment;
          return { ...m, attachment: { ...rest, missing: why } };
        }),
      }))
    : conversations;

  const file: ExportFile = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date(ctx.now()).toISOString(), account: account.username, conversations: final };
  const text = o.format === "json" ? JSON.stringify(file, null, 2) : exportHtml(file, o.locale);
  const stamp = new Date(ctx.now()).toISOString().slice(0, 10);
  const name = `sealed-export-${stamp}`;
  if (!o.attachments) {
    return { file: new Blob([text], { type: o.format === "json" ? "application/json" : "text/html" }), name: `${name}.${o.format}`, missing: 0 };
  }
  o.onProgress?.({ step: "packing", done: 0, total: 1 });
  const zip = await zipFiles([{ path: o.format === "json" ? "export.json" : "export.html", data: new Blob([text]), compress: true }, ...entries], o.signal);
  return { file: zip, name: `${name}.zip`, missing: missing.size };
}
