/**
 * The `exchange-sync` function: in-process (handler under Node, exchanges mocked with msw, real
 * database) for the drain path, and over HTTP through the local functions server for what does
 * not reach an exchange (auth, validation, "sync now" enqueue, rate limit, runs).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { adminSql, closePools } from "../support/db.ts";
import { holdCron } from "../support/cron.ts";
import { parkOtherJobs } from "../support/queue.ts";
import { exportStackEnv, stackEnv } from "../support/env.ts";
import { callFunction, supabaseAs } from "../support/http.ts";
import type { ReplayServer } from "../support/ccxt/replay.ts";
import { binanceMyTrades, binanceMyTradesHandler } from "../support/ccxt/synthetic.ts";
import { closeDb } from "../../functions/_shared/db.ts";
import { makeDeps, newCredential, NOW, SECRETS, startSyncServer } from "../unit/sync/support.ts";

type Handler = (req: Request) => Promise<Response>;
let handler: Handler;
let setSyncDeps: (typeof import("../../functions/exchange-sync/handler.ts"))["setSyncDeps"];
let server: ReplayServer;
const logs: string[] = [];
let resumeCron: () => Promise<void> = async () => {};

beforeAll(async () => {
  exportStackEnv();
  server = startSyncServer();
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => { logs.push(args.map(String).join(" ")); });
  }
  const mod = await import("../../functions/exchange-sync/handler.ts");
  handler = mod.default;
  setSyncDeps = mod.setSyncDeps;
  // jobs other test files left (queued or running) must not be drained here, nor jobs pg_cron's
  // enqueue-due-syncs would queue for their credentials if its 5-minute tick fell inside this
  // file: held first
  resumeCron = await holdCron(["enqueue-due-syncs"]);
  await parkOtherJobs();
});
afterAll(async () => {
  await resumeCron();
  server.close();
  vi.restoreAllMocks();
  await closeDb();
  await closePools();
});

async function call(token: string | null, method: string, path = "", body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === "string" ? body : JSON.stringify(body);
    headers["content-type"] = "application/json";
  }
  const res = await handler(new Request(`http://localhost/functions/v1/exchange-sync${path}`, { method, headers, body: payload }));
  const text = await res.text();
  for (const s of Object.values(SECRETS)) expect(text).not.toContain(s);
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

describe("in-process", () => {
  it("sync now → the service role drains the queue → the user sees the run", async () => {
    const rows = binanceMyTrades({ count: 1200, start: NOW - 86_400_000, end: NOW - 1, seed: 4 });
    server.resetHandlers(binanceMyTradesHandler(rows));
    setSyncDeps(makeDeps("binance", { options: { steps: ["fills"], marketTypes: ["spot"], discover: false, userSymbols: ["LTC/USDT"], backfillDays: 1 } }));
    const cred = await newCredential("binance", "fn");
    const now = await call(cred.user.token, "POST", "/now", { credential_id: cred.credentialId });
    expect(now.status).toBe(202);
    expect(now.body.jobs).toEqual([{ credential_id: cred.credentialId, job_id: expect.any(String), status: "queued" }]);
    const service = stackEnv().SUPABASE_SERVICE_ROLE_KEY;
    const drained = await call(service, "POST", "", { max: 3 });
    expect(drained.status).toBe(200);
    expect(drained.body.jobs).toEqual([expect.objectContaining({ jobId: now.body.jobs[0].job_id, job: "succeeded", sync: "succeeded" })]);
    const runs = await call(cred.user.token, "GET", "/runs");
    expect(runs.status).toBe(200);
    expect(runs.body.runs).toHaveLength(1);
    expect(runs.body.runs[0]).toMatchObject({ status: "succeeded", counts: { fills: 1200, fees: 1200 }, job_id: now.body.jobs[0].job_id });
    const [{ n }] = await adminSql()`select count(*)::int as n from public.fills where user_id = ${cred.user.id}`;
    expect(n).toBe(1200);
    // nothing left: a second drain processes nothing
    expect((await call(service, "POST")).body).toEqual({ processed: 0, jobs: [] });
    setSyncDeps(null);
  });

  it("draining needs the service role; bodies are validated", async () => {
    const cred = await newCredential("binance", "fn2");
    expect((await call(cred.user.token, "POST", "")).status).toBe(403);
    expect((await call(null, "POST", "")).status).toBe(401);
    expect((await call(stackEnv().SUPABASE_SERVICE_ROLE_KEY, "POST", "", { max: 500 })).status).toBe(400);
    expect((await call(cred.user.token, "POST", "/now", { credential_id: "nope" })).status).toBe(400);
    expect((await call(cred.user.token, "GET", "/runs?limit=0")).status).toBe(400);
    expect((await call(cred.user.token, "GET", "/now")).status).toBe(405);
    expect((await call(cred.user.token, "GET", "/elsewhere")).status).toBe(404);
  });
});

describe("over HTTP (local functions server)", () => {
  it("sync now: 202 with the job id, a stranger's credential 404, a repeat 429 with Retry-After", async () => {
    const alice = await newCredential("bitget", "http-alice");
    const bob = await newCredential("gate", "http-bob");
    const first = await callFunction("exchange-sync", { path: "/now", token: alice.user.token, body: { credential_id: alice.credentialId } });
    expect(first.status).toBe(202);
    expect(first.body.jobs[0]).toMatchObject({ credential_id: alice.credentialId, status: "queued" });
    const [job] = await adminSql()`select user_id, kind from public.sync_jobs where id = ${first.body.jobs[0].job_id}`;
    expect(job).toEqual({ user_id: alice.user.id, kind: "manual" });
    const stranger = await callFunction("exchange-sync", { path: "/now", token: alice.user.token, body: { credential_id: bob.credentialId } });
    expect(stranger.status).toBe(404);
    const again = await callFunction("exchange-sync", { path: "/now", token: alice.user.token, body: {} });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(again.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(again.body.error.code).toBe("rate_limited");
  });

  it("auth: no token 401 (gateway), a user cannot drain (403); runs through supabase-js functions.invoke", async () => {
    const carol = await newCredential("mexc", "http-carol");
    expect((await callFunction("exchange-sync", { method: "POST", path: "/now" })).status).toBe(401);
    expect((await callFunction("exchange-sync", { method: "POST", token: carol.user.token, body: {} })).status).toBe(403);
    await adminSql()`insert into public.sync_runs (user_id, credential_id, exchange, status) values (${carol.user.id}, ${carol.credentialId}, 'mexc', 'partial')`;
    const { data, error } = await supabaseAs(carol.user.token).functions.invoke("exchange-sync/runs", { method: "GET" });
    expect(error).toBeNull();
    expect(data.runs).toHaveLength(1);
    expect(data.runs[0]).toMatchObject({ credential_id: carol.credentialId, status: "partial" });
  });
});
