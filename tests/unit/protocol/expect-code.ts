import { ProtocolError, type ProtocolErrorCode } from "../../../protocol/index.js";

/** Runs `f` and returns the ProtocolError code it failed with; fails the test if it succeeded. */
export async function codeOf(f: () => unknown): Promise<ProtocolErrorCode> {
  try {
    await f();
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
  throw new Error("expected a ProtocolError, but the input was accepted");
}
