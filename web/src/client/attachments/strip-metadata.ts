/** Placeholder: filled in by the next commit. */
export type StrippableType = "image/jpeg" | "image/png" | "image/webp";
export function isStrippable(mimeType: string): mimeType is StrippableType {
  return mimeType === "image/jpeg" || mimeType === "image/png" || mimeType === "image/webp";
}
export function stripMetadata(_type: StrippableType, bytes: Uint8Array): Uint8Array {
  return bytes;
}
export function jpegOrientation(_bytes: Uint8Array): number {
  return 1;
}
