// Values crossing a Durable Object's SQL API: it binds strings, numbers, null and ArrayBuffer, and returns
// BLOBs as ArrayBuffer.

/** The bytes as an ArrayBuffer of exactly their length (a view's buffer may be larger, or shared). */
export function buf(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}
