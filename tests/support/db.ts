/**
 * Database helpers for tests: a superuser connection for set-up and inspection, and running SQL
 * exactly as PostgREST does for a request: connected as `authenticator`, one transaction, the
 * per-request preamble (search_path, role, full JWT claims, method, path, headers), the query,
 * then COMMIT (or ROLLBACK with `rollback: true`).
 */
import postgres from "postgres";
import { dbUrlAs } from "./env.ts";
import type { TestUser } from "./users.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

const pools = new Map<string, Sql>();

function pool(role: "postgres" | "supabase_admin" | "authenticator"): Sql {
  let p = pools.get(role);
  if (!p) {
    p = postgres(dbUrlAs(role), { max: 4, onnotice: () => {}, prepare: false, idle_timeout: 5 });
    pools.set(role, p);
  }
  return p;
}

/** Superuser (supabase_admin): test set-up and inspection only. */
export const adminSql = (): Sql => pool("supabase_admin");
/** The project owner `postgres` (not a superuser), as migrations and functions connect. */
export const ownerSql = (): Sql => pool("postgres");

export interface RequestOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** Roll back instead of committing (for probes that must leave nothing behind). */
  rollback?: boolean;
}

class Rollback extends Error {
  constructor(readonly value: unknown) { super("rollback"); }
}

async function asRole<T>(role: string, claims: Record<string, unknown>, fn: (tx: Tx) => Promise<T>, opts: RequestOptions = {}): Promise<T> {
  try {
    return await pool("authenticator").begin(async (tx) => {
      await tx`select set_config('search_path', '"public", "extensions"', true),
                      set_config('role', ${role}, true),
                      set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
                      set_config('request.method', ${opts.method ?? "GET"}, true),
                      set_config('request.path', ${opts.path ?? "/"}, true),
                      set_config('request.headers', ${JSON.stringify(opts.headers ?? {})}, true)`;
      const value = await fn(tx);
      if (opts.rollback) throw new Rollback(value);
      return value;
    }) as T;
  } catch (err) {
    if (err instanceof Rollback) return err.value as T;
    throw err;
  }
}

/** Runs `fn` as the signed-in user, exactly as PostgREST would for that user's request. */
export function asUser<T>(user: TestUser, fn: (tx: Tx) => Promise<T>, opts?: RequestOptions): Promise<T> {
  return asRole("authenticated", user.claims, fn, opts);
}

/** Runs `fn` as an anonymous visitor holding only the anon key. */
export function asAnon<T>(fn: (tx: Tx) => Promise<T>, opts?: RequestOptions): Promise<T> {
  return asRole("anon", { role: "anon", iss: "supabase" }, fn, opts);
}

/** Runs `fn` as the service role (the server side: bypasses RLS). */
export function asService<T>(fn: (tx: Tx) => Promise<T>, opts?: RequestOptions): Promise<T> {
  return asRole("service_role", { role: "service_role", iss: "supabase" }, fn, opts);
}

export async function closePools(): Promise<void> {
  await Promise.all([...pools.values()].map((p) => p.end({ timeout: 2 })));
  pools.clear();
}

/**
 * market_prices is shared by every user: a test file that writes prices removes them when it
 * ends, so other files' expectations (valued or unpriced assets) do not depend on the order.
 * Call in beforeAll; await the returned function in afterAll.
 */
export async function trackMarketPrices(): Promise<() => Promise<void>> {
  const [p] = await adminSql()`select coalesce(max(id), 0)::text as id from public.market_prices`;
  return async () => {
    await adminSql()`delete from public.market_prices where id > ${p.id}::bigint`;
  };
}
