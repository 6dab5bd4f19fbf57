// The load test (npm run test:load): headless clients against a real `wrangler dev` (the e2e server setup).
// Its reduced size runs in `npm test` as tests/e2e/load-small.test.ts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/load/**/*.test.ts"],
    environment: "node",
    globalSetup: ["tests/e2e/global-setup.ts"],
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
