/** Calling the local Edge Functions: plain fetch, and the real supabase-js client. */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import ws from "ws";
import { stackEnv } from "./env.ts";

export interface CallOptions {
  method?: string;
  /** Path after the function name, e.g. "/positions/open?period=30d". */
  path?: string;
  token?: string | null;
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
}

export async function callFunction(name: string, opts: CallOptions = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const env = stackEnv();
  const headers: Record<string, string> = { apikey: env.SUPABASE_ANON_KEY, ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: BodyInit | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(`${env.SUPABASE_URL}/functions/v1/${name}${opts.path ?? ""}`, {
    method: opts.method ?? (body ? "POST" : "GET"),
    headers,
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* keep text */ }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** The real supabase-js client against the local stack, signed in with `token` when given. */
export function supabaseAs(token?: string, anonKey = stackEnv().SUPABASE_ANON_KEY): SupabaseClient {
  const env = stackEnv();
  return createClient(env.SUPABASE_URL, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    // Node 20 has no global WebSocket; supabase-js's realtime client asks for one at construction.
    realtime: { transport: ws as never },
    global: token ? { headers: { Authorization: `Bearer ${token}` } } : undefined,
  });
}
