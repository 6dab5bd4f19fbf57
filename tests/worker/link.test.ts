import { env } from "cloudflare:workers";
import { afterEach, describe, expect, test } from "vitest";
import { LINK_LIFETIME_MS, MAX_LINK_FRAMES, createLinkResponse, linkFramesResponse, postLinkFrameResponse, respondLinkResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { MAX_LINK_FRAME_BYTES } from "../../protocol/link.js";
import { LINK_CREATE_LIMIT } from "../../worker/routes/links.js";
import { createAccount, logIn, type LoggedInAccount } from "../support/account.js";
import { testCrypto } from "../support/crypto-env.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, postLogEntry } from "../support/device-log.js";
import { createLink, deleteLink, freshAddress, getLinkFrames, openLink, postLinkFrame, respondToLink, type OpenedLink } from "../support/link-relay.js";
import { api, expectError } from "./api.js";
import { closeAllRealtime, connectRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

const key = () => testCrypto.randomBytes(32);
const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await testCrypto.subtle.digest("SHA-256", data));
}

/** A link answered by `existing`: returns the link and the existing device's ephemeral key. */
async function answeredLink(existing: LoggedInAccount): Promise<{ link: OpenedLink; ephemeralKey: Uint8Array }> {
  const link = await openLink(api);
  const ephemeralKey = key();
  expect((await respondToLink(api, existing.cookie, link.linkId, ephemeralKey)).status).toBe(200);
  return { link, ephemeralKey };
}

async function frames(res: Response) {
  expect(res.status).toBe(200);
  return linkFramesResponse.parse(await res.json());
}

/** Makes the link's lifetime run out, as if its time had passed. */
async function expire(linkId: string): Promise<void> {
  await env.DB.prepare("UPDATE link_sessions SET expires_at = ?2 WHERE link_id = ?1").bind(linkId, Date.now() - 1).run();
}

async function storedRows(linkId: string): Promise<{ links: number; frames: number }> {
  const links = await env.DB.prepare("SELECT COUNT(*) AS n FROM link_sessions WHERE link_id = ?").bind(linkId).first<{ n: number }>();
  const frames = await env.DB.prepare("SELECT COUNT(*) AS n FROM link_frames WHERE link_id = ?").bind(linkId).first<{ n: number }>();
  return { links: links!.n, frames: frames!.n };
}

describe("POST /api/link", () => {
  test("needs no session and answers a 16-byte link id, a 32-byte token and an expiry two minutes out", async () => {
    const before = Date.now();
    const res = await createLink(api);
    expect(res.status).toBe(201);
    const link = createLinkResponse.parse(await res.json());
    expect(fromBase64url(link.linkId)).toHaveLength(16);
    expect(fromBase64url(link.newToken)).toHaveLength(32);
    expect(link.expiresAt).toBeGreaterThanOrEqual(before + LINK_LIFETIME_MS);
    expect(link.expiresAt).toBeLessThanOrEqual(Date.now() + LINK_LIFETIME_MS);
    // Only the token's hash is stored.
    const row = await env.DB.prepare("SELECT new_token_hash FROM link_sessions WHERE link_id = ?").bind(link.linkId).first<{ new_token_hash: number[] }>();
    expect(Uint8Array.from(row!.new_token_hash)).toEqual(await sha256(fromBase64url(link.newToken)));
    const other = createLinkResponse.parse(await (await createLink(api)).json());
    expect(other.linkId).not.toBe(link.linkId);
    expect(other.newToken).not.toBe(link.newToken);
  });

  test(`allows ${LINK_CREATE_LIMIT} links per address per minute, then 429 with Retry-After`, async () => {
    const address = freshAddress();
    for (let i = 0; i < LINK_CREATE_LIMIT; i++) expect((await createLink(api, address)).status).toBe(201);
    const refused = await createLink(api, address);
    const retryAfter = Number(refused.headers.get("retry-after"));
    await expectError(refused, 429, "rate_limited");
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get("cache-control")).toBe("no-store");
    // Another address is not affected.
    expect((await createLink(api)).status).toBe(201);
  });

  test("counts an IPv6 client by its /64", async () => {
    const group = () => ((Math.random() * 0xffff) | 0).toString(16);
    const prefix = `2001:db8:${group()}:${group()}`;
    for (let i = 0; i < LINK_CREATE_LIMIT; i++) expect((await createLink(api, `${prefix}::${i + 1}`)).status).toBe(201);
    await expectError(await createLink(api, `${prefix}:0:0:0:ffff`), 429, "rate_limited");
    await expectError(await createLink(api, `${prefix.toUpperCase()}::abcd`), 429, "rate_limited");
  });

  test("sweeps expired links and their frames whenever a link is opened", async () => {
    const alice = await createAccount(api, "alice");
    const { link } = await answeredLink(alice);
    expect((await postLinkFrame(api, link.linkId, "existing", bytes(10), { cookie: alice.cookie })).status).toBe(201);
    await expire(link.linkId);
    await openLink(api);
    expect(await storedRows(link.linkId)).toEqual({ links: 0, frames: 0 });
  });
});

