import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // Trains (or finds cached) the smoke codec that the codec tests run against.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2 } },
  },
});
