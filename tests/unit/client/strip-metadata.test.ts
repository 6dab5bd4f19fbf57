import { describe, expect, test } from "vitest";
import { jpegOrientation, stripMetadata } from "../../../web/src/client/attachments/strip-metadata.js";

// Photo metadata stripped byte by byte (issue 18): hand-built JPEG, PNG and WebP files carrying a GPS
// marker in every place a camera or editor puts metadata come out without it, still well formed, with
// the image bytes untouched; broken files are refused with a ClientError, never read out of bounds.

const text = (s: string) => new TextEncoder().encode(s);
const GPS = "GPSLatitude=48.8584N";
const has = (b: Uint8Array, s: string) => Buffer.from(b).includes(Buffer.from(s));
const cat = (...parts: Array<Uint8Array | number[]>) => Uint8Array.from(parts.flatMap((p) => [...p]));

/** A JPEG marker segment: FF marker, big-endian length (including itself), data. */
const seg = (marker: number, data: Uint8Array | number[]) => cat([0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff], data);

/** A TIFF header with IFD0 holding Orientation (0x0112) = `orientation`, in either byte order, then `extra`. */
function exif(orientation: number, little: boolean, extra: string): Uint8Array {
  const u16 = (n: number) => (little ? [n & 0xff, n >> 8] : [n >> 8, n & 0xff]);
  const u32 = (n: number) => (little ? [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24] : [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
  const tiff = cat(little ? [0x49, 0x49] : [0x4d, 0x4d], u16(42), u32(8), u16(1), u16(0x0112), u16(3), u32(1), u16(orientation), [0, 0], u32(0), text(extra));
  return cat(text("Exif\0\0"), tiff);
}

// The image proper: quantisation table, frame header, Huffman table, a scan whose entropy data holds a
// stuffed FF00 and a restart marker, as a decoder needs them.
const DQT = seg(0xdb, [0, ...new Array<number>(64).fill(1)]);
const SOF0 = seg(0xc0, [8, 0, 16, 0, 16, 1, 1, 0x11, 0]);
const DHT = seg(0xc4, [0, ...new Array<number>(16).fill(0)]);
const SOS = seg(0xda, [1, 1, 0, 0, 63, 0]);
const SCAN = [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56];

function photo(o: { orientation?: number; little?: boolean } = {}): Uint8Array {
  return cat(
    [0xff, 0xd8],
    seg(0xe0, cat(text("JFIF\0"), [1, 1, 0, 0, 1, 0, 1, 0, 0])),
    seg(0xe1, exif(o.orientation ?? 6, o.little ?? true, GPS)),
    seg(0xe1, text(`http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>${GPS}</x:xmpmeta>`)),
    seg(0xe2, cat(text("ICC_PROFILE\0"), [1, 1, 9, 9])),
    seg(0xe2, cat(text("MPF\0"), text(GPS))),
    seg(0xed, cat(text("Photoshop 3.0\0"), text(GPS))),
    seg(0xfe, text(`comment ${GPS}`)),
    DQT,
    SOF0,
    DHT,
    SOS,
    SCAN,
    // A second scan of a progressive file, with an APP1 between the scans.
    seg(0xe1, exif(1, true, GPS)),
    SOS,
    SCAN,
    [0xff, 0xd9],
    text(`trailing ${GPS}`),
  );
}

/** Walks a JPEG as a decoder would and lists its markers; throws if the stream is not well formed. */
function jpegMarkers(b: Uint8Array): number[] {
  expect([b[0], b[1]]).toEqual([0xff, 0xd8]);
  const markers = [0xd8];
  let i = 2;
  for (;;) {
    expect(b[i]).toBe(0xff);
    const m = b[i + 1]!;
    markers.push(m);
    if (m === 0xd9) {
      expect(i + 2).toBe(b.length);
      return markers;
    }
    const length = (b[i + 2]! << 8) | b[i + 3]!;
    expect(i + 2 + length).toBeLessThanOrEqual(b.length);
    i += 2 + length;
    if (m === 0xda) {
      while (!(b[i] === 0xff && b[i + 1] !== 0 && !(b[i + 1]! >= 0xd0 && b[i + 1]! <= 0xd7))) i++;
    }
  }
}

function refusal(f: () => unknown): string {
  try {
    f();
    return "accepted";
  } catch (e) {
    return e instanceof Error && "code" in e ? String(e.code) : `threw ${String(e)}`;
  }
}

describe("JPEG", () => {
  test("loses Exif, XMP, MPF, IPTC, comments and trailing bytes, keeps JFIF, the ICC profile and every image segment", () => {
    const input = photo();
    expect(has(input, GPS)).toBe(true);
    const out = stripMetadata("image/jpeg", input);
    expect(has(out, GPS)).toBe(false);
    expect(jpegMarkers(out)).toEqual([0xd8, 0xe0, 0xe2, 0xdb, 0xc0, 0xc4, 0xda, 0xda, 0xd9]);
    expect(has(out, "ICC_PROFILE")).toBe(true);
    // The scans' bytes, stuffing and restart marker included, are copied exactly.
    expect(Buffer.from(out).includes(Buffer.from(cat(SOS, SCAN, SOS, SCAN, [0xff, 0xd9])))).toBe(true);
  });

  test("reads the EXIF orientation in either byte order, and 1 once stripped or absent", () => {
    expect(jpegOrientation(photo({ orientation: 6, little: true }))).toBe(6);
    expect(jpegOrientation(photo({ orientation: 8, little: false }))).toBe(8);
    expect(jpegOrientation(stripMetadata("image/jpeg", photo()))).toBe(1);
    expect(jpegOrientation(photo({ orientation: 77 }))).toBe(1);
    expect(jpegOrientation(text("not a jpeg"))).toBe(1);
  });

  test("a broken file is refused as attachment_malformed at every truncation, never read past its end", () => {
    const input = photo();
    const outcomes = new Set<string>();
    for (let n = 0; n < input.length; n++) {
      const cut = input.slice(0, n);
      outcomes.add(refusal(() => stripMetadata("image/jpeg", cut)));
      expect(() => jpegOrientation(cut)).not.toThrow();
    }
    // A cut inside the trailing bytes still has its EOI: those are accepted (and the tail dropped).
    expect([...outcomes].sort()).toEqual(["accepted", "attachment_malformed"]);
    expect(refusal(() => stripMetadata("image/jpeg", cat([0xff, 0xd8], seg(0xe1, text("Exif\0\0")).slice(0, 5))))).toBe("attachment_malformed");
    expect(refusal(() => stripMetadata("image/jpeg", cat([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 1, 2])))).toBe("attachment_malformed");
  });
});

/** A PNG chunk: length, type, data, a CRC (not checked by the stripper, so zero here). */
const chunk = (type: string, data: Uint8Array) => cat([data.length >>> 24, (data.length >> 16) & 0xff, (data.length >> 8) & 0xff, data.length & 0xff], text(type), data, [0, 0, 0, 0]);
const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe("PNG", () => {
  test("loses the text chunks, eXIf, tIME and trailing bytes; keeps the image chunks as they were", () => {
    const ihdr = chunk("IHDR", Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0));
    const idat = chunk("IDAT", Uint8Array.of(1, 2, 3, 4));
    const iend = chunk("IEND", new Uint8Array(0));
    const input = cat(PNG_SIG, ihdr, chunk("tEXt", text(`Comment\0${GPS}`)), chunk("zTXt", text(`x\0\0${GPS}`)), chunk("iTXt", text(GPS)), chunk("eXIf", exif(1, true, GPS)), idat, chunk("tIME", Uint8Array.of(7, 234, 1, 1, 0, 0, 0)), iend, text(GPS));
    const out = stripMetadata("image/png", input);
    expect(has(out, GPS)).toBe(false);
    expect(out).toEqual(cat(PNG_SIG, ihdr, idat, iend));
    expect(refusal(() => stripMetadata("image/png", cat(PNG_SIG, ihdr, idat)))).toBe("attachment_malformed");
    expect(refusal(() => stripMetadata("image/png", cat(PNG_SIG, ihdr.slice(0, 10))))).toBe("attachment_malformed");
    for (let n = 0; n < input.length; n++) expect(["accepted", "attachment_malformed"]).toContain(refusal(() => stripMetadata("image/png", input.slice(0, n))));
  });
});

const le32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const riffChunk = (fourcc: string, data: Uint8Array) => cat(text(fourcc), le32(data.length), data, data.length % 2 ? [0] : []);
const webp = (...chunks: Uint8Array[]) => {
  const body = cat(...chunks);
  return cat(text("RIFF"), le32(4 + body.length), text("WEBP"), body);
};

describe("WebP", () => {
  test("loses the EXIF and XMP chunks and VP8X stops announcing them; the RIFF size is right again", () => {
    const ALPHA = 0x10;
    const vp8x = (flags: number) => riffChunk("VP8X", Uint8Array.of(flags, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    const image = riffChunk("VP8L", Uint8Array.of(0x2f, 0, 0, 0, 1));
    const input = webp(vp8x(ALPHA | 0x08 | 0x04), image, riffChunk("EXIF", exif(1, true, GPS)), riffChunk("XMP ", text(GPS)));
    const out = stripMetadata("image/webp", input);
    expect(has(out, GPS)).toBe(false);
    expect(out).toEqual(webp(vp8x(ALPHA), image));
    for (let n = 0; n < input.length; n++) expect(["accepted", "attachment_malformed"]).toContain(refusal(() => stripMetadata("image/webp", input.slice(0, n))));
    expect(refusal(() => stripMetadata("image/webp", input.slice(0, 30)))).toBe("attachment_malformed");
  });
});
