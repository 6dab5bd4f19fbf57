import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_BUNDLE_BYTES } from "../../protocol/api.js";
import { TooLarge } from "../errors.js";

/** Every JSON body but an epoch bundle: a genesis is <= 8 KiB and an envelope <= 70 KiB, as base64url. */
export const DEFAULT_BODY_LIMIT = 128 * 1024;
/** An epoch bundle of MAX_BUNDLE_BYTES (1 MiB) as base64url, plus room for the JSON around it. */
export const BUNDLE_BODY_LIMIT = Math.ceil((MAX_BUNDLE_BYTES * 4) / 3) + 1024;

const EPOCHS_PATH = /^\/api\/conversations\/[^/]+\/epochs\/?$/;

function limit(maxSize: number): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new TooLarge(`the body is larger than ${maxSize} bytes`);
    },
  });
}

const bundleLimit = limit(BUNDLE_BODY_LIMIT);
const defaultLimit = limit(DEFAULT_BODY_LIMIT);

/** Bounds every body before anything reads it; only the epoch route gets the large limit. */
export const bodyLimits: MiddlewareHandler = (c, next) => (EPOCHS_PATH.test(c.req.path) ? bundleLimit : defaultLimit)(c, next);
