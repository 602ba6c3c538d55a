/**
 * Persisting the PnL engine: a user's fills → positions and trade_history, per stream (exchange,
 * market type, symbol), in groups of streams, each group in one transaction:
 *
 *   lock the group's streams → load their states (pnl_stream_state) and fill counts → load the
 *   fills after each cursor (one query), the orders (TP/SL roles), funding and prices they need
 *   (pipelined) → applyFills per stream → upsert positions (by position_key) and trade_history
 *   (by close_key; the last emission of an event wins) → save the states and cursors; one
 *   statement per kind of row for the whole group.
 *
 * Incremental and idempotent: fills at or before the cursor are skipped by the engine. Late data
 * (a fill older than the cursor that the state never absorbed, detected by counting), a changed
 * cost method, or `rebuild: true` recompute the stream from its first fill, deleting its rows
 * first; natural keys make the rebuilt rows equal to the incremental ones.
 */
import type { Tx } from "../db.ts";
import { actAsService, db, withServiceFor } from "../db.ts";
import { openSession } from "../db-session.ts";
import { columnTypes, recordsetInput } from "../db-input.ts";
import { applyFills, createState, type StateJson } from "../pnl/index.ts";
import type { ClosingEvent, CostMethod, EngineContext, PositionRow } from "../pnl/types.ts";
import type { FillRow, FundingRow, OrderRow, PriceRow } from "../domain/types.ts";
import { streamKeyOf } from "../domain/keys.ts";

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
  /** Groups of streams processed at once, each in its own transaction and connection (default 1). */
  concurrency?: number;
  /** Streams per transaction (default 32): a failure rolls back its whole group, earlier groups stay. */
  groupSize?: number;
  /** Adds the milliseconds spent per phase to this object (benchmarks pass one; nothing is kept otherwise). */
  phases?: PhaseTimes;
}

/** Milliseconds per phase of processing: reading fills, loading contexts, the engine, writing positions and events. */
export interface PhaseTimes {
  fills: number;
  context: number;
  engine: number;
  positions: number;
  events: number;
}

