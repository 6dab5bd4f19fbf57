import { MAX_REALTIME_CLIENT_FRAME_BYTES, realtimeClientFrame, type RealtimeErrorCode, type RealtimeServerFrame } from "../../protocol/api.js";
import { describeIssues } from "../describe-issues.js";

function refuse(code: RealtimeErrorCode, message: string): RealtimeServerFrame {
  return { type: "error", code, message };
}

/**
 * The answer to one frame from a client: `pong` for a ping, an error frame for anything else. Never
 * throws, whatever the bytes, so a bad frame cannot take down the hub or the socket.
 */
export function answerClientFrame(message: string | ArrayBuffer): RealtimeServerFrame {
  if (typeof message !== "string") return refuse("binary_frame", "frames must be JSON text");
  // A UTF-16 code unit is at least one UTF-8 byte, so a long string is refused before it is encoded.
  if (message.length > MAX_REALTIME_CLIENT_FRAME_BYTES || new TextEncoder().encode(message).length > MAX_REALTIME_CLIENT_FRAME_BYTES) {
    return refuse("too_large", `frames are at most ${MAX_REALTIME_CLIENT_FRAME_BYTES} bytes`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    return refuse("invalid_json", "the frame is not valid JSON");
  }
  const parsed = realtimeClientFrame.safeParse(raw);
  if (!parsed.success) return refuse("invalid_frame", describeIssues(parsed.error.issues));
  switch (parsed.data.type) {
    case "ping":
      return { type: "pong" };
  }
}
