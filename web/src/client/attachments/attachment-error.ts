import { isProtocolError } from "../../../../protocol/index.js";
import { ClientError } from "../errors.js";

/**
 * What went wrong with a file, as a ClientError (ui/error-text.ts words each code). A blob that fails
 * any check (key commitment, a chunk's authentication, the digest or size at the end, a header out of
 * bounds) is `attachment_corrupt`: only the server or the network can have changed it, and which check
 * caught it does not matter to the person, only that the file is refused whole.
 */
export function attachmentError(e: unknown, during: "encrypt" | "decrypt" | "download"): ClientError {
  if (e instanceof ClientError) return e;
  if (isAbort(e)) return new ClientError("attachment_cancelled", `attachment ${during} was cancelled`, { cause: e });
  if (isProtocolError(e)) {
    if (during === "encrypt") return new ClientError("attachment_too_large", `the file cannot be encrypted: ${e.message}`, { cause: e });
    return new ClientError("attachment_corrupt", `the file was changed on the server and cannot be opened (${e.code}: ${e.message})`, { cause: e });
  }
  const detail = e instanceof Error ? e.message : String(e);
  return new ClientError("attachment_failed", `attachment ${during} failed: ${detail}`, { cause: e });
}

/** An AbortSignal fired (fetch and pipeTo reject with its reason, an "AbortError" DOMException by default). */
export function isAbort(e: unknown): boolean {
  return typeof e === "object" && e !== null && "name" in e && (e.name === "AbortError" || e.name === "TimeoutError");
}
