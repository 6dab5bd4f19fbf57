// The shared known-answer suite on Node. UPDATE_VECTORS=1 rewrites the expected bytes of formats.json
// from its fixed inputs (only when a format version changes on purpose).
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { toHex } from "../../../protocol/index.js";
import { buildFormats, runVectorSuite, type FormatVectors, type PublishedVectors } from "../../shared/vector-suite.js";
import published from "../../vectors/published.json" with { type: "json" };

const FORMATS = new URL("../../vectors/formats.json", import.meta.url);
const subtle = globalThis.crypto.subtle as never;

async function regenerate(): Promise<void> {
  const v = JSON.parse(readFileSync(FORMATS, "utf8")) as FormatVectors;
  const f = await buildFormats(subtle, v);
  v.expected.alice_genesis = toHex(f.alice.genesis.bytes);
  v.expected.alice_account_id = f.alice.state.accountId;
  v.expected.bob_genesis = toHex(f.bob.genesis.bytes);
  v.expected.recovery_key_text = f.recoveryKeyText;
  v.expected.bundle.bytes = toHex(f.bundle.bytes);
  v.expected.envelope.bytes = toHex(f.envelope.bytes);
  v.expected.login.input = toHex(f.loginInput);
  v.expected.login.signature = toHex(f.loginSignature);
  v.expected.safety_number = f.safetyNumber;
  v.expected.link.offer_text = f.linkOfferText;
  v.expected.link.hello_frame = toHex(f.linkHelloFrame);
  v.expected.recovery_blob.bytes = toHex(f.recoveryBlob);
  v.expected.recovery_blob.key_file = f.keyFile;
  v.expected.content.kinds.forEach((k, i) => (k.body = toHex(f.contentBodies[i]!)));
  v.expected.content.unknown.body = toHex(f.unknownBody);
  writeFileSync(FORMATS, JSON.stringify(v, null, 2) + "\n");
}

describe("known-answer vectors on Node", async () => {
  if (process.env.UPDATE_VECTORS === "1") await regenerate();
  const formats = JSON.parse(readFileSync(FORMATS, "utf8")) as FormatVectors;
  const results = await runVectorSuite(subtle, published as PublishedVectors, formats);

  it("runs every vector", () => expect(results.length).toBeGreaterThan(15));
  it.each(results.map((r) => [r.name, r] as const))("%s", (_name, r) => {
    expect(r.detail ?? "").toBe("");
    expect(r.ok).toBe(true);
  });
});
