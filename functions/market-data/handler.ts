/**
 * `market-data`: public market data into the shared market tables (service role only; pg_cron +
 * pg_net call it on a hosted project, `npm run market-data` locally).
 *
 *   POST /market-data/candles    fetches the due candle series (private.market_series) through
 *                                ccxt's public fetchOHLCV; body `{ "max"?: 1..500 }` (series per
 *                                call, default 50); answers one result per series
 *
 * A failing series is recorded on its row and retried later; it never fails the call.
 */
import { z } from "zod";
import { requireServiceRole } from "../_shared/auth.ts";
import { db } from "../_shared/db.ts";
import { env } from "../_shared/env.ts";
import { HttpError, json, readJsonBody, serveJson, subpath } from "../_shared/http.ts";
import { type CandleDeps, publicClient, runCandles } from "../_shared/market/candles.ts";

const MAX_BODY = 4 * 1024;

let injected: CandleDeps | null = null;
/** Tests inject their own dependencies (mocked exchanges, clock). */
export function setCandleDeps(deps: CandleDeps | null): void {
  injected = deps;
}
function candleDeps(): CandleDeps {
  return injected ?? { sql: db(), createClient: publicClient, now: () => Date.now(), log: (line) => console.log(line) };
}

const candlesSchema = z.object({ max: z.number().int().min(1).max(500).optional() }).strict();

async function optionalJson(req: Request): Promise<unknown> {
  const length = req.headers.get("content-length");
  if (!req.body || length === "0") return {};
  return await readJsonBody(req, MAX_BODY);
}

async function candles(req: Request): Promise<Response> {
  await requireServiceRole(req);
  const body = candlesSchema.safeParse(await optionalJson(req));
  if (!body.success) {
    throw new HttpError(400, "invalid_request", "The request is not valid.", body.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
  }
  const results = await runCandles(candleDeps(), {
    max: body.data.max ?? 50,
    budgetMs: Number(env("MARKET_DATA_BUDGET_MS") ?? 100_000),
  });
  return json({ processed: results.length, series: results });
}

export default serveJson("market-data", async (req) => {
  const path = subpath(req, "market-data");
  if (path === "/candles") {
    if (req.method === "POST") return await candles(req);
    throw new HttpError(405, "method_not_allowed", "Use POST here.", undefined, { allow: "POST, OPTIONS" });
  }
  throw new HttpError(404, "not_found", "Unknown route. Routes: POST /market-data/candles (service role).");
});
