import { msg } from "@lit/localize";
import type { ConversationId } from "../../../protocol/index.js";

/** A file chosen for a chat and not sent yet (the staging tray above the composer shows it). */
export interface StagedFile {
  /** Stable within the tab: the tray's key for the item and its thumbnail. */
  readonly key: string;
  readonly file: File;
}

/**
 * The files staged in each chat, in this tab only (docs/decisions.md "Staged attachments"): a File cannot go
 * to localStorage like a draft, and keeping it in memory means nothing unsent is written anywhere. Each chat
 * has its own list, so switching chats never carries files over, and coming back finds them again. The
 * share target (sealed-share-picker.ts) stages the shared files here before it opens the chosen chat.
 */
const staged = new Map<ConversationId, readonly StagedFile[]>();
let counter = 0;

export function stagedFiles(id: ConversationId): readonly StagedFile[] {
  return staged.get(id) ?? [];
}

/** Fired on window (detail: the chat id) when files were staged from outside its composer (a share). */
export const STAGED_EVENT = "sealed-staged";

/** Adds `files` after those already staged in the chat; returns the chat's new list. */
export function stageFiles(id: ConversationId, files: Iterable<File>): readonly StagedFile[] {
  const added = [...files].map((file) => ({ key: `staged-${++counter}`, file }));
  const next = [...stagedFiles(id), ...added];
  staged.set(id, next);
  return next;
}

/** Stages `files` for a chat whose composer may be open already: it shows them at once. */
export function stageFilesFromOutside(id: ConversationId, files: Iterable<File>): void {
  stageFiles(id, files);
  globalThis.dispatchEvent?.(new CustomEvent<ConversationId>(STAGED_EVENT, { detail: id }));
}

export function unstageFile(id: ConversationId, key: string): readonly StagedFile[] {
  const next = stagedFiles(id).filter((s) => s.key !== key);
  if (next.length === 0) staged.delete(id);
  else staged.set(id, next);
  return next;
}

/** Takes every staged file out of the chat (they are being sent); the chat's list is empty afterwards. */
export function takeStagedFiles(id: ConversationId): readonly StagedFile[] {
  const all = stagedFiles(id);
  staged.delete(id);
  return all;
}

/** Forgets every chat's staged files (this device's data is being wiped, or the account signed out). */
export function clearStagedFiles(): void {
  staged.clear();
}

/** The files a DataTransfer carries (a paste or a drop); [] when it carries only text. */
export function filesOf(data: DataTransfer | null): File[] {
  if (!data) return [];
  const files = Array.from(data.files);
  if (files.length > 0) return files;
  // Some browsers list a pasted image only among the items.
  return Array.from(data.items).filter((i) => i.kind === "file").flatMap((i) => i.getAsFile() ?? []);
}

/** True while a drag carries files (not text or a link dragged from the page). */
export function dragHasFiles(data: DataTransfer | null): boolean {
  return data !== null && Array.from(data.types).includes(msg("Files"));
}
