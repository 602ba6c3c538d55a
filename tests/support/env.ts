/** The local stack's URLs and keys, as `npm run stack -- env` prints them (read once per worker). */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface StackEnv {
  SUPABASE_URL: string;
  SUPABASE_DB_URL: string;
  SUPABASE_ANON_KEY: string;
  SUPABASE_SERVICE_ROLE_KEY: string;
  SUPABASE_JWT_SECRET: string;
  CREDENTIAL_KEYS: string;
  CREDENTIAL_ACTIVE_KID: string;
}

let cached: StackEnv | null = null;

export function stackEnv(): StackEnv {
  if (cached) return cached;
  const out = execFileSync("node", [resolve(ROOT, "scripts/stack.mjs"), "env", "--secrets"], { encoding: "utf8" });
  const env: Record<string, string> = {};
  for (const line of out.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
  }
  cached = env as unknown as StackEnv;
  return cached;
}

/** The same URL for another login role of the local cluster (all use the local password). */
export function dbUrlAs(role: "postgres" | "supabase_admin" | "authenticator"): string {
  return stackEnv().SUPABASE_DB_URL.replace(/\/\/postgres:/, `//${role}:`);
}

/** Puts the stack's variables into process.env, as Supabase injects them into functions. */
export function exportStackEnv(): StackEnv {
  const env = stackEnv();
  Object.assign(process.env, env);
  return env;
}
