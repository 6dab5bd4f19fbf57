import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_BUNDLE_BYTES, MAX_HISTORY_SHARES, MAX_MEMBERSHIP_ENTRY_BYTES } from "../../protocol/api.js";
import { HISTORY_SHARE_BYTES } from "../../protocol/history-share.js";
import { TooLarge } from "../errors.js";

/** Every JSON body but an epoch bundle or a membership post: a genesis is <= 8 KiB and an envelope <= 70 KiB, as base64url. */
export const DEFAULT_BODY_LIMIT = 128 * 1024;
/** An epoch bundle of MAX_BUNDLE_BYTES (1 MiB) as base64url, plus room for the JSON around it. */
export const BUNDLE_BODY_LIMIT = Math.ceil((MAX_BUNDLE_BYTES * 4) / 3) + 1024;
/**
 * A membership entry with MAX_HISTORY_SHARES history shares (about 2.7 MB): each share as base64url with
 * its quotes and comma, plus the entry and room for the JSON around them.
 */
export const MEMBERSHIP_BODY_LIMIT = Math.ceil((MAX_MEMBERSHIP_ENTRY_BYTES * 4) / 3) + MAX_HISTORY_SHARES * (Math.ceil((HISTORY_SHARE_BYTES * 4) / 3) + 3) + 1024;

const EPOCHS_PATH = /^\/api\/conversations\/[^/]+\/epochs\/?$/;
const MEMBERSHIP_PATH = /^\/api\/conversations\/[^/]+\/membership\/?$/;
/** Attachment parts are raw bytes, bounded by the route itself: Content-Length must be the part's length (8 MiB at most). */
const ATTACHMENT_PART_PATH = /^\/api\/attachments\/[^/]+\/parts\/[^/]+\/?$/;

function limit(maxSize: number): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new TooLarge(`the body is larger than ${maxSize} bytes`);
    },
  });
}

const bundleLimit = limit(BUNDLE_BODY_LIMIT);
const membershipLimit = limit(MEMBERSHIP_BODY_LIMIT);
const defaultLimit = limit(DEFAULT_BODY_LIMIT);

/**
 * Bounds every body before anything reads it; only the epoch and membership routes get larger limits,
 * and a PUT of an attachment part none here (its route refuses any length but the part's own).
 */
export const bodyLimits: MiddlewareHandler = (c, next) => {
  if (c.req.method === "PUT" && ATTACHMENT_PART_PATH.test(c.req.path)) return next();
  return (EPOCHS_PATH.test(c.req.path) ? bundleLimit : MEMBERSHIP_PATH.test(c.req.path) ? membershipLimit : defaultLimit)(c, next);
};
