import { Rng, badValue, wrongTypesFor, type FieldKind } from "./malformed-values.js";

/**
 * Generated malformed requests for every JSON endpoint and every path and query parameter, each with
 * the answer it must get. Deterministic (seeded), so a failing case replays by its label.
 */

/** A JSON endpoint, a body it would parse, and how each field is typed. */
export interface BodyTarget {
  readonly name: string;
  readonly method: "POST" | "PUT";
  readonly path: string;
  readonly fields: Record<string, FieldKind>;
  /** A body the schema accepts. Never sent as is: every case breaks it. */
  readonly valid: Record<string, unknown>;
  /** What stops an anonymous request first: the route parses the body, or it needs a session (401). */
  readonly anonymous: "parsed" | "unauthenticated";
  /** The route's body limit in bytes (docs/API.md). */
  readonly limit: number;
}

/** A path with one parameter; `{}` marks where bad segments go. Session routes answer anonymous callers 401. */
export interface PathTarget {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path: string;
  readonly body?: Record<string, unknown>;
  readonly sessionFirst: boolean;
}

/** What a case must get: one of these statuses and codes; for a 400, a message naming `mentions`. */
export interface Expectation {
  readonly statuses: readonly number[];
  readonly codes: readonly string[];
  readonly mentions?: string;
}

export interface MalformedCase {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly body?: string | Uint8Array;
  /** Content-Type to send; null sends none. */
  readonly contentType?: string | null;
  readonly withSession: boolean;
  /** Extra headers, sent last (so a case may replace the Origin or the cookie). */
  readonly headers?: Record<string, string>;
  readonly expect: Expectation;
}

const ANY_4XX: Expectation = { statuses: [400, 401, 403, 404, 409, 410, 413, 415, 429], codes: [] };
const UNAUTHENTICATED: Expectation = { statuses: [401], codes: ["unauthenticated"] };
const INVALID_BODY: Expectation = { statuses: [400], codes: ["invalid_body"] };
const TOO_LARGE: Expectation = { statuses: [413], codes: ["too_large"] };
const UNSUPPORTED: Expectation = { statuses: [415], codes: ["unsupported_media_type"] };

/** Field names worth checking in the message: plain identifiers (zod names odd keys in its own way). */
const PLAIN = /^[A-Za-z]+$/;

const EXTRA_KEYS = ["admin", "role", "isAdmin", "accountId", "__proto__", "constructor", "prototype", "", " ", "\u0000", "\u202eadmin", "a".repeat(1000), "toString"];
const REFUSED_TYPES = [
  "text/plain",
  "text/json",
  "application/jsonp",
  "application/json-patch+json",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/javascript",
  "json",
  "*/*",
  null,
];
/** Bytes that are not UTF-8: a lone continuation, an overlong slash, an encoded surrogate, a truncated sequence, 0xFF. */
const NOT_UTF8 = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xff, 0xfe], [0xf8, 0x88, 0x80, 0x80, 0x80]];

