import { describe, expect, test } from "vitest";
import { toBase64url } from "../../protocol/bytes.js";
import { createAccount } from "../support/account.js";
import { api, expectError } from "./api.js";

// Every state-changing route, with a syntactically fine path: the origin check must come first.
const someId = toBase64url(new Uint8Array(16));
const stateChanging: [string, string][] = [
  ["POST", "/api/accounts"],
  ["POST", "/api/session/challenge"],
  ["POST", "/api/session"],
  ["DELETE", "/api/session"],
  ["POST", "/api/conversations"],
  ["POST", `/api/conversations/${someId}/epochs`],
  ["POST", `/api/conversations/${someId}/messages`],
  ["POST", `/api/accounts/${toBase64url(new Uint8Array(32))}/log`],
  ["PUT", `/api/devices/${someId}/name`],
  ["POST", "/api/link"],
  ["POST", `/api/link/${someId}/respond`],
  ["POST", `/api/link/${someId}/frames`],
  ["DELETE", `/api/link/${someId}`],
  ["PUT", "/api/me"],
  ["PATCH", "/api/me"],
];

const badOrigins: [string, Record<string, string> | "none"][] = [
  ["no Origin", "none"],
  ["a foreign Origin", { Origin: "https://evil.example" }],
  ["Origin null", { Origin: "null" }],
  ["another scheme", { Origin: "https://example.com" }],
  ["another port", { Origin: "http://example.com:8080" }],
  ["a sibling host", { Origin: "http://sub.example.com" }],
];

describe("the origin check", () => {
  for (const [method, path] of stateChanging) {
    test.each(badOrigins)(`${method} ${path.replace(someId, ":id")} with %s is 403 bad_origin`, async (_what, headers) => {
      const account = await createAccount(api);
      const res = await api.call(method, path, {
        cookie: account.cookie,
        json: { anything: true },
        ...(headers === "none" ? { noOrigin: true } : { headers }),
      });
      await expectError(res, 403, "bad_origin");
    });
  }

  test("reads do not need an Origin", async () => {
    const account = await createAccount(api);
    expect((await api.call("GET", "/api/me", { cookie: account.cookie, noOrigin: true })).status).toBe(200);
    expect((await api.call("GET", "/api/health", { noOrigin: true })).status).toBe(200);
  });
});