export function newPhaseTimes(): PhaseTimes {
  return { fills: 0, context: 0, engine: 0, positions: 0, events: 0 };
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

/** A timestamptz column as the engine's ISO text ("2026-01-15T00:00:00.000Z"). */
const ISO = (col: string) => `to_char(${col} at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The columns of `public.fills f` the engine reads. */
const FILL_COLUMNS = `f.exchange::text, f.market_type::text, f.symbol, f.base, f.quote, f.trade_id, f.order_id, f.side,
   f.price::text, f.amount::text, f.cost::text, f.fees, f.taker_or_maker, f.exchange_realized_pnl::text,
   f.is_liquidation, ${ISO("f.executed_at")} as executed_at, f.source`;

/** What the engine needs beside a stream's fills, for one stream of a group. */
interface ContextRequest {
  ref: StreamRef;
  fills: FillRow[];
  /** The stream's cursor (fills before it were absorbed earlier), or null from the first fill. */
  fromIso: string | null;
}

/**
 * The engine contexts of a group of streams, in four queries issued together (postgres.js
 * pipelines them on the transaction's connection), each stream seeing exactly:
 * - orders: those of its fills, plus every order with a TP/SL/ENTRY role on its exchange and symbol;
 * - prices of its symbol, its base/quote pair and `<fee currency>/<quote>` from its cursor to its
 *   last fill, plus the latest one before the cursor per exchange, symbol and kind (a fee
 *   converts at the latest price at or before its fill, however old), so an incremental run
 *   sees the prices a full rebuild sees for the same fills;
 * - funding payments up to its last fill (swaps);
 * - the leverage and margin mode of the exchange's latest position report.
 */
async function loadContexts(tx: Tx, userId: string, reqs: ContextRequest[]): Promise<EngineContext[]> {
  const info = reqs.map((r, i) => {
    const { ref: s, fills } = r;
    const quote = fills[0]?.quote ?? s.symbol.split("/")[1]?.split(":")[0] ?? "USDT";
    const base = fills[0]?.base ?? s.symbol.split("/")[0];
    const feeCurrencies = new Set<string>();
    for (const f of fills) for (const fee of f.fees) if (fee.currency !== quote && fee.currency !== base) feeCurrencies.add(fee.currency);
    return {
      i,
      orderIds: new Set(fills.map((f) => f.order_id).filter((x): x is string => !!x)),
      priceSymbols: [...new Set([s.symbol, `${base}/${quote}`, ...[...feeCurrencies].map((c) => `${c}/${quote}`)])],
      lastIso: fills.length ? fills[fills.length - 1].executed_at : null,
    };
  });
  const pairs = info.flatMap((x) => x.priceSymbols.map((sym) => ({ i: x.i, sym, from: reqs[x.i].fromIso ?? "", last: x.lastIso ?? "" })));
  const swaps = info.filter((x) => reqs[x.i].ref.market_type === "swap");
  const allOrderIds = [...new Set(info.flatMap((x) => [...x.orderIds]))];
  const [orders, prices, funding, leverage] = await Promise.all([
    tx`select o.exchange::text, o.market_type::text, o.symbol, o.order_id, o.client_order_id, o.side, o.type, o.status,
              o.price::text, o.quantity::text, o.executed_qty::text, o.average_price::text, o.stop_price::text, o.reduce_only,
              o.order_role, ${tx.unsafe(ISO("o.order_timestamp"))} as order_timestamp,
              ${tx.unsafe(ISO("o.filled_timestamp"))} as filled_timestamp
         from (select distinct exchange, symbol from unnest(${reqs.map((r) => r.ref.exchange)}::text[], ${reqs.map((r) => r.ref.symbol)}::text[])
                 as u(exchange, symbol)) as s
         join public.orders o on o.user_id = ${userId} and o.exchange = s.exchange::public.exchange_id and o.symbol = s.symbol
        where o.order_id = any(${allOrderIds}) or o.order_role is not null` as unknown as Promise<OrderRow[]>,
    tx`select q.i, p.exchange::text, p.symbol, p.price::text, p.kind, ${tx.unsafe(ISO("p.as_of"))} as as_of, p.as_of as at
         from unnest(${pairs.map((p) => p.i)}::int[], ${pairs.map((p) => p.sym)}::text[], ${pairs.map((p) => p.from)}::text[],
                     ${pairs.map((p) => p.last)}::text[]) as q(i, symbol, from_at, last_at)
         join public.market_prices p
           on p.symbol = q.symbol
          and p.as_of <= coalesce(nullif(q.last_at, '')::timestamptz, 'infinity')
          and p.as_of >= coalesce(nullif(q.from_at, '')::timestamptz, '-infinity')
       union all
       select q.i, b.exchange, b.symbol, b.price, b.kind, b.as_of, b.at
         from unnest(${pairs.map((p) => p.i)}::int[], ${pairs.map((p) => p.sym)}::text[], ${pairs.map((p) => p.from)}::text[])
              as q(i, symbol, from_at)
        cross join lateral (
          select distinct on (p.exchange, p.kind) p.exchange::text, p.symbol, p.price::text, p.kind,
                 ${tx.unsafe(ISO("p.as_of"))} as as_of, p.as_of as at
            from public.market_prices p
           where p.symbol = q.symbol and p.as_of < q.from_at::timestamptz
           order by p.exchange, p.kind, p.as_of desc) as b
        where q.from_at <> ''
        order by 1, 7, 3, 2, 5` as unknown as Promise<(PriceRow & { i: number; at: Date })[]>,
    swaps.length
      ? tx`select q.i, f.exchange::text, f.symbol, f.funding_id, f.currency, f.amount::text, ${tx.unsafe(ISO("f.occurred_at"))} as occurred_at
             from unnest(${swaps.map((x) => x.i)}::int[], ${swaps.map((x) => reqs[x.i].ref.exchange)}::text[],
                         ${swaps.map((x) => reqs[x.i].ref.symbol)}::text[], ${swaps.map((x) => x.lastIso ?? "")}::text[])
                  as q(i, exchange, symbol, last_at)
             join public.funding_payments f
               on f.user_id = ${userId} and f.exchange = q.exchange::public.exchange_id and f.symbol = q.symbol
              and f.occurred_at <= coalesce(nullif(q.last_at, '')::timestamptz, 'infinity')
            order by q.i, f.occurred_at, f.funding_id` as unknown as Promise<(FundingRow & { i: number })[]>
      : Promise.resolve([] as (FundingRow & { i: number })[]),
    tx`select distinct on (p.exchange, p.symbol) p.exchange::text, p.symbol, p.leverage::text, p.margin_mode
         from (select distinct exchange, symbol from unnest(${reqs.map((r) => r.ref.exchange)}::text[], ${reqs.map((r) => r.ref.symbol)}::text[])
                 as u(exchange, symbol)) as s
         join public.exchange_positions p on p.user_id = ${userId} and p.exchange = s.exchange::public.exchange_id and p.symbol = s.symbol
        order by p.exchange, p.symbol, p.as_of desc`,
  ]);
  const pricesOf = reqs.map(() => [] as PriceRow[]);
  for (const { i, at: _at, ...p } of prices) pricesOf[i].push(p);
  const fundingOf = reqs.map(() => [] as FundingRow[]);
  for (const { i, ...f } of funding) fundingOf[i].push(f);
  const lev = new Map(leverage.map((l) => [`${l.exchange}|${l.symbol}`, l]));
  const ordersOf = new Map<string, OrderRow[]>();
  for (const o of orders) {
    const k = `${o.exchange}|${o.symbol}`;
    if (!ordersOf.has(k)) ordersOf.set(k, []);
    ordersOf.get(k)!.push(o);
  }
  return reqs.map((r, i) => {
    const s = r.ref;
    const l = lev.get(`${s.exchange}|${s.symbol}`);
    return {
      orders: (ordersOf.get(`${s.exchange}|${s.symbol}`) ?? []).filter((o) => info[i].orderIds.has(o.order_id) || o.order_role != null),
      prices: pricesOf[i],
      funding: fundingOf[i],
      markets: l?.leverage ? { [s.symbol]: { leverage: l.leverage, margin_mode: l.margin_mode ?? null } } : undefined,
    };
  });
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

/** The stream key (domain/keys.ts), also the key of a stream in the engine's state JSON. */
const keyOf = (s: StreamRef) => streamKeyOf(s);
/** A position's natural key within its user (stream + position_key). */
const positionKeyOf = (p: StreamRef & { position_key: string }) => `${keyOf(p)}|${p.position_key}`;

/** Upserts positions and answers their ids by `positionKeyOf`. */
async function writePositions(tx: Tx, rows: ReturnType<typeof positionRecord>[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (!rows.length) return ids;
  const cols = Object.keys(rows[0]);
  const input = recordsetInput(await columnTypes(tx, "public.positions"), cols, rows);
  const back = await tx.unsafe(
    `insert into public.positions (${cols.join(", ")})
     select ${cols.join(", ")} from ${input.sql} as r
     on conflict (user_id, exchange, market_type, symbol, position_key)
     do update set ${POSITION_UPDATE.map((c) => `${c} = excluded.${c}`).join(", ")}
     returning id::text, exchange::text, market_type::text, symbol, position_key`,
    input.params,
    { prepare: true },
  );
  for (const r of back) ids.set(positionKeyOf(r as never), r.id);
  return ids;
}

/**
 * Upserts closing events. `position_id` comes from the positions just written; an event whose
 * position was not part of this run (never the case today: the engine emits the position of
 * every event) is linked by its natural key instead.
 */
async function writeEvents(tx: Tx, rows: (ReturnType<typeof eventRecord> & { position_id: string | null })[]): Promise<void> {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]).filter((c) => c !== "position_id");
  const input = recordsetInput(await columnTypes(tx, "public.trade_history"), [...cols, "position_id"], rows);
  await tx.unsafe(
    `insert into public.trade_history (${cols.join(", ")}, position_id, entry_order_ref, exit_order_ref)
     select ${cols.map((c) => `r.${c}`).join(", ")},
            coalesce(r.position_id, (select p.id from public.positions p
                                      where p.user_id = r.user_id and p.exchange = r.exchange and p.market_type = r.market_type
                                        and p.symbol = r.symbol and p.position_key = r.position_key)),
            eo.id, xo.id
       from ${input.sql} as r
       left join public.orders eo on eo.user_id = r.user_id and eo.exchange = r.exchange and eo.market_type = r.market_type
                                 and eo.symbol = r.symbol and eo.order_id = r.entry_order_id
       left join public.orders xo on xo.user_id = r.user_id and xo.exchange = r.exchange and xo.market_type = r.market_type
                                 and xo.symbol = r.symbol and xo.order_id = r.exit_order_id
     on conflict (user_id, exchange, market_type, symbol, close_key)
     do update set ${EVENT_UPDATE.map((c) => `${c} = excluded.${c}`).join(", ")}`,
    input.params,
    { prepare: true },
  );
}



/** Three parallel text arrays (exchange, market type, symbol) for `unnest` joins. */
const columnsOf = (streams: StreamRef[]) =>
  [streams.map((s) => s.exchange), streams.map((s) => s.market_type), streams.map((s) => s.symbol)] as const;

interface SavedState {
  cost_method: string;
  state: Record<string, unknown>;
  fills_processed: bigint;
  last_fill_at: Date | null;
}

interface StreamJob {
  ref: StreamRef;
  saved: SavedState | null;
  rebuild: boolean;
  totalFills: bigint;
}

interface StreamOutput {
  job: StreamJob;
  state: Record<string, unknown>;
  absorbed: number;
  positions: PositionRow[];
  events: ClosingEvent[];
  lastAt: string | null;
  lastId: string | null;
}

/**
 * Computes the given streams (no writes except the deletes of streams rebuilt from scratch):
 * one query for all their fills, their contexts pipelined, the engine per stream.
 */
async function computeStreams(
  tx: Tx, userId: string, method: CostMethod, jobs: StreamJob[], deletedExits: Map<string, string>, phases?: PhaseTimes,
): Promise<StreamOutput[]> {
  // A stream without a saved state has no rows to delete: positions and trade_history are
  // written only here, always with the stream's state in the same transaction, and a state row
  // goes only with its user (force a recompute with `rebuild: true`, not by deleting states).
  const rebuilt = jobs.filter((j) => j.rebuild && j.saved).map((j) => j.ref);
  if (rebuilt.length) {
    // Rebuild: the streams' derived rows go (their earliest exit time is kept: metrics are
    // refreshed from there), then everything is recomputed from the first fill.
    const [ex, mt, sym] = columnsOf(rebuilt);
    // (lateral lookups: one index probe per stream, never a scan of the user's rows)
    const gone = await tx`
      with deleted as (
        delete from public.trade_history where user_id = ${userId} and ctid = any(array(
          select t.ctid from unnest(${ex}::text[], ${mt}::text[], ${sym}::text[]) as s(exchange, market_type, symbol)
           cross join lateral (select ctid from public.trade_history
                                where user_id = ${userId} and exchange = s.exchange::public.exchange_id
                                  and market_type = s.market_type::public.market_type and symbol = s.symbol) as t))
        returning exchange, market_type, symbol, exit_time)
      select exchange::text, market_type::text, symbol, min(exit_time) as t from deleted group by 1, 2, 3`;
    for (const r of gone) deletedExits.set(keyOf(r as never), new Date(r.t).toISOString());
    await tx`
      delete from public.positions where user_id = ${userId} and ctid = any(array(
        select p.ctid from unnest(${ex}::text[], ${mt}::text[], ${sym}::text[]) as s(exchange, market_type, symbol)
         cross join lateral (select ctid from public.positions
                              where user_id = ${userId} and exchange = s.exchange::public.exchange_id
                                and market_type = s.market_type::public.market_type and symbol = s.symbol) as p))`;
  }
  const fromOf = (j: StreamJob) => (!j.rebuild && j.saved?.last_fill_at ? new Date(j.saved.last_fill_at).toISOString() : null);
  const t0 = performance.now();
  const [ex, mt, sym] = columnsOf(jobs.map((j) => j.ref));
  const rows = await tx.unsafe(
    `select ${FILL_COLUMNS}
       from unnest($2::text[], $3::text[], $4::text[], $5::text[]) with ordinality as s(exchange, market_type, symbol, from_at, i)
       join public.fills f
         on f.user_id = $1 and f.exchange = s.exchange::public.exchange_id and f.market_type = s.market_type::public.market_type
        and f.symbol = s.symbol and f.executed_at >= coalesce(nullif(s.from_at, '')::timestamptz, '-infinity')
      order by s.i, f.executed_at, length(f.trade_id), f.trade_id`,
    [userId, ex, mt, sym, jobs.map((j) => fromOf(j) ?? "")] as never,
  ) as unknown as FillRow[];
  const fillsOf = new Map<string, FillRow[]>(jobs.map((j) => [keyOf(j.ref), []]));
  for (const f of rows) fillsOf.get(keyOf(f))!.push(f);
  const t1 = performance.now();
  const contexts = await loadContexts(tx, userId, jobs.map((j) => ({ ref: j.ref, fills: fillsOf.get(keyOf(j.ref))!, fromIso: fromOf(j) })));
  const t2 = performance.now();
  const outputs = jobs.map((job, i): StreamOutput => {
    const s = job.ref;
    const fills = fillsOf.get(keyOf(s))!;
    const stateJson: StateJson | { method: CostMethod } = job.rebuild || !job.saved
      ? { method }
      : { version: 2, method, streams: { [keyOf(s)]: job.saved.state } }; // each stream says its own format (1 or 2)
    const out = applyFills(createState(stateJson as StateJson), fills, contexts[i]);
    const last = fills[fills.length - 1];
    return {
      job,
      state: out.state.streamJson(s.exchange, s.market_type, s.symbol) ?? {},
      absorbed: fills.length - out.skipped.filter((x) => x.kind === "fill").length,
      positions: out.positions,
      events: out.events,
      lastAt: last?.executed_at ?? null,
      lastId: last?.trade_id ?? null,
    };
  });
  const t3 = performance.now();
  if (phases) {
    phases.fills += t1 - t0;
    phases.context += t2 - t1;
    phases.engine += t3 - t2;
  }
  return outputs;
}

/**
 * Processes a group of streams in the given transaction: locks them (in one global order, so
 * concurrent groups cannot deadlock), reads their saved states, computes them, and writes
 * positions, trade_history and the new states in one statement each.
 */
export async function processGroup(tx: Tx, userId: string, streams: StreamRef[], opts: ProcessOptions = {}): Promise<StreamResult[]> {
  if (!streams.length) return [];
  const lockKeys = streams.map((s) => `pnl|${userId}|${keyOf(s)}`);
  await tx`select pg_advisory_xact_lock(k)
             from (select hashtextextended(x, 0) as k from unnest(${lockKeys}::text[]) as x order by 1) as ordered`;
  const [ex, mt, sym] = columnsOf(streams);
  const [method, savedRows, countRows] = await Promise.all([
    costMethodOf(tx, userId),
    tx`select st.exchange::text, st.market_type::text, st.symbol, st.cost_method, st.state, st.fills_processed, st.last_fill_at
         from public.pnl_stream_state st
         join unnest(${ex}::text[], ${mt}::text[], ${sym}::text[]) as s(exchange, market_type, symbol)
           on st.exchange = s.exchange::public.exchange_id and st.market_type = s.market_type::public.market_type and st.symbol = s.symbol
        where st.user_id = ${userId}
          for update of st`,
    // one index-only count per stream (a join would read all of the user's fills)
    tx`select s.exchange, s.market_type, s.symbol,
              (select count(*) from public.fills f
                where f.user_id = ${userId} and f.exchange = s.exchange::public.exchange_id
                  and f.market_type = s.market_type::public.market_type and f.symbol = s.symbol)::bigint as n
         from unnest(${ex}::text[], ${mt}::text[], ${sym}::text[]) as s(exchange, market_type, symbol)`,
  ]);
  const saved = new Map(savedRows.map((r) => [keyOf(r as never), r as unknown as SavedState]));
  const counts = new Map(countRows.map((r) => [keyOf(r as never), BigInt(r.n)]));
  const jobs = streams.map((ref): StreamJob => {
    const prev = saved.get(keyOf(ref)) ?? null;
    return { ref, saved: prev, rebuild: !!opts.rebuild || !prev || prev.cost_method !== method, totalFills: counts.get(keyOf(ref)) ?? 0n };
  });
  const deletedExits = new Map<string, string>();
  let outputs = await computeStreams(tx, userId, method, jobs, deletedExits, opts.phases);
  // Late data: a fill older than the cursor arrived (the state never absorbed it) → rebuild.
  const late = outputs.filter((o) => !o.job.rebuild && o.job.saved!.fills_processed + BigInt(o.absorbed) !== o.job.totalFills);
  if (late.length) {
    const again = await computeStreams(tx, userId, method, late.map((o) => ({ ...o.job, rebuild: true })), deletedExits, opts.phases);
    const byKey = new Map(again.map((o) => [keyOf(o.job.ref), o]));
    outputs = outputs.map((o) => byKey.get(keyOf(o.job.ref)) ?? o);
  }

  // An event emitted again (its exit order kept filling) may move its exit time: metrics are
  // refreshed from the earlier of the old and the new exit time.
  const emitted = outputs.flatMap((o) => o.events);
  // (a rebuilt stream's old rows are gone: their earliest exit time is in deletedExits)
  const reEmitted = outputs.filter((o) => !o.job.rebuild).flatMap((o) => o.events);
  const priorRows = reEmitted.length
    ? await tx`select t.exchange::text, t.market_type::text, t.symbol, min(t.exit_time) as t
                 from public.trade_history t
                 join unnest(${reEmitted.map((e) => e.exchange)}::text[], ${reEmitted.map((e) => e.market_type)}::text[],
                             ${reEmitted.map((e) => e.symbol)}::text[], ${reEmitted.map((e) => e.close_key)}::text[])
                      as s(exchange, market_type, symbol, close_key)
                   on t.exchange = s.exchange::public.exchange_id and t.market_type = s.market_type::public.market_type
                  and t.symbol = s.symbol and t.close_key = s.close_key
                where t.user_id = ${userId}
                group by 1, 2, 3`
    : [];
  const prior = new Map(deletedExits);
  for (const r of priorRows) {
    const t = new Date(r.t).toISOString(), k = keyOf(r as never);
    if (!prior.has(k) || t < prior.get(k)!) prior.set(k, t);
  }

  const t3 = performance.now();
  const positionIds = await writePositions(tx, outputs.flatMap((o) => o.positions.map((p) => positionRecord(userId, p))));
  const t4 = performance.now();
  await writeEvents(tx, emitted.map((e) => ({
    ...eventRecord(userId, e),
    position_id: positionIds.get(positionKeyOf(e)) ?? null,
  })));
  const t5 = performance.now();
  if (opts.phases) {
    opts.phases.positions += t4 - t3;
    opts.phases.events += t5 - t4;
  }

  await tx.unsafe(
    `insert into public.pnl_stream_state (user_id, exchange, market_type, symbol, cost_method, state, fills_processed,
                                          last_fill_at, last_trade_id, rebuilds, updated_at)
     select $1, x.exchange::public.exchange_id, x.market_type::public.market_type, x.symbol, x.cost_method, x.state,
            x.fills_processed, x.last_fill_at, x.last_trade_id, x.rebuilds, now()
       from jsonb_to_recordset($2::jsonb) as x(exchange text, market_type text, symbol text, cost_method text, state jsonb,
                                                fills_processed bigint, last_fill_at timestamptz, last_trade_id text, rebuilds int)
     on conflict (user_id, exchange, market_type, symbol) do update set
       cost_method = excluded.cost_method, state = excluded.state, fills_processed = excluded.fills_processed,
       last_fill_at = coalesce(excluded.last_fill_at, pnl_stream_state.last_fill_at),
       last_trade_id = coalesce(excluded.last_trade_id, pnl_stream_state.last_trade_id),
       rebuilds = pnl_stream_state.rebuilds + excluded.rebuilds, updated_at = now()`,
    [userId, outputs.map((o) => ({
      ...o.job.ref, cost_method: method, state: o.state,
      fills_processed: (o.job.rebuild ? BigInt(o.absorbed) : o.job.saved!.fills_processed + BigInt(o.absorbed)).toString(),
      last_fill_at: o.lastAt, last_trade_id: o.lastId, rebuilds: o.job.rebuild && o.job.saved ? 1 : 0,
    }))] as never,
  );

  return outputs.map((o) => {
    const p = prior.get(keyOf(o.job.ref)) ?? null;
    const since = o.events.reduce<string | null>((m, e) => (m === null || e.exit_time < m ? e.exit_time : m), p);
    return {
      ...o.job.ref, fills: o.absorbed, events: o.events.length, positions: o.positions.length, rebuilt: o.job.rebuild,
      since, closeKeys: o.events.map((e) => e.close_key),
    };
  });
}

/** Streams per transaction by default: one statement per kind of row for all of them. */
const GROUP_STREAMS = 32;

/**
 * Processes a user's streams (all with fills, or `only`) as service_role (or
 * `opts.actorClaims`), in groups of `opts.groupSize` streams (32) per transaction (`opts.concurrency` groups
 * at a time, default 1), then refreshes the user's performance metrics from the earliest exit
 * touched when the performance layer is installed.
 */
export async function processUser(userId: string, only?: StreamRef[], opts: ProcessOptions = {}): Promise<StreamResult[]> {
  const claims = opts.actorClaims ?? {};
  const unique = new Map((only ?? await withServiceFor(claims, (tx) => streamsOf(tx, userId))).map((s) => [keyOf(s), s]));
  const streams = [...unique.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const groups: StreamRef[][] = [];
  const size = Math.max(1, opts.groupSize ?? GROUP_STREAMS);
  for (let i = 0; i < streams.length; i += size) groups.push(streams.slice(i, i + size));
  const done: StreamResult[][] = new Array(groups.length);
  let next = 0;
  // Each runner on a dedicated session (db-session.ts): a connection killed mid-transaction
  // (database restart, terminated backend) fails the group with SessionLost instead of the
  // uncaught postgres.js TypeError that a pool transaction's ROLLBACK on the dead socket throws.
  const runner = async () => {
    const session = openSession(db());
    try {
      while (next < groups.length) {
        const g = next++;
        done[g] = await session.tx(async (tx) => {
          await actAsService(tx, claims);
          return await processGroup(tx as unknown as Tx, userId, groups[g], opts);
        });
      }
    } finally {
      await session.close();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 1, groups.length)) }, runner));
  const results = done.flat();
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
