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
          // A safety net against hangs, not a speed requirement: on a loaded 2-core CI machine the
          // large-import tests take 10–20 s each (30 s left too little margin).
          testTimeout: 180_000,
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
