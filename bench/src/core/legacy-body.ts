// The message-body decoder as it was before content kinds existed (protocol/envelope.ts at 349c642~1),
// kept only as the "before" side of the receive-cost comparison: it reads text and refuses every other kind.
import { fromUtf8 } from "../../../protocol/bytes.js";
import { Reader } from "../../../protocol/codec.js";
import { fail } from "../../../protocol/errors.js";

const BODY_VERSION = 1;
const BODY_KIND_TEXT = 1;
const MAX_TEXT_BYTES = 16_384;

export function legacyDecodeBody(bytes: Uint8Array): { kind: "text"; text: string; sentAt: number } {
  const r = new Reader(bytes, "message body");
  const version = r.u8("version");
  if (version !== BODY_VERSION) fail("unsupported_version", `message body version ${version}`);
  const kind = r.u8("kind");
  if (kind !== BODY_KIND_TEXT) fail("unsupported_version", `message body kind ${kind}`);
  const sentAt = r.u64("sentAt");
  const text = fromUtf8(r.vbytes(1, MAX_TEXT_BYTES, "text"));
  r.end();
  return { kind: "text", text, sentAt };
}
