/**
 * `market-data`: public market data into the shared market tables (service role only; pg_cron +
 * pg_net call it on a hosted project, `npm run market-data` locally).
 *
 *   POST /market-data/candles    fetches the due candle series (private.market_series) through
 *                                ccxt's public fetchOHLCV; body `{ "max"?: 1..500 }` (series per
 *                                call, default 50); answers one result per series
 *   POST /market-data/jobs       runs the market-data jobs pg_cron requested (open-interest,
 *                                long-short, fred; private.market_jobs), or those named in
 *                                `{ "jobs": [...] }`; answers each job's status, rows and errors
 *
 * A failing series or job is recorded on its row and retried later; it never fails the call.
 * FRED needs the secret FRED_API_KEY (without it the fred job records "not configured").
 */
import { z } from "zod";
import { requireServiceRole } from "../_shared/auth.ts";
import { config } from "../_shared/config.ts";
import { db } from "../_shared/db.ts";
import { env } from "../_shared/env.ts";
import { HttpError, json, readJsonBody, serveJson, subpath } from "../_shared/http.ts";
import { type CandleDeps, publicClient, runCandles } from "../_shared/market/candles.ts";
import { MARKET_JOBS, type MarketJobDeps, runMarketJobs } from "../_shared/market/jobs.ts";

const MAX_BODY = 4 * 1024;

let injected: CandleDeps | null = null;
/** Tests inject their own dependencies (mocked exchanges, clock). */
export function setCandleDeps(deps: CandleDeps | null): void {
  injected = deps;
}
function candleDeps(): CandleDeps {
  return injected ?? { sql: db(), createClient: publicClient, now: () => Date.now(), log: (line) => console.log(line) };
}

let injectedJobs: MarketJobDeps | null = null;
/** Tests inject the jobs' dependencies (mocked exchanges and FRED, environment). */
export function setMarketJobDeps(deps: MarketJobDeps | null): void {
  injectedJobs = deps;
}
function jobDeps(): MarketJobDeps {
  return injectedJobs ?? { sql: db(), createClient: publicClient, fetch: (u, i) => fetch(u, i), env, now: () => Date.now(), log: (line) => console.log(line) };
}

const jobsSchema = z.object({ jobs: z.array(z.enum(Object.keys(MARKET_JOBS) as [string, ...string[]])).min(1).max(10).optional() }).strict();
const candlesSchema = z.object({ max: z.number().int().min(1).max(500).optional() }).strict();

async function optionalJson(req: Request): Promise<unknown> {
  const length = req.headers.get("content-length");
  if (!req.body || length === "0") return {};
  return await readJsonBody(req, MAX_BODY);
}

function invalid(error: z.ZodError): never {
  throw new HttpError(400, "invalid_request", "The request is not valid.", error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
}

async function jobs(req: Request): Promise<Response> {
  await requireServiceRole(req);
  const body = jobsSchema.safeParse(await optionalJson(req));
  if (!body.success) invalid(body.error);
  const runs = await runMarketJobs(jobDeps(), body.data.jobs);
  return json({ processed: runs.length, jobs: runs });
}

async function candles(req: Request): Promise<Response> {
  await requireServiceRole(req);
  const body = candlesSchema.safeParse(await optionalJson(req));
  if (!body.success) invalid(body.error);
  const results = await runCandles(candleDeps(), {
    max: body.data.max ?? 50,
    budgetMs: config().MARKET_DATA_BUDGET_MS,
  });
  return json({ processed: results.length, series: results });
}

export default serveJson("market-data", async (req) => {
  const path = subpath(req, "market-data");
  if (path === "/candles") {
    if (req.method === "POST") return await candles(req);
    throw new HttpError(405, "method_not_allowed", "Use POST here.", undefined, { allow: "POST, OPTIONS" });
  }
  if (path === "/jobs") {
    if (req.method === "POST") return await jobs(req);
    throw new HttpError(405, "method_not_allowed", "Use POST here.", undefined, { allow: "POST, OPTIONS" });
  }
  throw new HttpError(404, "not_found", "Unknown route. Routes: POST /market-data/candles, POST /market-data/jobs (service role).");
});
