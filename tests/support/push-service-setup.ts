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
  const service = await startPushService();
  project.provide("pushServiceUrl", service.origin);
  return service.stop;
}
