import { MAX_REALTIME_CLIENT_FRAME_BYTES, realtimeClientFrame, type RealtimeClientFrame, type RealtimeErrorCode, type RealtimeServerFrame } from "../../protocol/api.js";
import { describeIssues } from "../describe-issues.js";

export function refuse(code: RealtimeErrorCode, message: string): Extract<RealtimeServerFrame, { type: "error" }> {
  return { type: "error", code, message };
}

/**
 * Parses one frame from a client: the frame, or the error frame to answer it with. Never throws,
 * whatever the bytes, so a bad frame cannot take down the hub or the socket.
 */
export function readClientFrame(message: string | ArrayBuffer): { frame: RealtimeClientFrame } | { refused: RealtimeServerFrame } {
  if (typeof message !== "string") return { refused: refuse("binary_frame", "frames must be JSON text") };
  // A UTF-16 code unit is at least one UTF-8 byte, so a long string is refused before it is encoded.
  if (message.length > MAX_REALTIME_CLIENT_FRAME_BYTES || new TextEncoder().encode(message).length > MAX_REALTIME_CLIENT_FRAME_BYTES) {
    return { refused: refuse("too_large", `frames are at most ${MAX_REALTIME_CLIENT_FRAME_BYTES} bytes`) };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    return { refused: refuse("invalid_json", "the frame is not valid JSON") };
  }
  const parsed = realtimeClientFrame.safeParse(raw);
  if (!parsed.success) return { refused: refuse("invalid_frame", describeIssues(parsed.error.issues)) };
  return { frame: parsed.data };
}
