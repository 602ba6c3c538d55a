/**
 * The stack's servers behind its one URL: PostgREST at /rest/v1 configured from config.toml
 * `[api]`, a schema change reaching it on `up` (NOTIFY pgrst, 'reload schema'), PostgREST's own
 * errors passed through unchanged, Kong-like key checks and CORS at the gateway, `status` naming
 * every server, and a clear one-line error when a server's port is taken.
 */
import { spawnSync } from "node:child_process";
import net from "node:net";
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { adminSql, closePools } from "../support/db.ts";
import { ROOT, stackEnv } from "../support/env.ts";
import { newClient } from "../support/frontend.ts";

afterAll(closePools);

function stack(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync("node", ["scripts/stack.mjs", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
  return { status: r.status, stderr: r.stderr.trim(), stdout: r.stdout.trim() };
}

describe("PostgREST behind /rest/v1", () => {
  it("is PostgREST 12 configured from config.toml [api]: exposed schemas, max rows", async () => {
    const env = stackEnv();
    const res = await fetch(`${env.SUPABASE_URL}/rest/v1/`, { headers: { apikey: env.SUPABASE_SERVICE_ROLE_KEY, authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("server")).toBe("postgrest/12.0.2");
    const openapi = await res.json() as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(["/fills", "/trade_history"]));
    // [api] schemas: a schema it does not expose is refused by PostgREST itself (406, PGRST106).
    const other = await fetch(`${env.SUPABASE_URL}/rest/v1/users`, { headers: { apikey: env.SUPABASE_ANON_KEY, "accept-profile": "auth" } });
    expect(other.status).toBe(406);
    expect((await other.json() as { code: string }).code).toBe("PGRST106");
  });

  it("a schema change reaches it when the stack comes up (NOTIFY pgrst, 'reload schema')", async () => {
    const sql = adminSql();
    const name = `reload_probe_${process.pid}`;
    await sql.unsafe(`create function public.${name}() returns int language sql stable security invoker set search_path = '' as 'select 42'`);
    try {
      await sql.unsafe(`grant execute on function public.${name}() to authenticated, anon`);
      const before = await newClient().rpc(name as never);
      expect(before.error?.code).toBe("PGRST202"); // not in its schema cache yet
      const up = stack(["up"]);
      expect(up.status).toBe(0);
      const after = await newClient().rpc(name as never);
      expect(after.error).toBeNull();
      expect(after.data).toBe(42);
    } finally {
      await sql.unsafe(`drop function public.${name}()`);
    }
  });

  it("passes PostgREST's errors through unchanged, and checks the API key as Kong does", async () => {
    const env = stackEnv();
    const bad = await fetch(`${env.SUPABASE_URL}/rest/v1/fills?select=no_such_column`, { headers: { apikey: env.SUPABASE_ANON_KEY } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "42703", message: "column fills.no_such_column does not exist" });
    const noKey = await fetch(`${env.SUPABASE_URL}/rest/v1/fills`);
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toEqual({ message: "No API key found in request" });
    const wrongKey = await fetch(`${env.SUPABASE_URL}/auth/v1/settings`, { headers: { apikey: "nope" } });
    expect(wrongKey.status).toBe(401);
    expect(await wrongKey.json()).toEqual({ message: "Invalid API key" });
  });

  it("answers CORS preflights for /rest/v1 and /auth/v1 and exposes Content-Range", async () => {
    const env = stackEnv();
    for (const path of ["/rest/v1/fills", "/auth/v1/token?grant_type=password"]) {
      const pre = await fetch(`${env.SUPABASE_URL}${path}`, {
        method: "OPTIONS",
        headers: { origin: "http://127.0.0.1:3000", "access-control-request-method": "POST", "access-control-request-headers": "apikey, authorization, content-type, prefer, x-client-info" },
      });
      expect(pre.status).toBe(200);
      expect(pre.headers.get("access-control-allow-origin")).toBe("*");
      expect(pre.headers.get("access-control-allow-headers")).toContain("prefer");
      expect(pre.headers.get("access-control-allow-methods")).toContain("POST");
    }
    const res = await fetch(`${env.SUPABASE_URL}/rest/v1/fills?select=id&limit=1`, {
      headers: { apikey: env.SUPABASE_ANON_KEY, authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}`, origin: "http://127.0.0.1:3000", prefer: "count=exact" },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toContain("Content-Range");
    expect(res.headers.get("content-range")).toMatch(/^\*\/0$|^\d+-\d+\/\d+$/);
  });
});

describe("stack command and its servers", () => {
  it("status names the gateway, PostgREST and the functions, each running", () => {
    const r = stack(["status"]);
    expect(r.status).toBe(0);
    for (const name of ["gateway", "postgrest", "functions"]) expect(r.stdout).toMatch(new RegExp(`^${name}\\s+running \\(pid \\d+\\)`, "m"));
    expect(r.stdout).toMatch(/REST URL: http:\/\/127\.0\.0\.1:\d+\/rest\/v1/);
    expect(r.stdout).toMatch(/postgrest\.log/);
  });

  it("PostgREST's port taken → one line naming the port and the server, exit 1, nothing started", async () => {
    const blocker = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const pgrstPort = (blocker.address() as net.AddressInfo).port;
    const apiPort = pgrstPort - 11; // PostgREST listens on API_PORT + 11
    const env = { STACK_DIR: `.stack-e2e-pgrst-${pgrstPort}`, STACK_DB_PORT: String(apiPort + 1), STACK_API_PORT: String(apiPort) };
    try {
      const r = stack(["up"], env);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^stack: port ${pgrstPort} \\(PostgREST\\) is already taken by another process`, "m"));
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const after = stack(["status"], env);
      for (const name of ["gateway", "postgrest", "functions"]) expect(after.stdout).toMatch(new RegExp(`^${name}\\s+stopped`, "m"));
    } finally {
      blocker.close();
      stack(["down"], env);
      rmSync(resolve(ROOT, env.STACK_DIR), { recursive: true, force: true });
    }
  }, 180_000);
});
