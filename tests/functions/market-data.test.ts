/**
 * The `market-data` function: in-process (handler under Node, dependencies injected) for its
 * routes, and over HTTP through the local Deno server (it boots; the service role only).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, closePools } from "../support/db.ts";
import { exportStackEnv, stackEnv } from "../support/env.ts";
import { callFunction } from "../support/http.ts";
import { createUser, type TestUser } from "../support/users.ts";
import { closeDb, db } from "../../functions/_shared/db.ts";

type Handler = (req: Request) => Promise<Response>;
let handler: Handler;
let mod: typeof import("../../functions/market-data/handler.ts");
let user: TestUser;
const service = () => stackEnv().SUPABASE_SERVICE_ROLE_KEY;

beforeAll(async () => {
  exportStackEnv();
  mod = await import("../../functions/market-data/handler.ts");
  handler = mod.default;
  user = await createUser("market-data");
  const noExchange = () => { throw new Error("no exchange in this test"); };
  mod.setCandleDeps({ sql: db(), createClient: noExchange, now: () => Date.now() });
  mod.setMarketJobDeps({ sql: db(), createClient: noExchange, fetch: noExchange, env: () => undefined, now: () => Date.now() });
});
afterAll(async () => {
  mod.setCandleDeps(null);
  mod.setMarketJobDeps(null);
  await closeDb();
  await closePools();
});

async function call(token: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await handler(new Request(`http://localhost/functions/v1/market-data${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe("in-process", () => {
  it("is for the service role only", async () => {
    expect((await call(null, "POST", "/candles", {})).status).toBe(401);
    const r = await call(user.token, "POST", "/jobs", {});
    expect([r.status, r.body.error.code]).toEqual([403, "service_role_required"]);
  });

  it("validates bodies and routes", async () => {
    const bad = await call(service(), "POST", "/candles", { max: 0 });
    expect([bad.status, bad.body.error.code, bad.body.error.details[0].path]).toEqual([400, "invalid_request", "max"]);
    expect((await call(service(), "POST", "/jobs", { jobs: ["weather"] })).status).toBe(400);
    expect((await call(service(), "POST", "/candles", { extra: 1 })).status).toBe(400);
    expect((await call(service(), "GET", "/candles")).status).toBe(405);
    expect((await call(service(), "POST", "/elsewhere", {})).status).toBe(404);
  });

  it("runs a named job and answers its outcome (FRED without its key: not configured)", async () => {
    const r = await call(service(), "POST", "/jobs", { jobs: ["fred"] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ processed: 1, jobs: [{ job: "fred", status: "not_configured", rows: 0 }] });
    const [job] = await adminSql()`select status from private.market_jobs where job = 'fred'`;
    expect(job.status).toBe("not_configured");
  });
});

describe("over HTTP (local Deno server)", () => {
  it("boots and refuses users", async () => {
    const r = await callFunction("market-data", { path: "/candles", token: user.token, body: {} });
    expect(r.status).toBe(403);
    const bad = await callFunction("market-data", { path: "/jobs", token: service(), body: { jobs: [] } });
    expect(bad.status).toBe(400);
  });
});
