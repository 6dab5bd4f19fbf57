// Links in messages (issue 17): http and https only, nothing else becomes a link, and the text shown is
// always the text written.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { linkParts, type TextPart } from "../../../web/src/ui/link-parts.js";

const links = (text: string) => linkParts(text).filter((p): p is Extract<TextPart, { kind: "link" }> => p.kind === "link");

describe("linkParts", () => {
  test.each([
    ["https://example.com", "https://example.com", "https://example.com/"],
    ["see http://example.com/a?b=c&d=e#f now", "http://example.com/a?b=c&d=e#f", "http://example.com/a?b=c&d=e#f"],
    ["HTTPS://EXAMPLE.COM/Path", "HTTPS://EXAMPLE.COM/Path", "https://example.com/Path"],
    ["look: https://example.com/x.", "https://example.com/x", "https://example.com/x"],
    ["(https://example.com/x)", "https://example.com/x", "https://example.com/x"],
    ["https://en.wikipedia.org/wiki/Foo_(bar), ok", "https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"],
    ["«https://example.com/ü»", "https://example.com/ü", "https://example.com/%C3%BC"],
    ["line\nhttps://example.com/two?", "https://example.com/two", "https://example.com/two"],
  ])("%j links %j to %j", (text, shown, href) => {
    expect(links(text)).toEqual([{ kind: "link", text: shown, href }]);
  });

  test.each([
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)//https",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "blob:https://example.com/uuid",
    "javascript:https://example.com/%0aalert(1)",
    "view-source:https://example.com/",
    "ftp://example.com/file",
    "mailto:someone@example.com",
    "xhttps://example.com",
    "http://",
    "https://bank.example@evil.example/login",
    "https://user:pass@example.com/",
    "www.example.com",
    "<a href=\"https\">https</a>",
  ])("%j stays text", (text) => {
    expect(linkParts(text)).toEqual([{ kind: "text", text }]);
  });

  test("several links among text, each with the text around it", () => {
    expect(linkParts("a https://one.example b http://two.example/x c")).toEqual([
      { kind: "text", text: "a " },
      { kind: "link", text: "https://one.example", href: "https://one.example/" },
      { kind: "text", text: " b " },
      { kind: "link", text: "http://two.example/x", href: "http://two.example/x" },
      { kind: "text", text: " c" },
    ]);
  });

  test("a javascript: URL wrapping an https one links only to the https address", () => {
    const found = links("javascript:fetch('https://evil.example/steal')");
    expect(found.map((l) => l.href)).toEqual(["https://evil.example/steal"]);
  });

  test("property: the parts' texts join to the input, and every link is http(s) without credentials", () => {
    const pieces = fc.constantFrom("https://", "http://", "javascript:", "data:", "example.com", "/", "(", ")", ".", " ", "\n", "@", "a", "ü", ":", "?", "#");
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(pieces, { maxLength: 30 }).map((a) => a.join(""))), (text) => {
        const parts = linkParts(text);
        expect(parts.map((p) => p.text).join("")).toBe(text);
        for (const p of parts) {
          expect(p.text.length).toBeGreaterThan(0);
          if (p.kind !== "link") continue;
          const url = new URL(p.href);
          expect(["http:", "https:"]).toContain(url.protocol);
          expect(url.username + url.password).toBe("");
        }
      }),
      { numRuns: 2000 },
    );
  });
});
