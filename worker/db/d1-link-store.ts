// The link store over D1: link_sessions and link_frames (links.ts).
import type { LinkStore } from "../storage/link-store.js";
import { answerLink, appendLinkFrame, deleteLink, findLink, insertLink, listLinkFrames } from "./links.js";

export function d1LinkStore(db: D1Database): LinkStore {
  return {
    insert: (l) => insertLink(db, l),
    find: (linkId, now) => findLink(db, linkId, now),
    answer: (a) => answerLink(db, a),
    appendFrame: (f) => appendLinkFrame(db, f),
    listFrames: (linkId, sender, after) => listLinkFrames(db, linkId, sender, after),
    delete: (linkId) => deleteLink(db, linkId),
  };
}
