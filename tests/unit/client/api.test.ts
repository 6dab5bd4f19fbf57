import { describe, expect, test } from "vitest";
import { Api, ApiError, isApiError } from "../../../web/src/client/transport/api.js";

const respond = (status: number, body: unknown) => async () => new Response(body === undefined ? "" : JSON.stringify(body), { status });

describe("Api", () => {
  test("parses a good response with its schema", async () => {
    const api = new Api("", respond(200, { nonce: "A".repeat(43) }));
    expect(await api.challenge("A".repeat(43) as never, "A".repeat(22) as never)).toEqual({ nonce: "A".repeat(43) });
  });

  test("turns an error body into a typed ApiError with code, message and status", async () => {
    const api = new Api("", respond(409, { error: { code: "username_taken", message: "taken" } }));
    const err = await api.signUp("alice", new Uint8Array([1])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "username_taken", message: "taken", status: 409 });
  });

  test("an error without a body is http_<status>", async () => {
    const err = await new Api("", respond(502, undefined)).me().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "http_502", status: 502 });
  });

  test("a response that fails its schema is bad_response, never passed on", async () => {
    const err = await new Api("", respond(200, { nonce: "short" })).challenge("A".repeat(43) as never, "A".repeat(22) as never).catch((e: unknown) => e);
    expect(isApiError(err, "bad_response")).toBe(true);
  });

  test("a failed fetch is a network error with status 0", async () => {
    const api = new Api("", async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(await api.me().catch((e: unknown) => e)).toMatchObject({ code: "network", status: 0 });
  });

  test("sends JSON with the session cookie policy of the page", async () => {
    let seen: RequestInit | undefined;
    const api = new Api("", async (_u, init) => {
      seen = init;
      return new Response(JSON.stringify({ conversation: { id: "A".repeat(22), kind: "direct", members: ["A".repeat(43), "B".repeat(42) + "A"], createdAt: 1, lastSeq: 0 } }));
    });
    await api.createConversation("B".repeat(42) + "A" as never);
    expect(seen?.credentials).toBe("same-origin");
    expect(JSON.parse(String(seen?.body))).toEqual({ peer: "B".repeat(42) + "A" });
  });
});
