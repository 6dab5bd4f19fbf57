// What an upload item says (ui/upload-status.ts): its percentage for the progress bar and the status line.
import { describe, expect, test } from "vitest";
import { uploadPercent, uploadStatusText } from "../../../web/src/ui/upload-status.js";

describe("upload item status", () => {
  test("the percentage is the ciphertext sent of the whole, 0-100, never NaN", () => {
    expect(uploadPercent({ sentBytes: 0, totalBytes: 1000 })).toBe(0);
    expect(uploadPercent({ sentBytes: 499, totalBytes: 1000 })).toBe(49);
    expect(uploadPercent({ sentBytes: 1000, totalBytes: 1000 })).toBe(100);
    expect(uploadPercent({ sentBytes: 5000, totalBytes: 1000 })).toBe(100);
    expect(uploadPercent({ sentBytes: 10, totalBytes: 0 })).toBe(0);
  });

  test("waiting says so; a started upload says how much of the file went", () => {
    const base = { size: 3_400_000, totalBytes: 3_500_000 };
    expect(uploadStatusText({ ...base, state: "waiting", sentBytes: 1000 })).toBe("Waiting for network…");
    expect(uploadStatusText({ ...base, state: "queued", sentBytes: 0 })).toBe("Waiting to send…");
    expect(uploadStatusText({ ...base, state: "uploading", sentBytes: 1_750_000 })).toBe("1.7 MB of 3.4 MB");
  });
});
