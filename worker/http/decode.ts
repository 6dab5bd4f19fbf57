import type { ApiErrorCode } from "../../protocol/api.js";
import { isProtocolError } from "../../protocol/errors.js";
import { BadRequest } from "../errors.js";

/** Runs a protocol decoder on caller bytes; its ProtocolError becomes a 400 with the given code. */
export async function decodeOr<T>(code: ApiErrorCode, decode: () => T | Promise<T>): Promise<T> {
  try {
    return await decode();
  } catch (e) {
    if (isProtocolError(e)) throw new BadRequest(code, e.message, { cause: e });
    throw e;
  }
}
