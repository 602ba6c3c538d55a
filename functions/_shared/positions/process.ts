/**
 * Persisting the PnL engine: a user's fills → positions and trade_history, per stream (exchange,
 * market type, symbol), each stream in one transaction:
 *
 *   lock the stream → load its state (pnl_stream_state) → load the fills after its cursor, the
 *   orders (TP/SL roles), funding and prices they need → applyFills → upsert positions (by
 *   position_key) and trade_history (by close_key; the last emission of an event wins) → save
 *   the state and cursor.
 *
 * Incremental and idempotent: fills at or before the cursor are skipped by the engine. Late data
 * (a fill older than the cursor that the state never absorbed, detected by counting), a changed
 * cost method, or `rebuild: true` recompute the stream from its first fill, deleting its rows
 * first; natural keys make the rebuilt rows equal to the incremental ones.
 */
import type { Tx } from "../db.ts";
import { db } from "../db.ts";
import { applyFills, createState, type StateJson } from "../pnl/index.ts";
import type { ClosingEvent, CostMethod, EngineContext, PositionRow } from "../pnl/types.ts";
import type { FillRow, FundingRow, OrderRow, PriceRow } from "../domain/types.ts";

export interface StreamRef {
  exchange: string;
  market_type: string;
  symbol: string;
}

export interface ProcessOptions {
  /** Recompute every stream from its first fill. */
  rebuild?: boolean;
  /** Role the writes run as (default service_role); the audit trail records it. */
  actorClaims?: Record<string, unknown>;
  /** Recompute the user's performance metrics afterwards (default true). */
  refreshMetrics?: boolean;
}

export interface StreamResult extends StreamRef {
  fills: number;
  events: number;
  positions: number;
  rebuilt: boolean;
  /** The earliest exit time touched (for incremental metric refreshes), or null. */
  since: string | null;
  /** close_key of every trade_history row created or changed. */
  closeKeys: string[];
}

/** Milliseconds spent per phase since the process started (benchmarks read it). */
export const PHASES = { fills: 0, context: 0, engine: 0, positions: 0, events: 0 };

const mm = (m: string | null) => (m === "isolated" ? "ISOLATED" : m === "cross" ? "CROSSED" : null);

/**
 * The user's streams with fills the engine has not absorbed: no state yet, or fills written
 * after the state's last update (e.g. a sync that died after writing pages but before handing its
 * streams to the engine).
 */
export async function pendingStreams(tx: Tx, userId: string): Promise<StreamRef[]> {
  return await tx`
    select distinct f.exchange::text, f.market_type::text, f.symbol
      from public.fills f
      left join public.pnl_stream_state s
        on s.user_id = f.user_id and s.exchange = f.exchange and s.market_type = f.market_type and s.symbol = f.symbol
     where f.user_id = ${userId} and (s.user_id is null or f.created_at > s.updated_at)
     order by 1, 2, 3` as unknown as StreamRef[];
}

/** The user's streams that have fills (all of them, or those given). */
export async function streamsOf(tx: Tx, userId: string): Promise<StreamRef[]> {
  return await tx`
    select distinct exchange::text, market_type::text, symbol from public.fills where user_id = ${userId}
    order by 1, 2, 3` as unknown as StreamRef[];
}

async function costMethodOf(tx: Tx, userId: string): Promise<CostMethod> {
  const [p] = await tx`select pnl_cost_method from public.profiles where user_id = ${userId}`;
  return (p?.pnl_cost_method ?? "average") as CostMethod;
}

const FILL_COLUMNS = `exchange::text, market_type::text, symbol, base, quote, trade_id, order_id, side,
  price::text, amount::text, cost::text, fees, taker_or_maker, exchange_realized_pnl::text, is_liquidation,
  to_char(executed_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as executed_at, source`;

