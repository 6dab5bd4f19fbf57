import type { Context } from "hono";

/**
 * Who a request comes from, for rate limits. Cloudflare sets CF-Connecting-IP on every request it
 * forwards to a Worker, replacing any the client sent; `wrangler dev` sets it to the local peer. An IPv6
 * client is counted by its /64, since one subscriber usually holds a whole /64 and could otherwise rotate
 * through it. A request without the header (straight to the fetch handler, as in tests) counts as "unknown".
 */
export function clientAddress(c: Context): string {
  const ip = c.req.header("cf-connecting-ip")?.trim().toLowerCase();
  if (!ip) return "unknown";
  return ip.includes(":") ? (ipv6Prefix64(ip) ?? ip) : ip;
}

/** The first four groups of an IPv6 address, e.g. "2001:db8:0:1::/64"; undefined if it does not parse. */
export function ipv6Prefix64(ip: string): string | undefined {
  const halves = ip.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  // An embedded IPv4 tail (::ffff:192.0.2.1) fills the last two groups, outside the /64.
  const tailGroups = tail.length > 0 && tail.at(-1)!.includes(".") ? tail.length + 1 : tail.length;
  const missing = 8 - head.length - tailGroups;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(missing).fill("0"), ...tail];
  const prefix = groups.slice(0, 4);
  if (!prefix.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return `${prefix.map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