function badJsonText(rng: Rng, text: string): string {
  switch (rng.int(9)) {
    case 0:
      return text.slice(0, rng.int(text.length)); // cut short
    case 1:
      return text + rng.pick(["x", "}", ",", " {}", "\u0000", "//c", "]"]); // trailing garbage
    case 2:
      return text.slice(0, -1) + ",}"; // trailing comma
    case 3:
      return "/* comment */" + text;
    case 4:
      return text.replace(/"/g, "'"); // single quotes
    case 5:
      return rng.pick(["", " ", "NaN", "Infinity", "undefined", "{a:1}", "{\"a\"}", "{\"a\":}", "\ufeff{", "{{}}", "\u0000"]);
    case 6:
      return text.replace(":", "="); // not a member separator
    case 7:
      return text.replace(/"([A-Za-z]+)":/, "$1:"); // unquoted key
    default:
      return "\ufeff" + text.slice(0, -1); // BOM and cut short (a BOM alone would be stripped by the decoder)
  }
}

function nonObjectJson(rng: Rng, valid: Record<string, unknown>): string {
  return rng.pick(["[]", "null", "42", "-0", '"text"', "true", "false", "[{}]", JSON.stringify([valid]), JSON.stringify(JSON.stringify(valid))]);
}

type Add = (label: string, body: string | Uint8Array, expectParsed: Expectation, contentType?: string | null) => void;

/** Collects a case twice, with and without a session, each with what it must get. */
function collector(target: BodyTarget, out: MalformedCase[]): Add {
  return (label, body, expectParsed, contentType = "application/json") => {
    // The body limit is checked before the session and the parser, so an oversized body is 413 for everyone.
    const expect = byteLength(body) > target.limit ? TOO_LARGE : expectParsed;
    for (const withSession of [true, false]) {
      const anonymous = target.anonymous === "unauthenticated" && expect !== TOO_LARGE ? UNAUTHENTICATED : expect;
      out.push({ label: `${target.name} ${label}${withSession ? "" : " (anonymous)"}`, method: target.method, path: target.path, body, contentType, withSession, expect: withSession ? expect : anonymous });
    }
  };
}

/**
 * The cases every target gets for certain, not by chance: each refused content type, each fixed bad
 * JSON text, each field missing and each field of each wrong type (the message must name it), an extra field.
 */
export function systematicCases(target: BodyTarget): MalformedCase[] {
  const out: MalformedCase[] = [];
  const add = collector(target, out);
  const validText = JSON.stringify(target.valid);
  for (const type of REFUSED_TYPES) add(`content-type ${type}`, validText, UNSUPPORTED, type);
  for (const text of ["", "{", '{"a":', "not json", "[]", "null", "42", '"text"', validText + "x", validText.slice(0, -1)]) add(`bad JSON ${JSON.stringify(text.slice(0, 30))}`, text, INVALID_BODY);
  for (const field of Object.keys(target.fields)) {
    const { [field]: _dropped, ...rest } = target.valid;
    add(`without ${field}`, JSON.stringify(rest), { ...INVALID_BODY, mentions: field });
    for (const wrong of wrongTypesFor(target.fields[field]!)) {
      add(`${field}=${JSON.stringify(wrong)}`, JSON.stringify({ ...target.valid, [field]: wrong }), { ...INVALID_BODY, mentions: field });
    }
  }
  add("with admin: true", JSON.stringify({ ...target.valid, admin: true }), { ...INVALID_BODY, mentions: "admin" });
  return out;
}

/** `count` cases breaking target's body, seeded by `seed`; each is sent with and without a session. */
export function bodyCases(target: BodyTarget, count: number, seed: number): MalformedCase[] {
  const rng = new Rng(seed);
  const fields = Object.keys(target.fields);
  const validText = JSON.stringify(target.valid);
  const out: MalformedCase[] = [];
  const add = collector(target, out);
  for (let i = 0; out.length < count * 2; i++) {
    const roll = rng.int(100);
    if (roll < 10) {
      add(`#${i} bad JSON`, badJsonText(rng, validText), INVALID_BODY);
    } else if (roll < 15) {
      add(`#${i} not an object`, nonObjectJson(rng, target.valid), INVALID_BODY);
    } else if (roll < 25) {
      const drop = fields.filter(() => rng.int(2) === 0);
      const gone = drop.length ? drop : [rng.pick(fields)];
      const body = Object.fromEntries(Object.entries(target.valid).filter(([k]) => !gone.includes(k)));
      add(`#${i} missing ${gone.join(",")}`, JSON.stringify(body), { ...INVALID_BODY, mentions: gone[0]! });
    } else if (roll < 35) {
      const key = rng.pick(EXTRA_KEYS);
      const value = rng.pick([true, "x", 1, null, {}, []]);
      // Spliced as text so that "__proto__" is an own key of the parsed object, as JSON.parse makes it.
      const body = `${validText.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(value)}}`;
      add(`#${i} extra ${JSON.stringify(key.slice(0, 20))}`, body, PLAIN.test(key) ? { ...INVALID_BODY, mentions: key } : INVALID_BODY);
    } else if (roll < 85) {
      const field = rng.pick(fields);
      const bad = badValue(rng, target.fields[field]!);
      const body = JSON.stringify({ ...target.valid, [field]: bad.value });
      add(`#${i} bad ${field}`, body, bad.refusedBy === "content" ? ANY_4XX : { statuses: [400, 413], codes: ["invalid_body", "too_large"], mentions: field });
    } else if (roll < 89) {
      // A duplicate key: JSON.parse keeps the last one, here of the wrong type.
      const field = rng.pick(fields);
      add(`#${i} duplicate ${field}`, `${validText.slice(0, -1)},${JSON.stringify(field)}:${JSON.stringify(rng.pick(wrongTypesFor(target.fields[field]!)))}}`, { ...INVALID_BODY, mentions: field });
    } else if (roll < 92) {
      const depth = rng.pick([1_000, 10_000, 50_000]);
      const [open, close] = rng.int(2) ? ["[", "]"] : ['{"a":', "}"];
      add(`#${i} nested ${depth} deep`, `{${JSON.stringify(rng.pick(fields))}:${open.repeat(depth)}1${close.repeat(depth)}}`, INVALID_BODY);
    } else if (roll < 95) {
      const field = rng.pick(fields);
      const head = new TextEncoder().encode(`${validText.slice(0, -1)},${JSON.stringify(field + "_")}:"`);
      const bad = rng.pick(NOT_UTF8);
      add(`#${i} not UTF-8 [${bad.join(",")}]`, new Uint8Array([...head, ...bad, ...new TextEncoder().encode('"}')]), INVALID_BODY);
    } else if (roll < 97) {
      add(`#${i} over the limit`, JSON.stringify({ [rng.pick(fields)]: "A".repeat(target.limit + 1) }), TOO_LARGE);
    } else {
      const type = rng.pick(REFUSED_TYPES);
      add(`#${i} content-type ${type}`, validText, UNSUPPORTED, type);
    }
  }
  return out;
}

/** Path segments that cannot be an id or a username. */
export const BAD_SEGMENTS = [
  "a",
  "0",
  "-1",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "%00",
  "%2F",
  "%5C",
  "%20",
  "%0D%0A",
  "%E2%80%AE",
  "%ED%A0%80", // a surrogate, percent-encoded: not UTF-8
  "%E0%A4%A", // broken percent-encoding
  "%",
  "%%",
  "%F0%9F%98%80",
  "AAAAAAAAAAAAAAAAAAAAAA==", // 16 bytes, padded
  "AAAAAAAAAAAAAAAAAAAA+A", // standard alphabet
  "AAAAAAAAAAAAAAAAAAAAA", // 15 bytes + 2 bits
  "AAAAAAAAAAAAAAAAAAAAAAAA", // 18 bytes
  "AAAAAAAAAAAAAAAAAAAAAB", // non-canonical trailing bits
  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // 31 bytes
  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // 33 bytes
  "A".repeat(5_000),
  "Alice",
  "ab",
  "a".repeat(33),
  "1alice",
  "al%20ice",
  "%D0%B0lice", // Cyrillic a
  "alice%00",
  "%E2%80%8Balice",
  "alice%E2%80%AE",
  ".",
  "..",
  "%2e%2e",
  "x;y",
  "x?y=1",
];

/** Every parameterized route with each bad segment, with and without a session. */
export function pathCases(targets: readonly PathTarget[]): MalformedCase[] {
  return targets.flatMap((t) =>
    BAD_SEGMENTS.flatMap((segment) =>
      [true, false].map((withSession) => {
        const path = t.path.replace("{}", segment);
        // A bad segment names nothing: 404. Without a session a session route may say 401 first; a
        // segment that changes the route (".." or a query) may meet another route's checks.
        const expect: Expectation = withSession ? { statuses: [404], codes: ["not_found"] } : { statuses: t.sessionFirst ? [401, 404] : [404], codes: ["not_found", "unauthenticated"] };
        const loose = segment.includes("?") || segment.includes(".") ? ANY_4XX : expect;
        return {
          label: `${t.method} ${path.slice(0, 80)}${withSession ? "" : " (anonymous)"}`,
          method: t.method,
          path,
          ...(t.body ? { body: JSON.stringify(t.body), contentType: "application/json" } : {}),
          withSession,
          expect: loose,
        };
      }),
    ),
  );
}

/** Query strings the message page and link frame reads must refuse (400 invalid_query). */
export const BAD_MESSAGE_QUERIES = [
  "after=-1",
  "after=1.5",
  "after=1e3",
  "after=0x10",
  "after=%205",
  "after=",
  "after",
  "after=9999999999999999",
  "after=%00",
  "after=%E2%80%AE1",
  "after=%F0%9F%98%80",
  "after=x&after=-1",
  "limit=0",
  "limit=501",
  "limit=-1",
  "limit=abc",
  "limit=1e2",
  "limit=%EF%BC%91", // fullwidth 1
  "limit=10&foo=bar",
  "foo=bar",
  "after[]=1",
  "%ZZ=1",
  "after=1&limit=1&x=",
];
/** Query strings the read-state list must refuse (400 invalid_query): only `after`, a decimal count. */
export const BAD_READ_STATE_QUERIES = ["after=-1", "after=1.5", "after=1e3", "after=0x10", "after=", "after", "after=9999999999999999", "after=%00", "after=x&after=-1", "limit=10", "after=1&x=", "after[]=1", "%ZZ=1"];
export const BAD_FRAME_QUERIES = [
  "",
  "from=",
  "from=NEW",
  "from=new%00",
  "from=n%D0%B5w",
  "from=both",
  "from=new&after=-1",
  "from=new&after=1.5",
  "from=existing&after=x",
  "from=new&x=1",
  "after=1",
  "from=NEW&from=x",
  "from=%E2%80%AEnew",
];

export function queryCases(path: string, queries: readonly string[], sessionFirst: boolean): MalformedCase[] {
  return queries.flatMap((q) =>
    [true, false].map((withSession) => ({
      label: `GET ${path}?${q}${withSession ? "" : " (anonymous)"}`,
      method: "GET",
      path: `${path}?${q}`,
      withSession,
      expect: !withSession && sessionFirst ? UNAUTHENTICATED : { statuses: [400], codes: ["invalid_query"] },
    })),
  );
}

/** Session cookies that are not a live session: each must be 401, never a parser's 500. */
export const BAD_COOKIES = [
  "sealed_session=",
  "sealed_session",
  "sealed_session=%",
  "sealed_session=%E0%A4%A",
  "sealed_session=%ED%A0%80",
  "sealed_session=\"quoted\"",
  "sealed_session=AAAA",
  "sealed_session=" + "A".repeat(43),
  "sealed_session=" + "A".repeat(44),
  "sealed_session=" + "A".repeat(8_000),
  "sealed_session=" + "A".repeat(42) + "=",
  "sealed_session=" + "A".repeat(42) + "B",
  "sealed_session=a;sealed_session=b",
  "__Host-sealed_session=" + "A".repeat(43),
  "SEALED_SESSION=" + "A".repeat(43),
  "=;;=;",
  ";;;",
  "sealed_session=\u202e",
  "sealed_session=%00",
  "a=b; sealed_session=%FF%FE",
];
/** Origin headers that are not the server's own origin (compared as exact strings). */
export const BAD_ORIGINS = ["null", "", "http://example.com/", "http://example.com:80", "HTTP://EXAMPLE.COM", "http://example.com.evil.example", "http://xn--exmple-cua.com", "http://example.com%00", "https://example.com", "*", "http://example.com, http://example.com"];
/** Client addresses as a proxy might (mis)state them; the rate limiter must cope, whatever the text. */
export const ODD_ADDRESSES = ["", " ", "::", "::1", "fe80::1%eth0", "2001:db8::1::2", "2001:db8:0:0:0:0:0:0:0", "g::1", "::ffff:192.0.2.1", "300.300.300.300", "1.2.3.4, 5.6.7.8", "x".repeat(2_000), "\u202e1.2.3.4", "unknown", "[::1]:80"];

/** Malformed headers: cookies, Origins, link tokens, client addresses and WebSocket handshakes, each with the 4xx it must get. */
export function headerCases(p: { conversationPath: string; linkFramesPath: string; unknownUser: string; peer: string }): MalformedCase[] {
  const out: MalformedCase[] = [];
  for (const cookie of BAD_COOKIES) {
    out.push({ label: `GET /api/me with Cookie ${cookie.slice(0, 40)}`, method: "GET", path: "/api/me", withSession: false, headers: { Cookie: cookie }, expect: UNAUTHENTICATED });
    out.push({ label: `GET ${p.conversationPath} with Cookie ${cookie.slice(0, 40)}`, method: "GET", path: p.conversationPath, withSession: false, headers: { Cookie: cookie }, expect: UNAUTHENTICATED });
  }
  for (const origin of BAD_ORIGINS) {
    const body = JSON.stringify({ peer: p.peer });
    out.push({ label: `POST /api/conversations with Origin ${JSON.stringify(origin)}`, method: "POST", path: "/api/conversations", body, contentType: "application/json", withSession: true, headers: { Origin: origin }, expect: { statuses: [403], codes: ["bad_origin"] } });
  }
  for (const token of ["", "x", "A".repeat(43), "A".repeat(44), "A".repeat(10_000), "%00", "\u202eAAAA"]) {
    out.push({ label: `GET link frames with X-Link-Token ${JSON.stringify(token.slice(0, 20))}`, method: "GET", path: p.linkFramesPath, withSession: false, headers: { "X-Link-Token": token }, expect: { statuses: [403], codes: ["forbidden"] } });
  }
  // The realtime handshake checks Upgrade, then Origin, then the session, each before the hub is reached.
  for (const upgrade of ["", "h2c", "websocket2", "web socket", "websocket, h2c", "\u202ewebsocket"]) {
    out.push({ label: `GET /api/realtime with Upgrade ${JSON.stringify(upgrade)}`, method: "GET", path: "/api/realtime", withSession: true, headers: { Upgrade: upgrade }, expect: { statuses: [426], codes: ["upgrade_required"] } });
  }
  for (const origin of BAD_ORIGINS) {
    out.push({ label: `GET /api/realtime with Origin ${JSON.stringify(origin)}`, method: "GET", path: "/api/realtime", withSession: true, headers: { Upgrade: "websocket", Origin: origin }, expect: { statuses: [403], codes: ["bad_origin"] } });
  }
  for (const cookie of BAD_COOKIES) {
    out.push({ label: `GET /api/realtime with Cookie ${cookie.slice(0, 40)}`, method: "GET", path: "/api/realtime", withSession: false, headers: { Upgrade: "websocket", Cookie: cookie }, expect: UNAUTHENTICATED });
  }
  for (const address of ODD_ADDRESSES) {
    out.push({ label: `GET recovery lookup from ${JSON.stringify(address.slice(0, 20))}`, method: "GET", path: `/api/recovery/${p.unknownUser}`, withSession: false, headers: { "CF-Connecting-IP": address }, expect: { statuses: [404, 429], codes: ["not_found", "rate_limited"] } });
  }
  return out;
}

/**
 * Every route path with every method it does not serve (the route's parameters filled with real ids):
 * a 4xx with a JSON error, usually 404 not_found, never a 5xx and never another route's success.
 */
export function methodCases(routes: readonly { method: string; path: string }[], fill: (template: string) => string): MalformedCase[] {
  const served = new Map<string, Set<string>>();
  for (const r of routes) served.set(r.path, (served.get(r.path) ?? new Set()).add(r.method));
  const out: MalformedCase[] = [];
  for (const [template, methods] of served) {
    for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"].filter((m) => !methods.has(m))) {
      for (const withSession of [true, false]) {
        const path = fill(template);
        const body = method === "GET" || method === "OPTIONS" ? {} : { body: "{}", contentType: "application/json" };
        out.push({ label: `${method} ${template}${withSession ? "" : " (anonymous)"}`, method, path, ...body, withSession, expect: ANY_4XX });
      }
    }
  }
  return out;
}

function byteLength(body: string | Uint8Array): number {
  return typeof body === "string" ? new TextEncoder().encode(body).length : body.length;
}
