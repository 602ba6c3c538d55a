/**
 * The frontend's path in tests: supabase-js over HTTP against the stack's one URL (gateway →
 * Auth stand-in, PostgREST, functions), signed in through its own auth client — no token minted
 * by the test. `sampleAccountFor` fills an account through the main job (the real import path).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createClient, type Session, type SupabaseClient } from "@supabase/supabase-js";
import ws from "ws";
import type { Database } from "../../functions/_shared/types/index.ts";
import { ROOT, stackEnv } from "./env.ts";

export type Client = SupabaseClient<Database>;

/** A fresh supabase-js client with the anon key, as a browser app creates it (session in memory). */
export function newClient(key = stackEnv().SUPABASE_ANON_KEY): Client {
  return createClient<Database>(stackEnv().SUPABASE_URL, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: ws as never },
  });
}

export const PASSWORD = "correct-horse-42";

export function uniqueEmail(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

/** Signs a new user up through supabase-js (auto-confirmed: the answer carries the session). */
export async function signedUpClient(label: string, data: Record<string, unknown> = {}): Promise<{ client: Client; email: string; session: Session }> {
  const client = newClient();
  const email = uniqueEmail(label);
  const { data: res, error } = await client.auth.signUp({ email, password: PASSWORD, options: { data } });
  if (error || !res.session) throw new Error(`sign-up of ${email} failed: ${error?.message ?? "no session"}`);
  return { client, email, session: res.session };
}

/** Imports the shipped sample account for `email` through the main job (import → engine → metrics). */
export function sampleAccountFor(email: string): void {
  const out = mkdtempSync(join(tmpdir(), "cgt-frontend-"));
  execFileSync(resolve(ROOT, "node_modules/.bin/tsx"), ["scripts/main-job.ts", "--user", email, "--out", out, "--no-screenshot", "--quiet"], {
    cwd: ROOT, env: { ...process.env, ...stackEnv() }, stdio: ["ignore", "ignore", "pipe"],
  });
}

/**
 * The columns of a table's or view's `Row` in the committed generated types
 * (functions/_shared/types/database.ts, `supabase gen types typescript` output), sorted.
 */
export function generatedRowKeys(relation: string): string[] {
  const lines = readFileSync(resolve(ROOT, "functions/_shared/types/database.ts"), "utf8").split("\n");
  // The generator writes each entry as `"name": {`, after the first as `},"name": {`.
  const header = `"${relation}": {`;
  const at = lines.findIndex((l) => l.trim() === header || l.trim() === `},${header}`);
  const row = lines.findIndex((l, k) => k > at && l.trim() === "Row: {");
  if (at < 0 || row < 0) throw new Error(`no Row type for ${relation} in the generated types`);
  return [...lines[row + 1].matchAll(/"([A-Za-z0-9_]+)"\??:/g)].map((m) => m[1]).sort();
}