async function loadContext(tx: Tx, userId: string, s: StreamRef, fills: FillRow[], fromIso: string | null): Promise<EngineContext> {
  const orderIds = [...new Set(fills.map((f) => f.order_id).filter((x): x is string => !!x))];
  const orders = await tx`
    select exchange::text, market_type::text, symbol, order_id, client_order_id, side, type, status,
           price::text, quantity::text, executed_qty::text, average_price::text, stop_price::text, reduce_only, order_role,
           to_char(order_timestamp at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as order_timestamp,
           to_char(filled_timestamp at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as filled_timestamp
      from public.orders
     where user_id = ${userId} and exchange = ${s.exchange}::public.exchange_id and symbol = ${s.symbol}
       and (order_id = any(${orderIds}) or order_role is not null)` as unknown as OrderRow[];
  const quote = fills[0]?.quote ?? s.symbol.split("/")[1]?.split(":")[0] ?? "USDT";
  const base = fills[0]?.base ?? s.symbol.split("/")[0];
  const feeCurrencies = new Set<string>();
  for (const f of fills) for (const fee of f.fees) if (fee.currency !== quote && fee.currency !== base) feeCurrencies.add(fee.currency);
  const priceSymbols = [s.symbol, `${base}/${quote}`, ...[...feeCurrencies].map((c) => `${c}/${quote}`)];
  const lastIso = fills.length ? fills[fills.length - 1].executed_at : null;
  // Prices from the cursor on, plus the latest one before it per exchange, symbol and kind (a
  // fee converts at the latest price at or before its fill, however old), so an incremental run
  // sees the prices a full rebuild sees for the same fills.
  const prices = await tx`
    select exchange::text, symbol, price::text, kind,
           to_char(as_of at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as as_of
      from public.market_prices
     where symbol = any(${priceSymbols})
       and (${lastIso}::timestamptz is null or as_of <= ${lastIso}::timestamptz)
       and (${fromIso}::timestamptz is null or as_of >= ${fromIso}::timestamptz)
    union all
    select * from (
      select distinct on (exchange, symbol, kind) exchange::text, symbol, price::text, kind,
             to_char(as_of at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as as_of
        from public.market_prices
       where ${fromIso}::timestamptz is not null and symbol = any(${priceSymbols}) and as_of < ${fromIso}::timestamptz
       order by exchange, symbol, kind, as_of desc) as before_cursor
     order by as_of` as unknown as PriceRow[];
  const funding = s.market_type === "swap"
    ? await tx`
        select exchange::text, symbol, funding_id, currency, amount::text,
               to_char(occurred_at at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at
          from public.funding_payments
         where user_id = ${userId} and exchange = ${s.exchange}::public.exchange_id and symbol = ${s.symbol}
           and (${lastIso}::timestamptz is null or occurred_at <= ${lastIso}::timestamptz)
         order by occurred_at, funding_id` as unknown as FundingRow[]
    : [];
  const [lev] = await tx`
    select leverage::text, margin_mode from public.exchange_positions
     where user_id = ${userId} and exchange = ${s.exchange}::public.exchange_id and symbol = ${s.symbol}
     order by as_of desc limit 1`;
  return {
    orders,
    prices,
    funding,
    markets: lev?.leverage ? { [s.symbol]: { leverage: lev.leverage, margin_mode: lev.margin_mode ?? null } } : undefined,
  };
}

function positionRecord(userId: string, p: PositionRow) {
  return {
    user_id: userId, position_key: p.position_key, exchange: p.exchange, market_type: p.market_type, symbol: p.symbol,
    side: p.side, cost_method: p.cost_method, entry_order_id: p.entry_order_id, entry_price: p.entry_price,
    quantity: p.quantity, leverage: p.leverage, margin_mode: mm(p.margin_mode), total_cost: p.total_cost,
    fees_paid: p.fees_paid, funding: p.realized_funding, stop_loss_price: p.stop_loss_price,
    take_profit_prices: p.take_profit_prices, status: p.status, opened_at: p.opened_at, closed_at: p.closed_at,
    realized_gross_pnl: p.realized_gross_pnl, realized_net_pnl: p.realized_net_pnl,
    last_updated: new Date().toISOString(),
  };
}

