// The read-state store over D1: the read_state table (read-state.ts).
import type { ReadStateStore } from "../storage/read-state-store.js";
import { listReadStateSince, putReadState } from "./read-state.js";

export function d1ReadStateStore(db: D1Database): ReadStateStore {
  return {
    put: (p) => putReadState(db, p),
    listSince: (accountId, after, limit) => listReadStateSince(db, accountId, after, limit),
  };
}
