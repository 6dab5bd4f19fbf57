import { describe, expect, inject, test } from "vitest";
import { attachmentUploadResponse, createAttachmentResponse } from "../../protocol/api.js";
import { createAccount } from "../support/account.js";
import { startConversation } from "../support/conversation.js";
import { testCrypto } from "../support/crypto-env.js";
import { findInServerStorage, readServerStorage } from "./harness";
import { nodeApi } from "./link-helpers";

/**
 * Attachment storage under the real `wrangler dev --local` (issue 18, server slice): the R2 binding of
 * wrangler.toml works there, a multipart upload over HTTP resumes and comes back byte-identical, and the
 * server-blind scans can see R2's files. The browser client comes with a later slice.
 */
const baseURL = inject("baseURL");
const api = nodeApi(baseURL);

function put(cookie: string, path: string, body: Uint8Array): Promise<Response> {
  // Node's fetch sends a Uint8Array body with its Content-Length, as a browser does.
  return fetch(baseURL + path, { method: "PUT", headers: { Origin: baseURL, Cookie: cookie }, body: body.slice() });
}

describe("attachments over wrangler dev", () => {
  test("a two-part upload, resumed after a 'drop', downloads whole and by range, and R2's files hold it", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const { conversationId } = await startConversation(api, alice, bob);
    const bytes = new Uint8Array(9 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 65536) bytes.set(testCrypto.randomBytes(Math.min(65536, bytes.length - i)), i);

    const created = await api.call("POST", `/api/conversations/${conversationId}/attachments`, { cookie: alice.cookie, json: { size: bytes.length } });
    expect(created.status).toBe(201);
    const { id, partSize, parts } = createAttachmentResponse.parse(await created.json());
    expect(parts).toBe(2);
    expect((await put(alice.cookie, `/api/attachments/${id}/parts/2`, bytes.subarray(partSize))).status).toBe(200);
    const status = await api.call("GET", `/api/attachments/${id}/upload`, { cookie: alice.cookie });
    expect(attachmentUploadResponse.parse(await status.json())).toMatchObject({ received: [2], complete: false });
    expect((await put(alice.cookie, `/api/attachments/${id}/parts/1`, bytes.subarray(0, partSize))).status).toBe(200);
    expect((await api.call("POST", `/api/attachments/${id}/complete`, { cookie: alice.cookie })).status).toBe(200);

    const whole = await api.call("GET", `/api/attachments/${id}`, { cookie: bob.cookie });
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-length")).toBe(String(bytes.length));
    expect(Buffer.from(await whole.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    const tail = await api.call("GET", `/api/attachments/${id}`, { cookie: bob.cookie, headers: { Range: `bytes=${partSize - 5}-${partSize + 4}` } });
    expect(tail.status).toBe(206);
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bytes.subarray(partSize - 5, partSize + 5));

    const stranger = await createAccount(api, "mallory");
    expect((await api.call("GET", `/api/attachments/${id}`, { cookie: stranger.cookie })).status).toBe(404);

    // The scans read R2's object bytes: a slice of the ciphertext is found there, and not in D1.
    const persistDir = inject("persistDir");
    expect(readServerStorage(persistDir).some((f) => f.path.includes("/v3/r2/"))).toBe(true);
    const found = findInServerStorage(persistDir, bytes.subarray(1000, 1064));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((p) => p.includes("/v3/r2/"))).toBe(true);
  });
});
