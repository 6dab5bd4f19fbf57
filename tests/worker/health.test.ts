import { env, exports } from "cloudflare:workers";
import { expect, test } from "vitest";

test("GET /api/health answers ok", async () => {
  const res = await exports.default.fetch("http://example.com/api/health");
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true });
});

test("the setup file applied the D1 migrations", async () => {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM d1_migrations").first<{ n: number }>();
  expect(row?.n).toBeGreaterThan(0);
});
