// Which packages and folders the minified bytes of a bundle come from, read from its source map
// (Source Map v3: `mappings` is Base64 VLQ, one group per generated line, segments sorted by column).
import { existsSync, readFileSync } from "node:fs";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** Decodes one segment's VLQ fields. */
function decodeSegment(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of segment) {
    const digit = DIGIT.get(c);
    if (digit === undefined) throw new Error(`bad source map character ${c}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return out;
}

/** "node_modules/lit-html/..." -> "lit-html", "../../web/src/ui/x.ts" -> "web/src/ui", "../../protocol/x.ts" -> "protocol". */
export function ownerOf(source: string): string {
  const nm = source.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const [a, b] = source.slice(nm + "node_modules/".length).split("/");
    return a?.startsWith("@") ? `${a}/${b}` : (a ?? source);
  }
  const parts = source.replace(/^(\.\.\/|\.\/)+/, "").split("/");
  return parts.slice(0, Math.min(parts.length - 1, parts[0] === "web" ? 3 : 1)).join("/") || source;
}

/** Minified bytes of `jsFile` per owner (package or folder), largest first; empty when it has no map. */
export function attributeBundle(jsFile: string): { owner: string; bytes: number }[] {
  const mapFile = `${jsFile}.map`;
  if (!existsSync(mapFile)) return [];
  const map = JSON.parse(readFileSync(mapFile, "utf8")) as { sources: string[]; mappings: string };
  const lines = readFileSync(jsFile, "utf8").split("\n");
  const bytes = new Map<string, number>();
  let source = 0;
  map.mappings.split(";").forEach((group, lineIndex) => {
    const lineLength = Buffer.byteLength(lines[lineIndex] ?? "");
    let column = 0;
    const segments: { column: number; source?: number }[] = [];
    for (const seg of group.split(",")) {
      if (!seg) continue;
      const f = decodeSegment(seg);
      column += f[0] ?? 0;
      if (f.length >= 4) {
        source += f[1] ?? 0;
        segments.push({ column, source });
      } else segments.push({ column });
    }
    // Columns count UTF-16 units, close enough to bytes for minified code.
    segments.forEach((s, i) => {
      if (s.source === undefined) return;
      const end = segments[i + 1]?.column ?? lineLength;
      const owner = ownerOf(map.sources[s.source] ?? "?");
      bytes.set(owner, (bytes.get(owner) ?? 0) + Math.max(0, end - s.column));
    });
  });
  return [...bytes].map(([owner, n]) => ({ owner, bytes: n })).sort((a, b) => b.bytes - a.bytes);
}
