// The session store over D1: the sessions table (sessions.ts) and login_nonces (login-nonces.ts).
import type { SessionStore } from "../storage/session-store.js";
import { consumeNonce, storeNonce } from "./login-nonces.js";
import { deleteSession, expireSessionBy, findSession, insertSession, touchDeviceSeen } from "./sessions.js";

/** `inHub`: whether new sessions go to their account's hub (the objects layout) or stay in D1. */
export function d1SessionStore(db: D1Database, inHub = false): SessionStore {
  return {
    inHub,
    insert: (s) => insertSession(db, s),
    find: (tokenHash, now) => findSession(db, tokenHash, now),
    delete: (tokenHash) => deleteSession(db, tokenHash),
    expireBy: (tokenHash, at) => expireSessionBy(db, tokenHash, at),
    touchDevice: (deviceId, now) => touchDeviceSeen(db, deviceId, now),
    storeNonce: (n, now) => storeNonce(db, n, now),
    consumeNonce: (nonce) => consumeNonce(db, nonce),
  };
}
