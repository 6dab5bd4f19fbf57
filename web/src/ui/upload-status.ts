import { msg, str } from "@lit/localize";
import type { UploadView } from "../client/index.js";
import { formatBytes } from "./attachment-format.js";

/** How far an upload is, 0-100 (the progress bar's aria-valuenow): ciphertext the server has of the whole. */
export function uploadPercent(u: Pick<UploadView, "sentBytes" | "totalBytes">): number {
  if (!(u.totalBytes > 0)) return 0;
  return Math.max(0, Math.min(100, Math.floor((100 * u.sentBytes) / u.totalBytes)));
}

/** The line under an upload's progress bar: "Waiting for network…", "Preparing…", "1.2 MB of 3.4 MB". */
export function uploadStatusText(u: Pick<UploadView, "state" | "size" | "sentBytes" | "totalBytes">): string {
  if (u.state === "waiting") return msg("Waiting for network…");
  if (u.state === "queued" && u.sentBytes === 0) return msg("Waiting to send…");
  const sent = formatBytes(Math.round((u.size * Math.min(u.sentBytes, u.totalBytes)) / Math.max(1, u.totalBytes)));
  const size = formatBytes(u.size);
  return msg(str`${sent} of ${size}`);
}
