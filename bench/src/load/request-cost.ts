// What wrangler dev spends on requests that do not send: a floor for the cost of a send.
import type { DevServer, ServerCpu } from "../server.js";
import { median } from "../stats.js";
import { nodeApi } from "./client.js";
import { createAccount } from "./setup.js";

export interface RequestCost {
  readonly path: string;
  readonly what: string;
  /** Wall time per request, median, ms. */
  readonly wallMs: number;
  /** Server CPU per request, ms. */
  readonly cpuMs: ServerCpu;
}

/** `n` sequential GET /api/health (no storage) and GET /api/me (a session lookup in D1). */
export async function measureRequestCost(server: DevServer, n = 100): Promise<RequestCost[]> {
  const api = nodeApi(server.baseURL);
  const me = await createAccount(api, "cost");
  const cases = [
    { path: "GET /api/health", what: "no storage", call: () => api.call("GET", "/api/health") },
    { path: "GET /api/me", what: "one D1 session lookup", call: () => api.call("GET", "/api/me", { cookie: me.cookie }) },
  ];
  const out: RequestCost[] = [];
  for (const c of cases) {
    for (let i = 0; i < 10; i++) await (await c.call()).text(); // warm-up
    const walls: number[] = [];
    const cpu0 = server.cpuSeconds();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await c.call();
      await res.text();
      if (res.status !== 200) throw new Error(`${c.path} answered ${res.status}`);
      walls.push(performance.now() - t0);
    }
    const cpu1 = server.cpuSeconds();
    out.push({ path: c.path, what: c.what, wallMs: median(walls), cpuMs: { node: ((cpu1.node - cpu0.node) * 1000) / n, workerd: ((cpu1.workerd - cpu0.workerd) * 1000) / n } });
  }
  return out;
}
