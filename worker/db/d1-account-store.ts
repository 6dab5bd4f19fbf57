// The account store over D1: accounts and log_entries (accounts.ts, log-entries.ts), devices (devices.ts)
// and device_secrets (device-secrets.ts). Creating an account writes the directory's row in the same batch.
import type { AccountStore } from "../storage/account-store.js";
import { insertAccount, readLog } from "./accounts.js";
import { findSecrets, putSecrets } from "./device-secrets.js";
import { findDevice, listDevices, setSealedName } from "./devices.js";
import { appendLogEntry, findLogEntry } from "./log-entries.js";

export function d1AccountStore(db: D1Database): AccountStore {
  return {
    create: (a) => insertAccount(db, a),
    readLog: (accountId) => readLog(db, accountId),
    findLogEntry: (accountId, seq) => findLogEntry(db, accountId, seq),
    appendLogEntry: (a) => appendLogEntry(db, a),
    findDevice: (deviceId) => findDevice(db, deviceId),
    listDevices: (accountId) => listDevices(db, accountId),
    setSealedName: (deviceId, sealedName) => setSealedName(db, deviceId, sealedName),
    findSecrets: (recipient) => findSecrets(db, recipient),
    putSecrets: (p) => putSecrets(db, p),
  };
}
