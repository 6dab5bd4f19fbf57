import { fromBase64url, toBase64url } from "./bytes.js";
import { fail } from "./errors.js";

/** Brands keep ids of different roles from being mixed up at compile time. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** 32-byte account id (hash of the genesis entry), base64url on the wire. */
export type AccountId = Brand<string, "AccountId">;
/** 16-byte device id (hash of the device's signing key), base64url. */
export type DeviceId = Brand<string, "DeviceId">;
/** 16-byte random conversation id, base64url. */
export type ConversationId = Brand<string, "ConversationId">;
/** 16-byte random client message id: the idempotency key of a send, base64url. */
export type ClientMessageId = Brand<string, "ClientMessageId">;
/** 16-byte random attachment (blob) id, chosen by the server when an upload starts, base64url. */
export type AttachmentId = Brand<string, "AttachmentId">;

export const ACCOUNT_ID_BYTES = 32;
export const DEVICE_ID_BYTES = 16;
export const CONVERSATION_ID_BYTES = 16;
export const CLIENT_MESSAGE_ID_BYTES = 16;
export const ATTACHMENT_ID_BYTES = 16;

function idParser<T extends string>(size: number, what: string) {
  return {
    fromBytes(bytes: Uint8Array): T {
      if (bytes.length !== size) fail("malformed", `${what} must be ${size} bytes`);
      return toBase64url(bytes) as T;
    },
    parse(text: string): T {
      const bytes = fromBase64url(text);
      if (bytes.length !== size) fail("malformed", `${what} must be ${size} bytes`);
      return text as T;
    },
    toBytes(id: T): Uint8Array {
      return fromBase64url(id);
    },
    is(text: unknown): text is T {
      if (typeof text !== "string") return false;
      try {
        return fromBase64url(text).length === size;
      } catch {
        return false;
      }
    },
  };
}

export const AccountId = idParser<AccountId>(ACCOUNT_ID_BYTES, "account id");
export const DeviceId = idParser<DeviceId>(DEVICE_ID_BYTES, "device id");
export const ConversationId = idParser<ConversationId>(CONVERSATION_ID_BYTES, "conversation id");
export const ClientMessageId = idParser<ClientMessageId>(CLIENT_MESSAGE_ID_BYTES, "client message id");
export const AttachmentId = idParser<AttachmentId>(ATTACHMENT_ID_BYTES, "attachment id");

/** Usernames: 3 to 32 of a-z, 0-9, '_' and '.', starting with a letter; lower-cased before use. */
export const USERNAME_PATTERN = /^[a-z][a-z0-9_.]{2,31}$/;

export function parseUsername(input: string): string {
  const name = input.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(name)) fail("malformed", "username must be 3-32 characters: a-z, 0-9, '_' or '.', starting with a letter");
  return name;
}
