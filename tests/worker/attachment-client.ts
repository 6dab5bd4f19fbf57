import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { attachmentUploadResponse, createAttachmentResponse, type AttachmentId } from "../../protocol/api.js";
import { createApp } from "../../worker/app.js";
import type { Bindings } from "../../worker/env.js";
import type { LoggedInAccount } from "../support/account.js";
import { ORIGIN } from "./api.js";

/**
 * Attachment requests for worker tests: raw part bodies (the JSON api client sends only strings), and
 * an optional set of vars (ATTACHMENT_MAX_BYTES, ATTACHMENT_QUOTA_BYTES) laid over the test env, as
 * `wrangler dev --var` or a deployment would set them.
 */
const app = createApp();

export type Vars = Partial<Pick<Bindings, "ATTACHMENT_MAX_BYTES" | "ATTACHMENT_QUOTA_BYTES">>;

export async function send(method: string, path: string, o: { cookie?: string; headers?: Record<string, string>; body?: BodyInit; vars?: Vars } = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const headers = { Origin: ORIGIN, ...(o.cookie === undefined ? {} : { Cookie: o.cookie }), ...o.headers };
  const res = await app.fetch(new Request(ORIGIN + path, { method, headers, ...(o.body === undefined ? {} : { body: o.body }) }), { ...env, ...o.vars }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export function createUploadRequest(as: LoggedInAccount, conversationId: string, size: number, vars?: Vars): Promise<Response> {
  return send("POST", `/api/conversations/${conversationId}/attachments`, { cookie: as.cookie, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ size }), ...(vars ? { vars } : {}) });
}

/** Creates an upload of `size` bytes and returns what the server answered (201 asserted). */
export async function createUpload(as: LoggedInAccount, conversationId: string, size: number, vars?: Vars) {
  const res = await createUploadRequest(as, conversationId, size, vars);
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status: 201 });
  return createAttachmentResponse.parse(JSON.parse(text));
}

/** PUT one part with its Content-Length (as a browser sends a Blob or ArrayBuffer body). */
export function putPart(as: LoggedInAccount, id: string, n: number | string, bytes: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return send("PUT", `/api/attachments/${id}/parts/${n}`, { cookie: as.cookie, headers: { "Content-Length": String(bytes.length), ...headers }, body: bytes });
}

export async function uploadStatus(as: LoggedInAccount, id: string) {
  const res = await send("GET", `/api/attachments/${id}/upload`, { cookie: as.cookie });
  expect(res.status).toBe(200);
  return attachmentUploadResponse.parse(await res.json());
}

export function complete(as: LoggedInAccount, id: string): Promise<Response> {
  return send("POST", `/api/attachments/${id}/complete`, { cookie: as.cookie });
}

export function download(as: LoggedInAccount, id: string, range?: string): Promise<Response> {
  return send("GET", `/api/attachments/${id}`, { cookie: as.cookie, ...(range === undefined ? {} : { headers: { Range: range } }) });
}

export function remove(as: LoggedInAccount, id: string): Promise<Response> {
  return send("DELETE", `/api/attachments/${id}`, { cookie: as.cookie });
}

/** Deterministic bytes that differ at every offset modulo a large prime: a swapped or shifted part shows. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Uploads `bytes` whole (every part, then complete) and returns the id. */
export async function uploadBlob(as: LoggedInAccount, conversationId: string, bytes: Uint8Array): Promise<AttachmentId> {
  const { id, partSize, parts } = await createUpload(as, conversationId, bytes.length);
  for (let n = 1; n <= parts; n++) {
    const res = await putPart(as, id, n, bytes.subarray((n - 1) * partSize, n * partSize));
    expect(res.status, await res.clone().text()).toBe(200);
  }
  expect((await complete(as, id)).status).toBe(200);
  return id;
}

export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Moves an attachment's creation `ms` into the past in D1, as if that much time had gone by. */
export async function age(id: string, ms: number): Promise<void> {
  const res = await env.DB.prepare("UPDATE attachments SET created_at = created_at - ?2 WHERE id = ?1").bind(id, ms).run();
  if (res.meta.changes !== 1) throw new Error(`no attachment ${id} to age`);
}
