// The session store over D1: the sessions table (sessions.ts) and login_nonces (login-nonces.ts).
import type { SessionStore } from "../storage/session-store.js";
import { consumeNonce, storeNonce } from "./login-nonces.js";
import { deleteSession, findSession, insertSession } from "./sessions.js";

export function d1SessionStore(db: D1Database): SessionStore {
  return {
    insert: (s) => insertSession(db, s),
    find: (tokenHash, now) => findSession(db, tokenHash, now),
    delete: (tokenHash) => deleteSession(db, tokenHash),
    storeNonce: (n, now) => storeNonce(db, n, now),
    consumeNonce: (nonce) => consumeNonce(db, nonce),
  };
}
