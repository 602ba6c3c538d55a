import { defineConfig } from "vitest/config";

// Two projects: `unit` needs nothing running; `stack` (db, functions, e2e) runs against the
// local Supabase stack, which tests/support/global-setup.ts brings up once per run.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "stack",
          include: ["tests/db/**/*.test.ts", "tests/functions/**/*.test.ts", "tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/support/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
