import { Hono, type Context } from "hono";
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
import { findAccountByUsername, readLog, type AccountRow } from "../db/accounts.js";
import {
  claimPassphraseAttempt,
  claimPassphraseBudget,
  clearPassphraseFailures,
  deletePassphraseBlob,
  findPassphraseBlob,
  findPassphraseFailures,
  findRecoveryBlob,
  putPassphraseBlob,
  putRecoveryBlob,
  recoveryLastUsedAt,
  refundPassphraseBudget,
} from "../db/recovery.js";
import type { AppEnv } from "../env.js";
import { BadRequest, Conflict, Forbidden, NotFound, TooManyRequests } from "../errors.js";
import { clientAddress } from "../http/client-address.js";
import { decodeOr } from "../http/decode.js";
import { readJson } from "../http/json-body.js";
import { FREE_PASSPHRASE_TRIES, PASSPHRASE_BASE_DELAY_MS, PASSPHRASE_DAILY_BUDGET, PASSPHRASE_MAX_DELAY_MS, passphraseDelayMs } from "../http/passphrase-backoff.js";
import { rateLimit } from "../http/rate-limit.js";

const ACCESS_TOKEN_BYTES = 32;
const DAY_MS = 86_400_000;
/** Anonymous recovery lookups per client address per minute: enough for a person, not for a scraper. */
const LOOKUPS_PER_MINUTE = 30;

async function accountByUsername(c: Context<AppEnv>): Promise<AccountRow> {
  const username = c.req.param("username")?.toLowerCase() ?? "";
  const account = USERNAME_PATTERN.test(username) ? await findAccountByUsername(c.env.DB, username) : undefined;
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
export const recoveryRoutes = new Hono<AppEnv>()
  .get("/recovery", requireSession, async (c) => {
    const { accountId } = c.var.session;
    const [stored, passphrase, lastUsedAt] = await Promise.all([findRecoveryBlob(c.env.DB, accountId), findPassphraseBlob(c.env.DB, accountId), recoveryLastUsedAt(c.env.DB, accountId)]);
    return c.json({
      blob: stored ? toBase64url(stored.blob) : null,
      counter: stored?.counter ?? 0,
      passphraseBlob: passphrase ? toBase64url(passphrase.blob) : null,
      lastUsedAt,
    } satisfies z.output<typeof recoveryStatusResponse>);
  })
  .put("/recovery/blob", requireSession, async (c) => {
    const { accountId } = c.var.session;
    const bytes = fromBase64url((await readJson(c, putRecoveryBlobRequest)).blob);
    const header = await decodeOr("invalid_blob", () => decodeRecoveryBlobHeader(bytes));
    if (header.accountId !== accountId) throw new BadRequest("invalid_blob", "the recovery blob is bound to another account");
    if (!(await putRecoveryBlob(c.env.DB, accountId, header.counter, bytes, Date.now()))) {
      const stored = await findRecoveryBlob(c.env.DB, accountId);
      throw new Conflict("stale_blob", `the stored recovery blob has counter ${stored?.counter ?? "?"}: seal the next one above it`);
    }
    return c.body(null, 204);
  })
  .put("/recovery/passphrase", requireSession, async (c) => {
    const { accountId } = c.var.session;
    const body = await readJson(c, putPassphraseRequest);
    const bytes = fromBase64url(body.blob);
    const decoded = await decodeOr("invalid_blob", () => decodePassphraseBlob(bytes));
    if (decoded.accountId !== accountId) throw new BadRequest("invalid_blob", "the passphrase blob is bound to another account");
    await putPassphraseBlob(c.env.DB, accountId, bytes, await tokenHash(body.accessToken), Date.now());
    return c.body(null, 204);
  })
  .delete("/recovery/passphrase", requireSession, async (c) => {
    await deletePassphraseBlob(c.env.DB, c.var.session.accountId);
    return c.body(null, 204);
  })
  .get("/recovery/:username", async (c) => {
    await rateLimit(c, "recovery", LOOKUPS_PER_MINUTE, 60_000);
    const account = await accountByUsername(c);
    const [stored, passphrase, lastUsedAt, log] = await Promise.all([
      findRecoveryBlob(c.env.DB, account.id),
      findPassphraseBlob(c.env.DB, account.id),
      recoveryLastUsedAt(c.env.DB, account.id),
      readLog(c.env.DB, account.id),
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
  })
  .post("/recovery/:username/passphrase", async (c) => {
    await rateLimit(c, "recovery", LOOKUPS_PER_MINUTE, 60_000);
    const account = await accountByUsername(c);
    const client = clientAddress(c);
    const now = Date.now();
    const { accessToken } = await readJson(c, unlockPassphraseRequest);
    const hash = await tokenHash(accessToken);
    const stored = await findPassphraseBlob(c.env.DB, account.id);
    if (!stored) throw new NotFound("this account has no passphrase");
    // Each try is claimed before the token is judged, in one statement per counter, so parallel guesses
    // queue behind the back-off instead of all being judged at once.
    if ((await claimPassphraseAttempt(c.env.DB, account.id, client, now, { freeTries: FREE_PASSPHRASE_TRIES, baseDelayMs: PASSPHRASE_BASE_DELAY_MS, maxDelayMs: PASSPHRASE_MAX_DELAY_MS })) === undefined) {
      const past = await findPassphraseFailures(c.env.DB, account.id, client);
      const waitS = Math.max(1, Math.ceil(((past?.lastFailureAt ?? now) + passphraseDelayMs(past?.failures ?? 0) - now) / 1000));
      throw new TooManyRequests(`too many wrong passphrases from this address: wait ${waitS} s`, waitS);
    }
    const day = Math.floor(now / DAY_MS);
    if ((await claimPassphraseBudget(c.env.DB, account.id, day, PASSPHRASE_DAILY_BUDGET)) === undefined) {
      const waitS = Math.max(1, Math.ceil(((day + 1) * DAY_MS - now) / 1000));
      throw new TooManyRequests(`this account had ${PASSPHRASE_DAILY_BUDGET} wrong passphrases today: try again tomorrow, or use the recovery key or key file`, waitS);
    }
    if (!bytesEqual(hash, stored.tokenHash)) throw new Forbidden("wrong_passphrase", "the passphrase is wrong");
    await Promise.all([clearPassphraseFailures(c.env.DB, account.id, client), refundPassphraseBudget(c.env.DB, account.id, day)]);
    return c.json({ blob: toBase64url(stored.blob) } satisfies z.output<typeof unlockPassphraseResponse>);
  });
