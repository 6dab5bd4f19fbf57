// The export's pure parts (issue 20): HTML escaping, file names inside the zip, and the zip itself read
// back by an independent unzip. The whole export runs in Chromium in tests/e2e/export.test.ts.
import { unzipSync } from "fflate";
import { describe, expect, test } from "vitest";
import { exportHtml, escapeHtml } from "../../../web/src/client/export/export-html.js";
import { safeFileName } from "../../../web/src/client/export/export-file.js";
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportFile } from "../../../web/src/client/export/export-model.js";
import { zipFiles } from "../../../web/src/client/export/zip.js";

describe("export", () => {
  test("every character that could open markup is escaped", () => {
    expect(escapeHtml(`<img src=x onerror="alert('x')"> & more`)).toBe("&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt; &amp; more");
  });

  test("names and texts from messages never become markup in the page, and the page allows no script", () => {
    const file: ExportFile = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: "2026-12-07T10:00:00.000Z",
      account: "alice",
      conversations: [
        {
          id: "c",
          kind: "group",
          title: "</title><script>alert(1)</script>",
          members: ["alice", "bob"],
          events: [],
          messages: [
            { id: "d/m", seq: 1, sender: "bob", mine: false, sentAt: "2026-12-07T09:00:00.000Z", kind: "text", text: "<script>alert(2)</script>", edited: false, reactions: [] },
            {
              id: "d/n",
              seq: 2,
              sender: "bob",
              mine: false,
              sentAt: "2026-12-07T09:01:00.000Z",
              kind: "attachment",
              text: "",
              edited: false,
              reactions: [],
              attachment: { type: "image", name: `"><svg onload=alert(3)>`, mimeType: "image/png", size: 10, file: "attachments/c/x\".png" },
            },
          ],
        },
      ],
    };
    const html = exportHtml(file, "en-US");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain("<svg");
    expect(html).toContain("&lt;script&gt;alert(2)&lt;/script&gt;");
    expect(html).toContain(`src="attachments/c/x%22.png"`);
    expect(html).toContain("default-src 'none'");
  });

  test("the page is in the app's language: its lang, numbers and dates; the account's name stays escaped", () => {
    const file: ExportFile = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: "2026-12-07T10:00:00.000Z",
      account: "<b>alice</b>",
      conversations: [
        {
          id: "c",
          kind: "direct",
          title: "bob",
          members: ["alice", "bob"],
          events: [],
          messages: [
            {
              id: "d/n",
              seq: 1,
              sender: "bob",
              mine: false,
              sentAt: "2026-12-07T09:01:00.000Z",
              kind: "attachment",
              text: "",
              edited: false,
              reactions: [],
              attachment: { type: "file", name: "report.pdf", mimeType: "application/pdf", size: 12345, missing: "gone" },
            },
          ],
        },
      ],
    };
    const de = exportHtml(file, "de-DE");
    expect(de).toContain('<html lang="de">');
    expect(de).toContain("12.345");
    expect(de).toContain("07.12.2026");
    expect(de).not.toContain("<b>alice</b>");
    expect(de).toContain("&lt;b&gt;alice&lt;/b&gt;");
    const en = exportHtml(file, "en-US");
    expect(en).toContain('<html lang="en">');
    expect(en).toContain("12,345 bytes");
    expect(en).toContain("Chat: alice, bob · 1 message<");
  });

  test("file names in the zip lose separators and control characters, and are never empty", () => {
    expect(safeFileName("../../etc/passwd")).toBe("__.._etc_passwd");
    expect(safeFileName("a\u0000b\nc")).toBe("a_b_c");
    expect(safeFileName("   ")).toBe("file");
    expect([...safeFileName("x".repeat(500))]).toHaveLength(100);
  });

  test("the zip reads back with every file byte for byte", async () => {
    const big = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
    const zip = await zipFiles([
      { path: "export.json", data: new Blob(['{"a":1}']), compress: true },
      { path: "attachments/chat/photo ü.jpg", data: new Blob([big]), compress: false },
    ]);
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    expect(new TextDecoder().decode(files["export.json"])).toBe('{"a":1}');
    expect(files["attachments/chat/photo ü.jpg"]).toEqual(big);
  });
});
