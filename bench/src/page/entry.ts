// Runs inside a Chromium page (bundled by bench/run.mjs as an IIFE): the same measuring code as in Node,
// with the page's own WebCrypto.
import { cryptoEnvFrom } from "../../../protocol/subtle.js";
import { timeEnvelopes, type EnvelopeTimingParams } from "../core/envelope-timing.js";
import { timeGroups, type GroupTimingParams } from "../core/group-timing.js";
import { timeUnlock, type UnlockParams } from "../core/unlock-timing.js";
import { argon2id } from "../../../web/src/client/recovery/argon2.js";
import { streamLong, timeThroughput, type LongStreamParams, type ThroughputParams } from "../core/attachment-timing.js";
import { timeSearch, type SearchTimingParams } from "../search/search-timing.js";

const env = cryptoEnvFrom(crypto);

const api = {
  envelopes: (p: EnvelopeTimingParams) => timeEnvelopes(env, p),
  groups: (p: GroupTimingParams) => timeGroups(env, p),
  unlock: (p: UnlockParams) => timeUnlock(env, argon2id, p),
  attachmentThroughput: (p: ThroughputParams) => timeThroughput(env, p),
  attachmentLongStream: (p: LongStreamParams) => streamLong(env, p),
  search: (p: SearchTimingParams) => timeSearch(p),
};

export type PageApi = typeof api;
(globalThis as unknown as { sealedBench: PageApi }).sealedBench = api;
