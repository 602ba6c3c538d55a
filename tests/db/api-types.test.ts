/**
 * functions/_shared/types/database.ts is `supabase gen types typescript` output, committed for
 * the frontend. This test regenerates it from the test database (rebuilt from the migrations)
 * and fails when the committed file is stale, saying how to refresh it.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, stackEnv } from "../support/env.ts";

const FILE = "functions/_shared/types/database.ts";

function generate(): string {
  const url = new URL(stackEnv().SUPABASE_DB_URL);
  url.searchParams.set("sslmode", "disable"); // local cluster: no TLS (and no warning on stdout)
  return execFileSync(resolve(ROOT, "node_modules/.bin/supabase"),
    ["gen", "types", "typescript", `--remote=${url.toString()}`, "--schema", "public"],
    { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 16 * 1024 * 1024 });
}

describe("generated database types", () => {
  it(`${FILE} matches the migrations`, () => {
    const fresh = generate();
    expect(fresh).toContain("export type Database");
    const committed = readFileSync(resolve(ROOT, FILE), "utf8");
    const refresh = `${FILE} is stale: the migrations changed the public schema. Refresh it with\n` +
      `  npm run stack -- reset && ./node_modules/.bin/supabase gen types typescript ` +
      `--remote="postgresql://postgres:postgres@127.0.0.1:54322/postgres?sslmode=disable" --schema public > ${FILE}\n` +
      `and commit the result.`;
    if (fresh !== committed) expect.fail(refresh);
  });
});