function eventRecord(userId: string, e: ClosingEvent) {
  return {
    user_id: userId, position_key: e.position_key, exchange: e.exchange, market_type: e.market_type, symbol: e.symbol,
    side: e.side, entry_order_id: e.entry_order_id, entry_price: e.entry_price, entry_time: e.entry_time,
    entry_quantity: e.entry_quantity, entry_fees: e.entry_fees, exit_order_id: e.exit_order_id, exit_price: e.exit_price,
    exit_time: e.exit_time, exit_quantity: e.exit_quantity, exit_fees: e.exit_fees, exit_type: e.exit_type,
    exit_reason: e.exit_reason, gross_pnl: e.gross_pnl, net_pnl: e.net_pnl, funding: e.funding,
    pnl_percentage: e.pnl_percentage, roi_percentage: e.roi_percentage, hold_duration: e.hold_duration,
    stop_loss_price: e.stop_loss_price, take_profit_prices: e.take_profit_prices, max_drawdown: e.max_drawdown,
    leverage: e.leverage, margin_mode: mm(e.margin_mode), close_key: e.close_key, fees_unconverted: e.fees_unconverted,
    unknown_cost_basis_quantity: e.unknown_cost_basis_quantity, flags: e.flags,
  };
}

const POSITION_UPDATE = [
  "side", "cost_method", "entry_order_id", "entry_price", "quantity", "leverage", "margin_mode", "total_cost", "fees_paid",
  "funding", "stop_loss_price", "take_profit_prices", "status", "closed_at", "realized_gross_pnl", "realized_net_pnl",
  "last_updated",
];
const EVENT_UPDATE = [
  "position_id", "side", "entry_order_id", "entry_order_ref", "entry_price", "entry_time", "entry_quantity", "entry_fees",
  "exit_order_id", "exit_order_ref", "exit_price", "exit_time", "exit_quantity", "exit_fees", "exit_type", "exit_reason",
  "gross_pnl", "net_pnl", "funding", "pnl_percentage", "roi_percentage", "hold_duration", "stop_loss_price",
  "take_profit_prices", "max_drawdown", "leverage", "margin_mode", "fees_unconverted", "unknown_cost_basis_quantity", "flags",
];

async function writePositions(tx: Tx, rows: ReturnType<typeof positionRecord>[]): Promise<void> {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]);
  await tx.unsafe(
    `insert into public.positions (${cols.join(", ")})
     select ${cols.join(", ")} from jsonb_populate_recordset(null::public.positions, $1::jsonb)
     on conflict (user_id, exchange, market_type, symbol, position_key)
     do update set ${POSITION_UPDATE.map((c) => `${c} = excluded.${c}`).join(", ")}`,
    [rows as never],
  );
}

async function writeEvents(tx: Tx, rows: ReturnType<typeof eventRecord>[]): Promise<void> {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]);
  await tx.unsafe(
    `insert into public.trade_history (${cols.join(", ")}, position_id, entry_order_ref, exit_order_ref)
     select ${cols.map((c) => `r.${c}`).join(", ")}, p.id, eo.id, xo.id
       from jsonb_populate_recordset(null::public.trade_history, $1::jsonb) as r
       left join public.positions p on p.user_id = r.user_id and p.exchange = r.exchange and p.market_type = r.market_type
                                   and p.symbol = r.symbol and p.position_key = r.position_key
       left join public.orders eo on eo.user_id = r.user_id and eo.exchange = r.exchange and eo.market_type = r.market_type
                                 and eo.symbol = r.symbol and eo.order_id = r.entry_order_id
       left join public.orders xo on xo.user_id = r.user_id and xo.exchange = r.exchange and xo.market_type = r.market_type
                                 and xo.symbol = r.symbol and xo.order_id = r.exit_order_id
     on conflict (user_id, exchange, market_type, symbol, close_key)
     do update set ${EVENT_UPDATE.map((c) => `${c} = excluded.${c}`).join(", ")}`,
    [rows as never],
  );
}

