/** Every way a protocol input can be refused. Each code is a distinct, testable outcome. */
export type ProtocolErrorCode =
  | "malformed" // does not parse: wrong length, trailing bytes, bad field
  | "unsupported_version" // a version byte this code does not speak
  | "out_of_bounds" // a parameter outside its allowed range (sizes, counts, KDF costs)
  | "bad_signature" // a signature does not verify
  | "unknown_signer" // signed by a key or device that is not on the verified log
  | "wrong_context" // a value made for one conversation/epoch/account presented for another
  | "chain_broken" // a log entry does not extend the previous one
  | "log_conflict" // two different valid entries at one position, or a log that went backwards
  | "identity_mismatch" // a genesis that does not hash to the expected account id
  | "decrypt_failed" // AEAD authentication failed: wrong key or altered ciphertext
  | "commitment_mismatch" // a key that does not match its bundle's (or attachment blob's) commitment
  | "digest_mismatch" // an attachment blob whose ciphertext digest differs from the one its message carries
  | "recipient_mismatch" // a bundle whose recipients differ from the verified device set
  | "unknown_head" // a cited log head newer than the one this client verified
  | "replay" // a message id or counter already seen
  | "stale_epoch" // an epoch older than the newest one this client has verified
  | "low_order_point" // an X25519 public key that gives an all-zero shared secret
  | "bad_checksum" // a recovery key whose checksum does not match
  | "expired"; // a link offer (QR code) older than its lifetime

export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function fail(code: ProtocolErrorCode, message: string): never {
  throw new ProtocolError(code, message);
}

export function isProtocolError(e: unknown, code?: ProtocolErrorCode): e is ProtocolError {
  return e instanceof ProtocolError && (code === undefined || e.code === code);
}
