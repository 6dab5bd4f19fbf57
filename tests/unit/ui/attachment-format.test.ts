// How an attachment bubble shows sizes, durations and the image box it reserves (ui/attachment-format.ts),
// and the type an opened file gets (attachments/download.ts): never one a blob: URL would run as a page.
import { describe, expect, test } from "vitest";
import { blobType } from "../../../web/src/client/attachments/download.js";
import { formatBytes, formatDuration, previewBox } from "../../../web/src/ui/attachment-format.js";

describe("attachment bubble formats", () => {
  test.each([
    [0, "0 B"],
    [999, "999 B"],
    [1000, "1.0 KB"],
    [1430, "1.4 KB"],
    [23_000_000, "23 MB"],
    [1_100_000_000, "1.1 GB"],
    [2 ** 32, "4.3 GB"],
  ])("%d bytes read %j", (n, text) => expect(formatBytes(n)).toBe(text));

  test.each([
    [1, "0:00"],
    [4_200, "0:04"],
    [750_000, "12:30"],
    [3_600_000, "1:00:00"],
  ])("%d ms read %j", (ms, text) => expect(formatDuration(ms)).toBe(text));

  test("an image's box keeps its proportions within 280 px, and never shrinks below 48 px", () => {
    expect(previewBox(4000, 3000)).toEqual({ width: 280, height: 210 });
    expect(previewBox(3000, 4000)).toEqual({ width: 210, height: 280 });
    expect(previewBox(100, 50)).toEqual({ width: 100, height: 50 });
    expect(previewBox(1, 5000)).toEqual({ width: 48, height: 280 });
  });

  test.each([
    ["image/jpeg", "image/jpeg"],
    ["image/webp", "image/webp"],
    ["audio/webm", "audio/webm"],
    ["image/svg+xml", "application/octet-stream"],
    ["text/html", "application/octet-stream"],
    ["application/pdf", "application/octet-stream"],
  ])("an opened %s file is a Blob of type %s", (mimeType, type) => expect(blobType({ mimeType })).toBe(type));
});