/** Processes one stream in the given transaction. */
export async function processStream(tx: Tx, userId: string, s: StreamRef, opts: ProcessOptions = {}): Promise<StreamResult> {
  await tx`select pg_advisory_xact_lock(hashtextextended(${`pnl|${userId}|${s.exchange}|${s.market_type}|${s.symbol}`}, 0))`;
  const method = await costMethodOf(tx, userId);
  const [saved] = await tx`
    select cost_method, state, fills_processed, last_fill_at from public.pnl_stream_state
     where user_id = ${userId} and exchange = ${s.exchange}::public.exchange_id
       and market_type = ${s.market_type}::public.market_type and symbol = ${s.symbol}
     for update`;
  const [{ n: totalFills }] = await tx`
    select count(*)::bigint as n from public.fills where user_id = ${userId} and exchange = ${s.exchange}::public.exchange_id
       and market_type = ${s.market_type}::public.market_type and symbol = ${s.symbol}`;
  let rebuild = !!opts.rebuild || !saved || saved.cost_method !== method;
  let result = await runOnce(tx, userId, s, method, rebuild ? null : saved as never);
  if (!rebuild && BigInt(saved.fills_processed) + BigInt(result.absorbed) !== BigInt(totalFills)) {
    rebuild = true; // late data: a fill older than the cursor arrived
    result = await runOnce(tx, userId, s, method, null);
  }
  const fillsProcessed = rebuild ? BigInt(result.absorbed) : BigInt(saved.fills_processed) + BigInt(result.absorbed);
  await tx`
    insert into public.pnl_stream_state (user_id, exchange, market_type, symbol, cost_method, state, fills_processed,
                                         last_fill_at, last_trade_id, rebuilds, updated_at)
    values (${userId}, ${s.exchange}::public.exchange_id, ${s.market_type}::public.market_type, ${s.symbol}, ${method},
            ${result.state as never}, ${fillsProcessed.toString()}, ${result.lastAt}, ${result.lastId}, ${rebuild && saved ? 1 : 0}, now())
    on conflict (user_id, exchange, market_type, symbol) do update set
      cost_method = excluded.cost_method, state = excluded.state, fills_processed = excluded.fills_processed,
      last_fill_at = coalesce(excluded.last_fill_at, pnl_stream_state.last_fill_at),
      last_trade_id = coalesce(excluded.last_trade_id, pnl_stream_state.last_trade_id),
      rebuilds = pnl_stream_state.rebuilds + excluded.rebuilds, updated_at = now()`;
  return {
    ...s, fills: result.absorbed, events: result.events, positions: result.positions, rebuilt: rebuild, since: result.since,
    closeKeys: result.closeKeys,
  };
}

