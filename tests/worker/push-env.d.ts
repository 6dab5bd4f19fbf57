// The push service's origin, provided by tests/support/push-service.ts (vitest globalSetup).
declare module "vitest" {
  interface ProvidedContext {
    pushServiceUrl: string;
  }
}
export {};
