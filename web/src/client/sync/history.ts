import type { ClientContext } from "../context.js";
import { syncConversations } from "../conversations/conversations.js";
import { getCursor } from "../store/db.js";
import { pullMessages } from "./receive.js";

/** Messages processed so far out of the total the server holds (lastSeq summed over conversations). */
export interface HistoryProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * A freshly linked device reads the whole history: every conversation's bundles (opened from the key
 * archive where no device wrap exists) and every envelope, page by page. `onProgress` is called as the
 * cursors advance (about every 250 ms) and once at the end.
 */
export async function loadHistory(ctx: ClientContext, onProgress: (p: HistoryProgress) => void): Promise<HistoryProgress> {
  const convs = await syncConversations(ctx);
  const total = convs.reduce((n, c) => n + c.lastSeq, 0);
  const measure = async (): Promise<HistoryProgress> => {
    let done = 0;
    for (const c of convs) done += Math.min(c.lastSeq, await getCursor(ctx.db, c.id));
    return { done, total };
  };
  onProgress(await measure());
  const timer = setInterval(() => void measure().then(onProgress), 250);
  try {
    for (const c of convs) await pullMessages(ctx, c.id);
  } finally {
    clearInterval(timer);
  }
  const last = await measure();
  onProgress(last);
  return last;
}