async function runOnce(
  tx: Tx, userId: string, s: StreamRef, method: CostMethod,
  saved: { state: Record<string, unknown>; last_fill_at: Date | null } | null,
) {
  if (!saved) {
    // Rebuild: the stream's derived rows go, then everything is recomputed from the first fill.
    await tx`delete from public.trade_history where user_id = ${userId} and exchange = ${s.exchange}::public.exchange_id
               and market_type = ${s.market_type}::public.market_type and symbol = ${s.symbol}`;
    await tx`delete from public.positions where user_id = ${userId} and exchange = ${s.exchange}::public.exchange_id
               and market_type = ${s.market_type}::public.market_type and symbol = ${s.symbol}`;
  }
  const from = saved?.last_fill_at ? new Date(saved.last_fill_at).toISOString() : null;
  const t0 = performance.now();
  const fills = await tx.unsafe(
    `select ${FILL_COLUMNS} from public.fills
      where user_id = $1 and exchange = $2::public.exchange_id and market_type = $3::public.market_type and symbol = $4
        and ($5::timestamptz is null or executed_at >= $5::timestamptz)
      order by executed_at, length(trade_id), trade_id`,
    [userId, s.exchange, s.market_type, s.symbol, from],
  ) as unknown as FillRow[];
  const key = `${s.exchange}|${s.market_type}|${s.symbol}`;
  const stateJson: StateJson = saved
    ? { version: 1, method, streams: { [key]: saved.state } }
    : { version: 1, method, streams: {} };
  const state = createState(saved ? stateJson : { method });
  const t1 = performance.now();
  const ctx = await loadContext(tx, userId, s, fills, from);
  const t2 = performance.now();
  const out = applyFills(state, fills, ctx);
  const t3 = performance.now();
  const skippedFills = out.skipped.filter((x) => x.kind === "fill").length;
  // An event emitted again (its exit order kept filling) may move its exit time: metrics are
  // refreshed from the earlier of the old and the new exit time.
  const reEmitted = out.events.map((e) => e.close_key);
  const [prior] = reEmitted.length
    ? await tx`select min(exit_time) as t from public.trade_history
                where user_id = ${userId} and exchange = ${s.exchange}::public.exchange_id
                  and market_type = ${s.market_type}::public.market_type and symbol = ${s.symbol}
                  and close_key = any(${reEmitted})`
    : [{ t: null }];
  await writePositions(tx, out.positions.map((p) => positionRecord(userId, p)));
  const t4 = performance.now();
  await writeEvents(tx, out.events.map((e) => eventRecord(userId, e)));
  const t5 = performance.now();
  PHASES.fills += t1 - t0; PHASES.context += t2 - t1; PHASES.engine += t3 - t2; PHASES.positions += t4 - t3; PHASES.events += t5 - t4;
  const last = fills[fills.length - 1];
  const priorIso = prior?.t ? new Date(prior.t).toISOString() : null;
  const since = out.events.reduce<string | null>((m, e) => (m === null || e.exit_time < m ? e.exit_time : m), priorIso);
  return {
    state: out.state.streamJson(s.exchange, s.market_type, s.symbol) ?? {},
    absorbed: fills.length - skippedFills,
    events: out.events.length,
    positions: out.positions.length,
    closeKeys: out.events.map((e) => e.close_key),
    lastAt: last?.executed_at ?? null,
    lastId: last?.trade_id ?? null,
    since,
  };
}

/**
 * Processes a user's streams (all with fills, or `only`), one transaction each, as service_role
 * (or `opts.actorClaims`), then refreshes the user's performance metrics from the earliest exit
 * touched when the performance layer is installed.
 */
export async function processUser(userId: string, only?: StreamRef[], opts: ProcessOptions = {}): Promise<StreamResult[]> {
  const sql = db();
  const claims = JSON.stringify(opts.actorClaims ?? { role: "service_role" });
  const asService = async <T>(fn: (tx: Tx) => Promise<T>) =>
    await sql.begin(async (tx) => {
      await tx`select set_config('role', 'service_role', true), set_config('request.jwt.claims', ${claims}, true)`;
      return await fn(tx);
    }) as T;
  const streams = only ?? await asService((tx) => streamsOf(tx, userId));
  const results: StreamResult[] = [];
  for (const s of streams) results.push(await asService((tx) => processStream(tx, userId, s, opts)));
  const since = results.reduce<string | null>((m, r) => (r.since && (m === null || r.since < m) ? r.since : m), null);
  if (opts.refreshMetrics !== false && results.some((r) => r.events > 0 || r.rebuilt)) await refreshMetrics(userId, since);
  return results;
}

/** Recomputes the user's affected metric periods (the performance layer's function), if present. */
export async function refreshMetrics(userId: string, since: string | null): Promise<void> {
  const sql = db();
  const [fn] = await sql`select to_regprocedure('private.refresh_performance_metrics(uuid, timestamptz)') as f`;
  if (!fn?.f) return;
  await sql`select private.refresh_performance_metrics(${userId}::uuid, ${since}::timestamptz)`;
}
