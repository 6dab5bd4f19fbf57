// vitest globalSetup of vitest.worker.config.ts: one push service (push-service.ts) for the whole worker run;
// tests reach it at inject("pushServiceUrl").
import type { TestProject } from "vitest/node";
import { startPushService } from "./push-service.js";

declare module "vitest" {
  interface ProvidedContext {
    pushServiceUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // vitest.worker.config.ts chose the port and named the origin in the worker's PUSH_EXTRA_ORIGINS: the
  // account hubs, which push a new message, read their bindings, not a test's env.
  const port = Number(process.env["SEALED_TEST_PUSH_PORT"]);
  const service = await startPushService(Number.isInteger(port) && port > 0 ? { port } : {});
  project.provide("pushServiceUrl", service.origin);
  return service.stop;
}
