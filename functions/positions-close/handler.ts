/**
 * `positions-close` (the spec's closePosition): recompute positions from fills and close them into
 * trade history.
 *
 *   POST /positions-close   user token   { position_id? | exchange + symbol [+ market_type]?, rebuild? }
 *     → the caller's own position(s) only (a stranger's position id → 404); answers the trade
 *       history rows created or changed, and the streams processed.
 *   POST /positions-close   service key  { user_id, streams?: [{exchange, market_type, symbol}], rebuild? }
 *     → for everything a sync touched.
 * After each run the user's affected performance metrics are recomputed.
 */
import { z } from "zod";
import { requireJwt, requireUser, type AuthUser } from "../_shared/auth.ts";
import { withUser } from "../_shared/db.ts";
import { HttpError, json, readJsonBody, serveJson } from "../_shared/http.ts";
import { processUser, type StreamRef } from "../_shared/positions/process.ts";
import { TradingExchange } from "../_shared/domain/exchanges.ts";

const exchange = TradingExchange;
const marketType = z.enum(["spot", "swap"], { error: "market_type must be spot or swap" });
const userBody = z.strictObject({
  position_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  exchange: exchange.optional(),
  symbol: z.string().min(3).max(40).regex(/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/, "symbol is a ccxt symbol such as BTC/USDT or BTC/USDT:USDT").optional(),
  market_type: marketType.optional(),
  rebuild: z.boolean().optional(),
}).refine((b) => !(b.position_id && (b.exchange || b.symbol)), { message: "send either position_id or exchange + symbol, not both" })
  .refine((b) => !b.symbol === !b.exchange, { message: "exchange and symbol go together" });
const serviceBody = z.strictObject({
  user_id: z.uuid(),
  streams: z.array(z.strictObject({ exchange, market_type: marketType, symbol: z.string().min(3).max(40) })).max(5000).optional(),
  rebuild: z.boolean().optional(),
});

function invalid(err: z.ZodError): never {
  throw new HttpError(400, "invalid_request", err.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ` : "") + i.message).join("; "),
    err.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
}

const TRADE_COLUMNS = `id, position_id, exchange, market_type, symbol, side, entry_price::text, entry_time, entry_quantity::text,
  entry_fees::text, exit_price::text, exit_time, exit_quantity::text, exit_fees::text, exit_type, gross_pnl::text, net_pnl::text,
  funding::text, pnl_percentage::text, roi_percentage::text, hold_duration::text, close_key`;

async function forUser(user: AuthUser, body: z.infer<typeof userBody>) {
  let streams: StreamRef[] | undefined;
  if (body.position_id) {
    const rows = await withUser(user.claims, (tx) =>
      tx`select exchange::text, market_type::text, symbol from public.positions where id = ${body.position_id!}`);
    if (!rows.length) throw new HttpError(404, "not_found", "No position with this id belongs to you.");
    streams = [rows[0] as unknown as StreamRef];
  } else if (body.exchange && body.symbol) {
    const rows = await withUser(user.claims, (tx) => tx`
      select distinct exchange::text, market_type::text, symbol from public.fills
       where exchange = ${body.exchange!}::public.exchange_id and symbol = ${body.symbol!}
         and (${body.market_type ?? null}::public.market_type is null or market_type = ${body.market_type ?? null}::public.market_type)`);
    if (!rows.length) throw new HttpError(404, "not_found", `You have no fills on ${body.exchange} ${body.symbol}.`);
    streams = rows as unknown as StreamRef[];
  }
  const results = await processUser(user.id, streams, { rebuild: body.rebuild, actorClaims: { ...user.claims, role: "service_role" } });
  const keys = results.flatMap((r) => r.closeKeys);
  const trades = keys.length
    ? await withUser(user.claims, (tx) => tx.unsafe(`select ${TRADE_COLUMNS} from public.trade_history where close_key = any($1) order by exit_time, id`, [keys]))
    : [];
  return { streams: results.map(({ closeKeys: _k, ...r }) => r), trades };
}

export default serveJson("positions-close", async (req) => {
  if (req.method !== "POST") throw new HttpError(405, "method_not_allowed", "Use POST.", undefined, { allow: "POST, OPTIONS" });
  const claims = await requireJwt(req);
  const raw = await readJsonBody(req, 64 * 1024);
  if (claims.role === "service_role") {
    const b = serviceBody.safeParse(raw);
    if (!b.success) invalid(b.error);
    const results = await processUser(b.data.user_id, b.data.streams, { rebuild: b.data.rebuild });
    return json({ streams: results.map(({ closeKeys: _k, ...r }) => r) });
  }
  if (claims.role !== "authenticated") {
    throw new HttpError(401, "user_token_required", "Send a signed-in user's access token (or the service key for server jobs).");
  }
  const user = await requireUser(req);
  const b = userBody.safeParse(raw);
  if (!b.success) invalid(b.error);
  return json(await forUser(user, b.data));
});
