// docs/PROTOCOL.md must stay true: each hex example in it decodes, verifies, and equals the vectors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ATTACHMENT_HEADER_BYTES, AccountId, decodeAttachmentHeader, decodeAttachmentPayload, decodeBody, decodeBundle, decodeEnvelope, decodeKeyFile, decodeRecoveryBlobHeader, fromHex, parseLinkOffer, toHex, verifyLog } from "../../../protocol/index.js";
import attachments from "../../vectors/attachment.json" with { type: "json" };
import formats from "../../vectors/formats.json" with { type: "json" };
import mentions from "../../vectors/mentions.json" with { type: "json" };
import { env } from "./fixtures.js";

const doc = readFileSync(new URL("../../../docs/PROTOCOL.md", import.meta.url), "utf8");
const examples = new Map([...doc.matchAll(/```hex example=([\w-]+)\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!.replace(/\s+/g, "")]));
const texts = new Map([...doc.matchAll(/```text example=([\w-]+)\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]));
const x = formats.expected;

describe("docs/PROTOCOL.md examples", () => {
  it("has every documented example", () => {
    expect([...examples.keys()].sort()).toEqual([
      "attachment-empty",
      "attachment-one-byte",
      "bundle",
      "content-attachment",
      "content-delete",
      "content-edit",
      "content-mentions-edit",
      "content-mentions-reply",
      "content-mentions-text",
      "content-reaction",
      "content-reaction-removed",
      "content-receipt",
      "content-reply",
      "content-text",
      "content-unknown",
      "envelope",
      "genesis",
      "link-hello",
      "login",
      "recovery-blob",
    ]);
    expect([...texts.keys()].sort()).toEqual(["key-file", "link-offer"]);
  });

  it("genesis verifies and hashes to the documented account id", async () => {
    const state = await verifyLog(env, [fromHex(examples.get("genesis")!)]);
    expect(state.accountId).toBe(AccountId.parse(x.alice_account_id));
    expect(doc).toContain(state.accountId);
    expect(examples.get("genesis")).toBe(x.alice_genesis);
  });

  it("bundle decodes with the documented conversation and epoch", () => {
    const b = decodeBundle(fromHex(examples.get("bundle")!));
    expect([b.conversationId, b.epoch, b.deviceWraps.length, b.historyWraps.length]).toEqual([x.bundle.conversation_id, 0, 2, 2]);
    expect(toHex(b.body) + toHex(b.signature)).toBe(x.bundle.bytes);
  });

  it("envelope decodes under the bundle's key id", () => {
    const e = decodeEnvelope(fromHex(examples.get("envelope")!));
    const b = decodeBundle(fromHex(examples.get("bundle")!));
    expect(e.header.keyId).toEqual(b.keyId);
    expect(e.header.counter).toBe(1);
    expect(examples.get("envelope")).toBe(x.envelope.bytes);
  });

  it("link offer, hello frame, recovery blob and key file decode and match the vectors", () => {
    const offer = parseLinkOffer(texts.get("link-offer")!, x.link.created_at);
    expect(toHex(offer.linkId)).toBe(x.link.link_id);
    expect(texts.get("link-offer")!.trim()).toBe(x.link.offer_text);
    expect(examples.get("link-hello")).toBe(x.link.hello_frame);
    const blob = decodeRecoveryBlobHeader(fromHex(examples.get("recovery-blob")!));
    expect([blob.accountId, blob.counter]).toEqual([x.alice_account_id, x.recovery_blob.counter]);
    const file = decodeKeyFile(texts.get("key-file")!);
    expect(toHex(file.recoveryBlob)).toBe(x.recovery_blob.bytes);
    expect(file.username).toBe("alice");
  });

  it("message bodies decode to their kind and match the vectors", () => {
    const kinds: [string, string][] = [
      ["content-text", "text"],
      ["content-reply", "reply"],
      ["content-reaction", "reaction"],
      ["content-reaction-removed", "reaction removed"],
      ["content-edit", "edit"],
      ["content-delete", "delete"],
      ["content-receipt", "read receipt"],
    ];
    for (const [example, name] of kinds) {
      const hex = examples.get(example)!;
      const vector = x.content.kinds.find((k) => k.name === name)!;
      expect(hex).toBe(vector.body);
      expect(decodeBody(fromHex(hex)).kind).toBe(vector.content.kind);
    }
    expect(examples.get("content-unknown")).toBe(x.content.unknown.body);
    expect(decodeBody(fromHex(examples.get("content-unknown")!))).toEqual({ kind: "unknown", kindNumber: x.content.unknown.kind_number, sentAt: x.content.unknown.sent_at });
    // The text body is the one inside the documented envelope: text kept its encoding when kinds came.
    expect(x.content.kinds[0]!.content).toMatchObject({ kind: "text", text: x.envelope.text });
  });

  it("bodies with mentions match the mention vectors and decode with their ranges", () => {
    const names = ["content-mentions-text", "content-mentions-reply", "content-mentions-edit"];
    for (const [i, name] of names.entries()) {
      const v = mentions.kinds[i]!;
      expect(examples.get(name)).toBe(v.body);
      const c = decodeBody(fromHex(v.body));
      expect(c.kind).toBe(v.content.kind);
      expect("mentions" in c ? c.mentions?.map((m) => [m.start, m.length]) : undefined).toEqual(v.content.mentions.map((m) => [m.start, m.length]));
    }
  });

  it("login input and the recovery key text match the vectors", () => {
    expect(examples.get("login")).toBe(x.login.input);
    expect(doc).toContain(x.recovery_key_text);
    expect(doc).toContain(x.safety_number);
  });

  it("attachment blobs and the attachment message decode and match the attachment vectors", () => {
    for (const [example, size] of [["attachment-empty", 0], ["attachment-one-byte", 1]] as const) {
      const hex = examples.get(example)!;
      expect(hex).toBe(attachments.cases.find((c) => c.plain_size === size)!.blob);
      expect(toHex(decodeAttachmentHeader(fromHex(hex).slice(0, ATTACHMENT_HEADER_BYTES)).commitment)).toBe(attachments.commitment);
      expect(doc).toContain(attachments.cases.find((c) => c.plain_size === size)!.digest);
    }
    const body = examples.get("content-attachment")!;
    expect(body).toBe(attachments.content.body);
    const frame = decodeBody(fromHex(body));
    const a = decodeAttachmentPayload(fromHex(attachments.content.payload), attachments.content.sent_at);
    expect(frame).toEqual(a);
    expect([a.type, a.name, a.caption, a.size]).toEqual(["image", "Grünewald café.jpg", "Lunch 🍝", 132072]);
  });
});
