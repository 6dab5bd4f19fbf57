// The worker's one error hierarchy (worker/errors.ts), mapped to HTTP once (worker/http/error-response.ts).
import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ProtocolError } from "../../protocol/errors.js";
import { parseRow } from "../../worker/db/rows.js";
import { BadRequest, CorruptRow, HttpError, NotFound, ServerFault, WorkerError } from "../../worker/errors.js";
import { decodeOr } from "../../worker/http/decode.js";
import { errorResponse } from "../../worker/http/error-response.js";

/** What the app answers when a handler throws `err`. */
async function answerTo(err: Error): Promise<{ status: number; body: unknown }> {
  const app = new Hono().get("/", () => {
    throw err;
  });
  app.onError(errorResponse);
  const res = await app.request("/");
  return { status: res.status, body: await res.json() };
}

describe("worker errors", () => {
  it("an answer keeps its status and code; a corrupt row is a logged 500 that tells the caller nothing", async () => {
    expect(await answerTo(new NotFound("no such device"))).toEqual({ status: 404, body: { error: { code: "not_found", message: "no such device" } } });
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const corrupt = await answerTo(new CorruptRow("accounts: expected a BLOB"));
      expect(corrupt).toEqual({ status: 500, body: { error: { code: "internal", message: "internal error" } } });
      expect(log).toHaveBeenCalledWith("unhandled error", expect.any(CorruptRow));
    } finally {
      log.mockRestore();
    }
  });

  it("is one hierarchy: answers are HttpErrors, faults (a corrupt row among them) are ServerFaults", () => {
    const answer = new BadRequest("invalid_body", "x");
    const fault = new CorruptRow("devices: bad");
    expect(answer).toBeInstanceOf(WorkerError);
    expect(answer).toBeInstanceOf(HttpError);
    expect(answer).not.toBeInstanceOf(ServerFault);
    expect(fault).toBeInstanceOf(WorkerError);
    expect(fault).toBeInstanceOf(ServerFault);
    expect(fault).not.toBeInstanceOf(HttpError);
  });

  it("parseRow takes (schema, table, row) like the client's, and keeps the schema's error as cause", () => {
    const schema = z.object({ n: z.number().int() });
    expect(parseRow(schema, "counts", { n: 3 })).toEqual({ n: 3 });
    let thrown: unknown;
    try {
      parseRow(schema, "counts", { n: "three" });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CorruptRow);
    expect(thrown).toMatchObject({ message: expect.stringMatching(/^counts: /), cause: expect.any(z.ZodError) });
  });

  it("a protocol error on caller bytes becomes a 400 that keeps it as cause", async () => {
    const original = new ProtocolError("malformed", "truncated entry");
    const wrapped = await decodeOr("invalid_entry", () => {
      throw original;
    }).catch((e: unknown) => e);
    expect(wrapped).toBeInstanceOf(BadRequest);
    expect(wrapped).toMatchObject({ code: "invalid_entry", status: 400, cause: original });
  });
});