describe("POST /api/link/:linkId/respond", () => {
  test("stores the existing device's key and account once; a second answer is 409", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const link = await openLink(api);
    const ephemeralKey = key();
    const res = await respondToLink(api, alice.cookie, link.linkId, ephemeralKey);
    expect(res.status).toBe(200);
    const { expiresAt } = respondLinkResponse.parse(await res.json());
    expect(expiresAt).toBeGreaterThanOrEqual(link.expiresAt);
    const row = await env.DB.prepare("SELECT responder_account_id, responder_device_id, responder_key FROM link_sessions WHERE link_id = ?")
      .bind(link.linkId)
      .first<{ responder_account_id: string; responder_device_id: string; responder_key: number[] }>();
    expect(row?.responder_account_id).toBe(alice.accountId);
    expect(row?.responder_device_id).toBe(alice.deviceId);
    expect(Uint8Array.from(row!.responder_key)).toEqual(ephemeralKey);

    await expectError(await respondToLink(api, bob.cookie, link.linkId, key()), 409, "link_taken");
    await expectError(await respondToLink(api, alice.cookie, link.linkId, key()), 409, "link_taken");
    // The first answer stands.
    expect((await frames(await getLinkFrames(api, link.linkId, "existing", 0, { token: link.newToken }))).responder).toEqual({ ephemeralKey: toBase64url(ephemeralKey) });
  });

  test("of two concurrent answers exactly one wins", async () => {
    const [alice, bob] = [await createAccount(api, "alice"), await createAccount(api, "bob")];
    const link = await openLink(api);
    const answers = await Promise.all([respondToLink(api, alice.cookie, link.linkId, key()), respondToLink(api, bob.cookie, link.linkId, key())]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  test("needs a session", async () => {
    const link = await openLink(api);
    await expectError(await api.call("POST", `/api/link/${link.linkId}/respond`, { json: { ephemeralKey: toBase64url(key()) } }), 401, "unauthenticated");
  });

  test("answers 404 for an unknown or malformed link id and 410 for an expired link", async () => {
    const alice = await createAccount(api, "alice");
    await expectError(await respondToLink(api, alice.cookie, toBase64url(testCrypto.randomBytes(16)), key()), 404, "not_found");
    await expectError(await respondToLink(api, alice.cookie, toBase64url(testCrypto.randomBytes(15)), key()), 404, "not_found");
    await expectError(await respondToLink(api, alice.cookie, "not-an-id!", key()), 404, "not_found");
    const link = await openLink(api);
    await expire(link.linkId);
    await expectError(await respondToLink(api, alice.cookie, link.linkId, key()), 410, "link_expired");
    // Gone for good: the expired link was deleted on that access.
    await expectError(await respondToLink(api, alice.cookie, link.linkId, key()), 404, "not_found");
  });

  test("refuses a key that is not 32 bytes", async () => {
    const alice = await createAccount(api, "alice");
    const link = await openLink(api);
    const message = await expectError(await respondToLink(api, alice.cookie, link.linkId, bytes(31)), 400, "invalid_body");
    expect(message).toContain("ephemeralKey");
  });
});

describe("link frames", () => {
  test("relay both ways, in order, each side reading only the other's, with after= paging", async () => {
    const alice = await createAccount(api, "alice");
    const { link, ephemeralKey } = await answeredLink(alice);
    const n = { token: link.newToken };
    const o = { cookie: alice.cookie };
    const fromNew = [bytes(5, 1), bytes(300, 2), bytes(17, 3)];
    const fromExisting = [bytes(40, 4), bytes(2, 5)];
    // Interleaved posts; each side's seq counts on its own.
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await postLinkFrame(api, link.linkId, "new", fromNew[i]!, n);
      expect(a.status).toBe(201);
      seqs.push(postLinkFrameResponse.parse(await a.json()).seq);
      if (fromExisting[i]) {
        const b = await postLinkFrame(api, link.linkId, "existing", fromExisting[i]!, o);
        expect(b.status).toBe(201);
        expect(postLinkFrameResponse.parse(await b.json()).seq).toBe(i + 1);
      }
    }
    expect(seqs).toEqual([1, 2, 3]);

    const forExisting = await frames(await getLinkFrames(api, link.linkId, "new", 0, o));
    expect(forExisting.frames).toEqual(fromNew.map((f, i) => ({ seq: i + 1, frame: toBase64url(f) })));
    expect(forExisting.responder).toEqual({ ephemeralKey: toBase64url(ephemeralKey) });
    const forNew = await frames(await getLinkFrames(api, link.linkId, "existing", 0, n));
    expect(forNew.frames).toEqual(fromExisting.map((f, i) => ({ seq: i + 1, frame: toBase64url(f) })));
    expect(forNew.expiresAt).toBe(forExisting.expiresAt);

    expect((await frames(await getLinkFrames(api, link.linkId, "new", 2, o))).frames).toEqual([{ seq: 3, frame: toBase64url(fromNew[2]!) }]);
    expect((await frames(await getLinkFrames(api, link.linkId, "new", 3, o))).frames).toEqual([]);
  });

  test("before an answer the new device sees no responder and cannot post yet", async () => {
    const link = await openLink(api);
    const before = await frames(await getLinkFrames(api, link.linkId, "existing", 0, { token: link.newToken }));
    expect(before).toEqual({ frames: [], responder: null, expiresAt: link.expiresAt });
    await expectError(await postLinkFrame(api, link.linkId, "new", bytes(8), { token: link.newToken }), 409, "link_not_answered");
  });

  test("refuses the wrong party with 403 and a missing credential with 401", async () => {
    const [alice, bob] = [await createAccount(api, "alice"), await createAccount(api, "bob")];
    const { link } = await answeredLink(alice);
    const other = await openLink(api);
    const wrongToken = { token: other.newToken };
    const frame = bytes(8);
    // The new side: another link's token, a malformed token, no token.
    await expectError(await postLinkFrame(api, link.linkId, "new", frame, wrongToken), 403, "forbidden");
    await expectError(await postLinkFrame(api, link.linkId, "new", frame, { token: "short" }), 403, "forbidden");
    await expectError(await postLinkFrame(api, link.linkId, "new", frame, { cookie: alice.cookie }), 401, "unauthenticated");
    await expectError(await getLinkFrames(api, link.linkId, "existing", 0, wrongToken), 403, "forbidden");
    // The existing side: another account's session, no session, or the token instead of a session.
    await expectError(await postLinkFrame(api, link.linkId, "existing", frame, { cookie: bob.cookie }), 403, "forbidden");
    await expectError(await postLinkFrame(api, link.linkId, "existing", frame, { token: link.newToken }), 401, "unauthenticated");
    await expectError(await getLinkFrames(api, link.linkId, "new", 0, { cookie: bob.cookie }), 403, "forbidden");
    await expectError(await getLinkFrames(api, link.linkId, "new", 0, { token: link.newToken }), 401, "unauthenticated");
    expect(await storedRows(link.linkId)).toEqual({ links: 1, frames: 0 });
  });

  test("another device of the answering account is not the existing side", async () => {
    const alice = await createAccount(api, "alice");
    const device = await makeDevice();
    const entry = await addDeviceEntry(accountLog(alice), device, genesisDevice(alice));
    expect((await postLogEntry(api, alice.cookie, alice.accountId, entry)).status).toBe(201);
    const otherDevice = { cookie: await logIn(api, asDevice(alice, device, (await entry.next()).state)) };
    const { link } = await answeredLink(alice);
    await expectError(await postLinkFrame(api, link.linkId, "existing", bytes(8), otherDevice), 403, "forbidden");
    await expectError(await getLinkFrames(api, link.linkId, "new", 0, otherDevice), 403, "forbidden");
  });

  test("takes a frame of exactly 64 KiB and refuses a larger one with 413", async () => {
    const alice = await createAccount(api, "alice");
    const { link } = await answeredLink(alice);
    expect((await postLinkFrame(api, link.linkId, "existing", bytes(MAX_LINK_FRAME_BYTES), { cookie: alice.cookie })).status).toBe(201);
    await expectError(await postLinkFrame(api, link.linkId, "existing", bytes(MAX_LINK_FRAME_BYTES + 1), { cookie: alice.cookie }), 413, "too_large");
    await expectError(await postLinkFrame(api, link.linkId, "new", bytes(MAX_LINK_FRAME_BYTES + 1), { token: link.newToken }), 413, "too_large");
    const message = await expectError(await postLinkFrame(api, link.linkId, "new", "", { token: link.newToken }), 400, "invalid_body");
    expect(message).toContain("frame");
    await expectError(await postLinkFrame(api, link.linkId, "new", "AA==", { token: link.newToken }), 400, "invalid_body");
    expect(await storedRows(link.linkId)).toEqual({ links: 1, frames: 1 });
  });

  test(`holds at most ${MAX_LINK_FRAMES} frames per side, then 409 link_full`, async () => {
    const alice = await createAccount(api, "alice");
    const { link } = await answeredLink(alice);
    const posts = await Promise.all(Array.from({ length: MAX_LINK_FRAMES + 4 }, (_, i) => postLinkFrame(api, link.linkId, "new", bytes(4, i), { token: link.newToken })));
    expect(posts.filter((r) => r.status === 201)).toHaveLength(MAX_LINK_FRAMES);
    for (const r of posts.filter((x) => x.status !== 201)) await expectError(r, 409, "link_full");
    const stored = await frames(await getLinkFrames(api, link.linkId, "new", 0, { cookie: alice.cookie }));
    expect(stored.frames.map((f) => f.seq)).toEqual(Array.from({ length: MAX_LINK_FRAMES }, (_, i) => i + 1));
    // The other side has its own allowance.
    expect((await postLinkFrame(api, link.linkId, "existing", bytes(4), { cookie: alice.cookie })).status).toBe(201);
  });

  test("an expired link answers 410 once, then 404, and nothing of it is left", async () => {
    const alice = await createAccount(api, "alice");
    const { link } = await answeredLink(alice);
    expect((await postLinkFrame(api, link.linkId, "existing", bytes(10), { cookie: alice.cookie })).status).toBe(201);
    await expire(link.linkId);
    await expectError(await getLinkFrames(api, link.linkId, "existing", 0, { token: link.newToken }), 410, "link_expired");
    expect(await storedRows(link.linkId)).toEqual({ links: 0, frames: 0 });
    await expectError(await getLinkFrames(api, link.linkId, "existing", 0, { token: link.newToken }), 404, "not_found");
    await expectError(await postLinkFrame(api, link.linkId, "new", bytes(3), { token: link.newToken }), 404, "not_found");

    const second = (await answeredLink(alice)).link;
    await expire(second.linkId);
    await expectError(await postLinkFrame(api, second.linkId, "existing", bytes(3), { cookie: alice.cookie }), 410, "link_expired");
  });

  test("refuses a malformed query with 400 invalid_query", async () => {
    const link = await openLink(api);
    const base = `/api/link/${link.linkId}/frames`;
    const headers = { "X-Link-Token": link.newToken };
    for (const query of ["", "?from=both", "?from=existing&after=-1", "?from=existing&after=1e3", "?from=existing&limit=3"]) {
      await expectError(await api.call("GET", base + query, { headers }), 400, "invalid_query");
    }
  });

  test("a frame from the new device is pushed to the answering device's sockets only", async () => {
    const alice = await createAccount(api, "alice");
    const { link } = await answeredLink(alice);
    const [mine, otherTab] = [await connectRealtime(alice), await connectRealtime(alice)];
    expect((await postLinkFrame(api, link.linkId, "new", bytes(9), { token: link.newToken })).status).toBe(201);
    for (const socket of [mine, otherTab]) expect(await socket.inbox.waitFor("link")).toEqual({ type: "link", linkId: link.linkId });
    // The existing side's own frames push nothing.
    expect((await postLinkFrame(api, link.linkId, "existing", bytes(9), { cookie: alice.cookie })).status).toBe(201);
    mine.ws.send(JSON.stringify({ type: "ping" }));
    await mine.inbox.waitFor("pong");
    expect(mine.inbox.ofType("link")).toHaveLength(1);
  });
});

describe("DELETE /api/link/:linkId", () => {
  test("either side ends the link and its frames at once; others may not", async () => {
    const [alice, bob] = [await createAccount(api, "alice"), await createAccount(api, "bob")];
    for (const side of ["new", "existing"] as const) {
      const { link } = await answeredLink(alice);
      expect((await postLinkFrame(api, link.linkId, "existing", bytes(10), { cookie: alice.cookie })).status).toBe(201);
      await expectError(await deleteLink(api, link.linkId, { cookie: bob.cookie }), 403, "forbidden");
      await expectError(await deleteLink(api, link.linkId, { token: (await openLink(api)).newToken }), 403, "forbidden");
      expect((await deleteLink(api, link.linkId, side === "new" ? { token: link.newToken } : { cookie: alice.cookie })).status).toBe(204);
      expect(await storedRows(link.linkId)).toEqual({ links: 0, frames: 0 });
      await expectError(await getLinkFrames(api, link.linkId, "existing", 0, { token: link.newToken }), 404, "not_found");
    }
  });
});
