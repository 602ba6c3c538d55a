/**
 * `api`: the spec's portfolio endpoints for the frontend ("Frontend API Endpoints Needed"),
 * read-only, as the calling user (RLS applies: every query runs in `withUser`).
 *
 *   GET /api/positions/open            ?exchange&symbol
 *   GET /api/positions/:id             one position (any status) with its closes; 404 if not yours
 *   GET /api/trades/history            ?period=7d|30d|90d|1y|all | from&to, symbol, exchange, exit_type, limit, cursor
 *   GET /api/performance/metrics       ?period=daily|weekly|monthly|all_time, exchange
 *   GET /api/portfolio/snapshot        ?exchange
 *   GET /api/portfolio/equity-curve    ?period=7d|30d|90d|1y|all | from&to (days), exchange
 *
 * Response shapes: functions/_shared/types/api.ts (zod). Amounts are decimal strings.
 */
import { requireUser } from "../_shared/auth.ts";
import { withUser } from "../_shared/db.ts";
import { HttpError, json, serveJson, subpath } from "../_shared/http.ts";
import {
  equityCurveQuery, metricsQuery, noQuery, openPositionsQuery, parseQuery, QUERY_PARAMS, snapshotQuery, tradeHistoryQuery,
} from "../_shared/api/params.ts";
import {
  equityCurve, openPositions, performanceMetrics, portfolioSnapshot, positionDetail, tradeHistory,
} from "../_shared/api/queries.ts";

const ROUTES = "GET /positions/open, /positions/:id, /trades/history, /performance/metrics, /portfolio/snapshot, /portfolio/equity-curve";

/** Bad input the database still refused (SQLSTATE 22xxx: invalid value) is the client's, not a 500. */
function clientError(err: unknown): never {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === "string" && /^22/.test(e.code)) {
    throw new HttpError(400, "invalid_request", e.message ?? "invalid parameter value");
  }
  throw err;
}

export default serveJson("api", async (req) => {
  const url = new URL(req.url);
  const path = subpath(req, "api");
  const parts = path.split("/").filter(Boolean);
  const known = ["/positions/open", "/trades/history", "/performance/metrics", "/portfolio/snapshot", "/portfolio/equity-curve"];
  const isPositionId = parts.length === 2 && parts[0] === "positions" && parts[1] !== "open";
  if (!known.includes(path) && !isPositionId) {
    throw new HttpError(404, "not_found", `Unknown route ${path.slice(0, 80)}. Routes: ${ROUTES}.`);
  }
  if (req.method !== "GET") {
    throw new HttpError(405, "method_not_allowed", "This endpoint is read-only: use GET.", undefined, { allow: "GET, OPTIONS" });
  }
  const user = await requireUser(req);
  const run = <T>(fn: Parameters<typeof withUser<T>>[1]) => withUser(user.claims, fn).catch(clientError);

  if (isPositionId) {
    parseQuery(url, noQuery, QUERY_PARAMS.none);
    if (!/^[1-9]\d{0,17}$/.test(parts[1]) || BigInt(parts[1]) > 9223372036854775807n) {
      throw new HttpError(400, "invalid_id", `"${parts[1].slice(0, 40)}" is not a position id (a positive whole number).`);
    }
    const detail = await run((tx) => positionDetail(tx, parts[1]));
    if (!detail) throw new HttpError(404, "not_found", "No position with this id belongs to you.");
    return json(detail);
  }
  switch (path) {
    case "/positions/open": {
      const q = parseQuery(url, openPositionsQuery, QUERY_PARAMS.openPositions);
      return json(await run((tx) => openPositions(tx, q)));
    }
    case "/trades/history": {
      const q = parseQuery(url, tradeHistoryQuery, QUERY_PARAMS.tradeHistory);
      return json(await run((tx) => tradeHistory(tx, q)));
    }
    case "/performance/metrics": {
      const q = parseQuery(url, metricsQuery, QUERY_PARAMS.metrics);
      return json(await run((tx) => performanceMetrics(tx, q)));
    }
    case "/portfolio/snapshot": {
      const q = parseQuery(url, snapshotQuery, QUERY_PARAMS.snapshot);
      const snap = await run((tx) => portfolioSnapshot(tx, q));
      if (!snap) {
        throw new HttpError(404, "no_snapshot", q.exchange
          ? `No portfolio snapshot for ${q.exchange} yet: snapshots are taken daily once the exchange is synced.`
          : "No portfolio snapshot yet: snapshots are taken daily once an exchange is synced.");
      }
      return json(snap);
    }
    default: {
      const q = parseQuery(url, equityCurveQuery, QUERY_PARAMS.equityCurve);
      return json(await run((tx) => equityCurve(tx, q)));
    }
  }
});
