// Issue 15: a request refused before its body is read leaves no unread body behind (under `wrangler dev`
// an unread body on a kept-alive connection turned the answer, or the next one, into a 503).
import { describe, expect, test } from "vitest";
import { ORIGIN, directFetch } from "./api.js";

/** A body stream that records how far it was read and whether it was cancelled. */
function observedBody(bytes: number, chunk = 64 * 1024) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (seen.pulled >= bytes) return controller.close();
        const n = Math.min(chunk, bytes - seen.pulled);
        seen.pulled += n;
        controller.enqueue(new Uint8Array(n).fill(0x5b));
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, seen };
}

async function refused(path: string, headers: Record<string, string>, bytes: number) {
  const { stream, seen } = observedBody(bytes);
  const res = await directFetch(`${ORIGIN}${path}`, { method: "POST", body: stream, headers: { "Content-Type": "application/json", "Content-Length": String(bytes), ...headers } });
  const body = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code, seen };
}

describe("a refused request's body", () => {
  test("no Origin (403 before anything reads the body): the body is read to its end", async () => {
    const r = await refused("/api/conversations/x/messages", {}, 100 * 1024);
    expect(r).toMatchObject({ status: 403, code: "bad_origin" });
    expect(r.seen.pulled).toBe(100 * 1024);
  });

  test("no session (401): read to its end", async () => {
    const r = await refused("/api/conversations/x/messages", { Origin: ORIGIN }, 64 * 1024 + 1);
    expect(r).toMatchObject({ status: 401, code: "unauthenticated" });
    expect(r.seen.pulled).toBe(64 * 1024 + 1);
  });

  test("an unknown route (404): read to its end", async () => {
    const r = await refused("/api/no-such-route", { Origin: ORIGIN }, 3 * 1024);
    expect(r).toMatchObject({ status: 404, code: "not_found" });
    expect(r.seen.pulled).toBe(3 * 1024);
  });

  test("a body declared larger than any route takes (413): cancelled, not read", async () => {
    const r = await refused("/api/conversations/x/messages", { Origin: ORIGIN }, 5 * 1024 * 1024);
    expect(r).toMatchObject({ status: 413, code: "too_large" });
    expect(r.seen.pulled).toBeLessThan(5 * 1024 * 1024);
  });
});
