/**
 * recovery/: getting an account back with nothing but the recovery key (DESIGN "Recovery",
 * docs/PROTOCOL.md "Recovery blob", "Passphrase", "Key file"). Devices keep the account secrets sealed
 * to the recovery box key on the server and re-seal at every rotation; a browser with nothing restores
 * from the recovery key (typed, or unwrapped with the passphrase) alone. Owns:
 * - open.ts: opening the recovery data and checking it against the log, before anything changes
 * - restore.ts: joining the account from it (recover or reset entry), login, storing the account
 * - reseal.ts: the recovery blob, re-sealed after sign-up, every rotation and a restore
 * - passphrase.ts, key-file.ts, rotation.ts: the settings (passphrase, key file, new recovery key)
 * - recoveries-seen.ts: restores made elsewhere, seen in one's own log
 * - recovery-error.ts, inputs.ts: RecoveryError (a ClientError) and the parsing of what is typed or served
 * - argon2.ts, wordlist.ts, passphrase-strength.ts: the passphrase's KDF and strength meter
 * This file is the folder's door for tests and tools. The app itself (client.ts, facades/recovery.ts,
 * index.ts) imports the parts it needs at start from their own files and loads restore.ts and rotation.ts
 * with import() when used, so they stay out of the app shell (docs/decisions.md "Screens loaded on demand").
 */
export { RecoveryError, isRecoveryError, type RecoveryErrorCode } from "./recovery-error.js";
export { checkedParams } from "./inputs.js";
export { openRecovery, type OpenedRecovery, type RestoreInput, type RestoreSecret, type RestoreStep } from "./open.js";
export { restoreAccount } from "./restore.js";
export { resealRecoveryBlob } from "./reseal.js";
export { removePassphrase, setPassphrase } from "./passphrase.js";
export { keyFileText } from "./key-file.js";
export { rotateRecoveryKey } from "./rotation.js";
export { recoveriesSeen } from "./recoveries-seen.js";
