import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localVapidVars } from "../../../scripts/wrangler.mjs";

const tempFile = () => join(mkdtempSync(join(tmpdir(), "vapid-")), ".dev.vars");

/** The pair signs what its public key verifies, as worker/push/vapid.ts checks at start. */
async function isPair(v: { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string }): Promise<boolean> {
  const point = Buffer.from(v.VAPID_PUBLIC_KEY, "base64url");
  const jwk = { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url"), d: v.VAPID_PRIVATE_KEY };
  const alg = { name: "ECDSA", namedCurve: "P-256" };
  const sign = await crypto.subtle.importKey("jwk", jwk, alg, false, ["sign"]);
  const verify = await crypto.subtle.importKey("raw", point, alg, false, ["verify"]);
  const data = new Uint8Array([1, 2, 3]);
  return crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, verify, await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, sign, data), data);
}

describe("the local VAPID key pair (npm start, e2e)", () => {
  it("is made on first use, written to .dev.vars, and the same pair comes back after", async () => {
    const path = tempFile();
    const first = localVapidVars(path);
    expect(Buffer.from(first.VAPID_PUBLIC_KEY, "base64url")).toHaveLength(65);
    expect(Buffer.from(first.VAPID_PRIVATE_KEY, "base64url")).toHaveLength(32);
    expect(await isPair(first)).toBe(true);
    expect(readFileSync(path, "utf8")).toContain(`VAPID_PUBLIC_KEY=${first.VAPID_PUBLIC_KEY}\n`);
    expect(localVapidVars(path)).toEqual(first);
  });

  it("keeps what .dev.vars already holds and adds the pair below it", () => {
    const path = tempFile();
    writeFileSync(path, "OTHER_SECRET=keep me");
    const made = localVapidVars(path);
    const text = readFileSync(path, "utf8");
    expect(text.startsWith("OTHER_SECRET=keep me\n")).toBe(true);
    expect(text).toContain(`VAPID_PRIVATE_KEY=${made.VAPID_PRIVATE_KEY}\n`);
    expect(localVapidVars(path)).toEqual(made);
  });

  it("uses a pair the user put there", () => {
    const path = tempFile();
    writeFileSync(path, 'VAPID_PUBLIC_KEY="BPUB"\nVAPID_PRIVATE_KEY=priv\n');
    expect(localVapidVars(path)).toEqual({ VAPID_PUBLIC_KEY: "BPUB", VAPID_PRIVATE_KEY: "priv" });
  });
});
