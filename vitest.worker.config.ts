// Worker tests run inside workerd with real D1 (vitest-pool-workers), not against mocks.
import { generateKeyPairSync } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const migrations = await readD1Migrations("worker/migrations");

/** A VAPID key pair for this run (worker/push/vapid.ts reads them as base64url of the point and of d). */
function vapidKeyPair(): { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string } {
  const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  if (!jwk.x || !jwk.y || !jwk.d) throw new Error("node:crypto exported no P-256 JWK");
  const point = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
  return { VAPID_PUBLIC_KEY: point.toString("base64url"), VAPID_PRIVATE_KEY: jwk.d };
}

/** A free local port for the test push service (tests/support/push-service-setup.ts starts it there). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// The push service's origin must be in the workers' own PUSH_EXTRA_ORIGINS: in the objects layout the
// account hubs push, with their bindings (a test's env reaches only the app it calls).
process.env["SEALED_TEST_PUSH_PORT"] ??= String(await freePort());
const pushOrigin = `http://127.0.0.1:${process.env["SEALED_TEST_PUSH_PORT"]}`;

export default defineConfig({
  plugins: [
    cloudflareTest({
      main: "./worker/index.ts",
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: { bindings: { TEST_MIGRATIONS: migrations, ...vapidKeyPair(), VAPID_SUBJECT: "mailto:push-tests@example.com", PUSH_EXTRA_ORIGINS: pushOrigin } },
    }),
  ],
  test: {
    include: ["tests/worker/**/*.test.ts"],
    setupFiles: ["tests/worker/setup.ts"],
    // The push service the worker posts to in tests/worker/push-*.test.ts: a real HTTP server in Node.
    globalSetup: ["tests/support/push-service-setup.ts"],
  },
});
