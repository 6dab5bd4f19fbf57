import { Hono } from "hono";
import type { z } from "zod";
import {
  putPassphraseRequest,
  putRecoveryBlobRequest,
  unlockPassphraseRequest,
  type recoveryLookupResponse,
  type recoveryStatusResponse,
  type unlockPassphraseResponse,
} from "../../protocol/api.js";
import { bytesEqual, fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { USERNAME_PATTERN } from "../../protocol/ids.js";
import { decodePassphraseBlob } from "../../protocol/passphrase.js";
import { decodeRecoveryBlobHeader } from "../../protocol/recovery-blob.js";
import { requireSession } from "../auth/require-session.js";
import { hashBearerToken } from "../auth/session-token.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, Conflict, Forbidden, NotFound, TooManyRequests } from "../errors.js";
import { clientAddress } from "../http/client-address.js";
import { decodeOr } from "../http/decode.js";
import { readJson } from "../http/json-body.js";
import { FREE_PASSPHRASE_TRIES, PASSPHRASE_BASE_DELAY_MS, PASSPHRASE_DAILY_BUDGET, PASSPHRASE_MAX_DELAY_MS, passphraseDelayMs } from "../http/passphrase-backoff.js";
import { rateLimit } from "../http/rate-limit.js";
import type { DirectoryEntry } from "../storage/directory.js";

const ACCESS_TOKEN_BYTES = 32;
const DAY_MS = 86_400_000;
const PASSPHRASE_BACKOFF = { freeTries: FREE_PASSPHRASE_TRIES, baseDelayMs: PASSPHRASE_BASE_DELAY_MS, maxDelayMs: PASSPHRASE_MAX_DELAY_MS } as const;
/** Anonymous recovery lookups per client address per minute: enough for a person, not for a scraper. */
const LOOKUPS_PER_MINUTE = 30;

async function accountByUsername(c: Ctx): Promise<DirectoryEntry> {
  const username = c.req.param("username")?.toLowerCase() ?? "";
  const account = USERNAME_PATTERN.test(username) ? await c.var.stores.directory.findByUsername(username) : undefined;
  if (!account) throw new NotFound("no such user");
  return account;
}

async function tokenHash(token: string): Promise<Uint8Array> {
  const hash = await hashBearerToken(token, ACCESS_TOKEN_BYTES);
  if (!hash) throw new BadRequest("invalid_body", "accessToken: must be base64url of 32 bytes");
  return hash;
}

/**
 * Recovery (docs/API.md "Recovery"). The server holds only blobs it cannot open: the recovery blob
 * sealed to the recovery box key (128-bit secret, so serving it to anyone is safe) and the passphrase
 * blob, which it releases only to the access token whose SHA-256 it stores, slowing wrong guesses per
 * (account, client address) so a stranger elsewhere cannot lock the owner out.
 */
/** The caller's own recovery state, for the settings screen. */
export async function fetchRecoveryStatus(c: Ctx) {
  const { accountId } = c.var.session;
  const recovery = c.var.stores.recovery;
  const [stored, passphrase, lastUsedAt] = await Promise.all([recovery.findBlob(accountId), recovery.findPassphrase(accountId), recovery.lastUsedAt(accountId)]);
  return c.json({
    blob: stored ? toBase64url(stored.blob) : null,
    counter: stored?.counter ?? 0,
    passphraseBlob: passphrase ? toBase64url(passphrase.blob) : null,
    lastUsedAt,
  } satisfies z.output<typeof recoveryStatusResponse>);
}

/** Stores a newly sealed recovery blob, if its counter is above the stored one's. */
export async function storeRecoveryBlob(c: Ctx) {
  const { accountId } = c.var.session;
  const bytes = fromBase64url((await readJson(c, putRecoveryBlobRequest)).blob);
  const header = await decodeOr("invalid_blob", () => decodeRecoveryBlobHeader(bytes));
  if (header.accountId !== accountId) throw new BadRequest("invalid_blob", "the recovery blob is bound to another account");
  const recovery = c.var.stores.recovery;
  if (!(await recovery.putBlob(accountId, header.counter, bytes, Date.now()))) {
    const stored = await recovery.findBlob(accountId);
    throw new Conflict("stale_blob", `the stored recovery blob has counter ${stored?.counter ?? "?"}: seal the next one above it`);
  }
  return c.body(null, 204);
}

export async function storePassphraseBlob(c: Ctx) {
  const { accountId } = c.var.session;
  const body = await readJson(c, putPassphraseRequest);
  const bytes = fromBase64url(body.blob);
  const decoded = await decodeOr("invalid_blob", () => decodePassphraseBlob(bytes));
  if (decoded.accountId !== accountId) throw new BadRequest("invalid_blob", "the passphrase blob is bound to another account");
  await c.var.stores.recovery.putPassphrase(accountId, bytes, await tokenHash(body.accessToken), Date.now());
  return c.body(null, 204);
}

export async function deletePassphraseBlob(c: Ctx) {
  await c.var.stores.recovery.deletePassphrase(c.var.session.accountId);
  return c.body(null, 204);
}

/** Anonymous: what a device without any account key needs to recover by username. */
export async function lookUpRecovery(c: Ctx) {
  await rateLimit(c, "recovery", LOOKUPS_PER_MINUTE, 60_000);
  const account = await accountByUsername(c);
  const { recovery, accounts } = c.var.stores;
  const [stored, passphrase, lastUsedAt, log] = await Promise.all([
    recovery.findBlob(account.id),
    recovery.findPassphrase(account.id),
    recovery.lastUsedAt(account.id),
    accounts.readLog(account.id),
  ]);
  if (!stored) throw new NotFound("this account has no recovery blob");
  const params = passphrase ? decodePassphraseBlob(passphrase.blob).params : undefined;
  return c.json({
    accountId: account.id,
    blob: toBase64url(stored.blob),
    passphrase: params ? { memoryKiB: params.memoryKiB, iterations: params.iterations, parallelism: params.parallelism, salt: toBase64url(params.salt) } : null,
    lastUsedAt,
    log: log.map(toBase64url),
  } satisfies z.output<typeof recoveryLookupResponse>);
}

/** Anonymous: releases the passphrase blob to its access token, slowing wrong guesses per client address. */
export async function unlockPassphraseBlob(c: Ctx) {
  await rateLimit(c, "recovery", LOOKUPS_PER_MINUTE, 60_000);
  const account = await accountByUsername(c);
  const client = clientAddress(c);
  const now = Date.now();
  const recovery = c.var.stores.recovery;
  const { accessToken } = await readJson(c, unlockPassphraseRequest);
  const hash = await tokenHash(accessToken);
  const stored = await recovery.findPassphrase(account.id);
  if (!stored) throw new NotFound("this account has no passphrase");
  // Each try is claimed before the token is judged, atomically per counter, so parallel guesses queue
  // behind the back-off instead of all being judged at once.
  if ((await recovery.claimAttempt(account.id, client, now, PASSPHRASE_BACKOFF)) === undefined) {
    const past = await recovery.findFailures(account.id, client);
    const waitS = Math.max(1, Math.ceil(((past?.lastFailureAt ?? now) + passphraseDelayMs(past?.failures ?? 0) - now) / 1000));
    throw new TooManyRequests(`too many wrong passphrases from this address: wait ${waitS} s`, waitS);
  }
  const day = Math.floor(now / DAY_MS);
  if ((await recovery.claimDailyBudget(account.id, day, PASSPHRASE_DAILY_BUDGET)) === undefined) {
    const waitS = Math.max(1, Math.ceil(((day + 1) * DAY_MS - now) / 1000));
    throw new TooManyRequests(`this account had ${PASSPHRASE_DAILY_BUDGET} wrong passphrases today: try again tomorrow, or use the recovery key or key file`, waitS);
  }
  if (!bytesEqual(hash, stored.tokenHash)) throw new Forbidden("wrong_passphrase", "the passphrase is wrong");
  await Promise.all([recovery.clearFailures(account.id, client), recovery.refundDailyBudget(account.id, day)]);
  return c.json({ blob: toBase64url(stored.blob) } satisfies z.output<typeof unlockPassphraseResponse>);
}

export const recoveryRoutes = new Hono<AppEnv>()
  .get("/recovery", requireSession, fetchRecoveryStatus)
  .put("/recovery/blob", requireSession, storeRecoveryBlob)
  .put("/recovery/passphrase", requireSession, storePassphraseBlob)
  .delete("/recovery/passphrase", requireSession, deletePassphraseBlob)
  .get("/recovery/:username", lookUpRecovery)
  .post("/recovery/:username/passphrase", unlockPassphraseBlob);
