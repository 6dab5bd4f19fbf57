import { MAX_AVATAR_BYTES } from "../../../../protocol/index.js";
import { ClientError } from "../errors.js";

/** The avatar's side in pixels: a centre square of the picture, scaled to this. */
export const AVATAR_SIDE = 128;

/**
 * Makes an avatar from a picture the user chose, on this device: the browser decodes it (applying its
 * EXIF orientation), its centre square is drawn at 128x128 on a canvas and encoded as a new JPEG, which
 * carries none of the original's metadata (location, camera). Lower qualities are tried until it fits
 * MAX_AVATAR_BYTES. Throws invalid_avatar for a file the browser cannot decode.
 */
export async function makeAvatar(file: Blob): Promise<Uint8Array> {
  if (typeof createImageBitmap !== "function" || typeof OffscreenCanvas !== "function") throw new ClientError("invalid_avatar", "this browser cannot make an avatar");
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch (e) {
    throw new ClientError("invalid_avatar", "the picture could not be decoded", { cause: e });
  }
  try {
    const side = Math.min(bitmap.width, bitmap.height);
    if (side < 1) throw new ClientError("invalid_avatar", "the picture is empty");
    const canvas = new OffscreenCanvas(AVATAR_SIDE, AVATAR_SIDE);
    const g = canvas.getContext("2d");
    if (!g) throw new ClientError("invalid_avatar", "no canvas to draw the avatar");
    // JPEG has no transparency: a transparent PNG gets a white ground rather than black.
    g.fillStyle = "#fff";
    g.fillRect(0, 0, AVATAR_SIDE, AVATAR_SIDE);
    g.drawImage(bitmap, (bitmap.width - side) / 2, (bitmap.height - side) / 2, side, side, 0, 0, AVATAR_SIDE, AVATAR_SIDE);
    for (const quality of [0.85, 0.7, 0.5, 0.3]) {
      const jpeg = new Uint8Array(await (await canvas.convertToBlob({ type: "image/jpeg", quality })).arrayBuffer());
      if (jpeg.length <= MAX_AVATAR_BYTES) return jpeg;
    }
    throw new ClientError("invalid_avatar", "the avatar does not fit 32 KiB");
  } finally {
    bitmap.close();
  }
}
