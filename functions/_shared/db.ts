/**
 * Postgres access for Edge Functions (postgres.js over SUPABASE_DB_URL). User requests run in a
 * transaction as role `authenticated` with the caller's JWT claims set, exactly as PostgREST
 * does, so Row Level Security applies inside functions too.
 */
import postgres from "postgres";
import { requireEnv } from "./env.ts";
import { config } from "./config.ts";
import type { Claims } from "./auth.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

let client: Sql | null = null;

/** The shared connection pool (the project owner's connection: use withUser for user data). */
export function db(): Sql {
  client ??= postgres(requireEnv("SUPABASE_DB_URL"), {
    prepare: false, // required behind Supabase's transaction pooler
    max: config().DB_POOL_MAX,
    idle_timeout: 20,
    connect_timeout: 10,
    onnotice: () => {},
    types: { bigint: postgres.BigInt },
  });
  return client;
}

/** Runs `fn` in one transaction as the calling user (role authenticated + claims), like PostgREST. */
export async function withUser<T>(claims: Claims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return await db().begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
                    set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
                    set_config('statement_timeout', '8s', true)`;
    return await fn(tx);
  }) as T;
}

/**
 * Makes the current transaction act as service_role with `claims` (role forced to service_role):
 * RLS is bypassed, and triggers see `claims.sub` (if any) as the actor (`auth.uid()`).
 */
export async function actAsService(tx: Sql | Tx, claims: Record<string, unknown> = {}): Promise<void> {
  await tx`select set_config('role', 'service_role', true),
                  set_config('request.jwt.claims', ${JSON.stringify({ ...claims, role: "service_role" })}, true)`;
}

/** Runs `fn` in one transaction as service_role (bypasses RLS: server-side jobs only). */
export async function withService<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return await withServiceFor({}, fn);
}

/**
 * Runs `fn` as service_role on behalf of a signed-in user: RLS is bypassed (the function has
 * already checked ownership), and triggers see the user as the actor (`auth.uid()`), so the
 * audit trail says who asked for the change.
 */
export async function withServiceFor<T>(claims: Claims | Record<string, unknown>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return await db().begin(async (tx) => {
    await actAsService(tx, claims);
    return await fn(tx);
  }) as T;
}

export async function closeDb(): Promise<void> {
  if (client) await client.end({ timeout: 5 });
  client = null;
}
