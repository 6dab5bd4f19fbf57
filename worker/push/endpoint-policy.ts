/**
 * Which URLs the server will POST push messages to. A subscription's endpoint comes from the client,
 * so without a policy the server would fetch any URL a caller names (SSRF: internal hosts, other
 * services, amplification). Only the browsers' push services are accepted, over https on the default
 * port; PUSH_EXTRA_ORIGINS adds exact origins for tests and local dev. The one list of hosts is here.
 */
export const PUSH_SERVICE_HOSTS: readonly { readonly host: string; readonly subdomains: boolean }[] = [
  { host: "fcm.googleapis.com", subdomains: false }, // Chrome, Edge (Chromium), Opera, Samsung
  { host: "push.services.mozilla.com", subdomains: true }, // Firefox: updates.push.services.mozilla.com
  { host: "notify.windows.com", subdomains: true }, // legacy Edge: *.notify.windows.com
  { host: "web.push.apple.com", subdomains: false }, // Safari
  { host: "push.apple.com", subdomains: true }, // Safari: *.push.apple.com
];

/** The origins of PUSH_EXTRA_ORIGINS (comma-separated); entries that are not URLs are ignored. */
export function extraOrigins(setting: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (setting ?? "").split(",")) {
    const text = part.trim();
    if (!text) continue;
    try {
      out.add(new URL(text).origin);
    } catch {
      console.error(`PUSH_EXTRA_ORIGINS: "${text}" is not a URL; ignored`);
    }
  }
  return out;
}

/** Why an endpoint is refused, or undefined if the server may post to it. */
export function endpointRefusal(endpoint: string, extra: ReadonlySet<string>): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "the endpoint is not a URL";
  }
  if (url.username || url.password) return "the endpoint may not carry credentials";
  if (extra.has(url.origin)) return undefined;
  if (url.protocol !== "https:") return "the endpoint must be an https URL";
  if (url.port !== "") return "the endpoint must use the default https port";
  const host = url.hostname;
  const known = PUSH_SERVICE_HOSTS.some((h) => host === h.host || (h.subdomains && host.endsWith(`.${h.host}`)));
  if (!known) return `${host} is not a known push service (${PUSH_SERVICE_HOSTS.map((h) => (h.subdomains ? `*.${h.host}` : h.host)).join(", ")})`;
  return undefined;
}
