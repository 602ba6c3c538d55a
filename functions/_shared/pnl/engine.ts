/**
 * The PnL engine: fills → positions and closing events (trade_history rows). Pure: no I/O, no
 * clock, no platform API; the same code runs in the sync, the import, `positions-close`, the
 * audit CLI and the benchmark.
 *
 * ─── Conventions (agreed with the independent computation of the sample account) ─────────────
 * a. Streams per (exchange, market_type, symbol) (the user is the caller's scope); fills of a
 *    stream are processed in (executed_at, trade_id) order. trade_ids made only of digits compare
 *    as numbers (by length, then digits), others as strings. Times are milliseconds.
 * b. Average cost: a position holds quantity q, entry cost C (quote, Σ price × qty of entries,
 *    fees excluded) and entry fees F (quote). Scale-in: q += a, C += price × a, F += fee.
 *    entry_price = C / q.
 * c. Reduce by a ≤ q: cost share = C × a / q, entry-fee share = F × a / q; gross = exit value −
 *    cost share (LONG), cost share − exit value (SHORT), exit value = price × a; net = gross −
 *    entry-fee share − exit fees + funding share. C, F, q (and accrued funding) shrink by the
 *    shares (C −= share, so Σ shares + what is left = Σ entries exactly). FIFO: the same, with the
 *    cost and fee shares taken from lots in order (a partly consumed lot is pro-rated).
 * d. A closing event = the reducing fills of one exit order (same order_id, consecutive in the
 *    stream: an entry fill or a fill of another order ends it) merged into one row; exit_price is
 *    volume-weighted. A fill without order_id is its own event. An event also ends when the
 *    position goes flat. close_key = "<exchange>:<market_type>:<symbol>:<trade_id of the event's
 *    first fill>": a fill reduces at most once, so the key is unique and does not depend on how
 *    the fills were batched. An event continued in a later call is emitted again with the same
 *    close_key (callers upsert; the last emission wins).
 * e. Crossing zero: the part up to q closes the position, the remainder opens the opposite side
 *    (a new position keyed by that fill); the fill's fees (converted, base and unconverted) are
 *    split pro rata by quantity (closing part = fee × q / quantity, remainder = the rest).
 * f. Fees: quote-currency fee → its amount. Base-currency fee b on a buy: held quantity = amount −
 *    b, cost = price × held quantity, fee value = price × b (an entry fee, or an exit fee when the
 *    buy reduces a short). On a sell: quantity leaving = amount + b, exit value = price × (amount
 *    + b), fee value = price × b. Third currency (BNB, BGB, GT, MX…): converted at the latest
 *    price of <CUR>/<quote> at or before the fill time (same exchange first, then any exchange);
 *    if none, kept in its currency (`fees_unconverted`, pro-rated like entry fees), the event is
 *    flagged "fees_unconverted" and the amount is NOT counted as zero quote. Negative fees
 *    (rebates) reduce fees.
 * g. Swaps are LONG or SHORT; funding rows (amount > 0 received) accrue to the position open on
 *    that symbol at the funding time (fills at the same millisecond come first) and are
 *    pro-rated into closing events by quantity (both methods), net_pnl includes them. Funding
 *    while flat is reported as unassigned. Spot is long-only.
 * h. A spot sell larger than the holdings: the matched part closes normally; the rest is
 *    `unknown_cost_basis_quantity` on the event (with its proceeds and fee share, outside gross
 *    and net) and in a running total; a spot sell while flat produces no event, only an
 *    `unknown_cost_basis` record. It is never given a zero cost.
 * i. exit_type: LIQUIDATION if a fill of the event says so; else the exit order's role (TP1/TP2/
 *    TP3 → TP, SL → SL); else PARTIAL if the position stays open, MANUAL if it closes.
 * j. pnl_percentage = net_pnl / entry_cost × 100, where entry_cost is the entry cost of the
 *    closed quantity (the cost share, fees excluded); roi_percentage = pnl_percentage × leverage
 *    (1 for spot; for swaps from `markets[symbol].leverage`, default 1).
 * k. Dust: after a reducing fill, the position is flat when the remaining |q| < the market's
 *    amount step (`markets[symbol].amount_step`, default 1e-8). The dust's remaining cost, fees
 *    and funding are written off into that closing event (as if closed at price 0; its quantity
 *    is `dust_quantity`, included in entry_quantity but not in exit_quantity) and reported in a
 *    running total. An entry fill never triggers the dust rule; a flip always opens.
 * l. Rounding: quantities and prices are exact at 18 decimals; money is exact at 36 decimals
 *    (price × quantity), pro-rata divisions round half-even at 1e-36. Emitted values round ONCE:
 *    money at 18, percentages at 8, half-even; the state keeps the unrounded values.
 * m. max_drawdown: the minimum unrealized gross PnL of the whole position (side × (p × q − C)) over
 *    the prices of the stream's symbol (for a swap also <base>/<quote>) observed at t with
 *    opened_at ≤ t < exit_time, each evaluated against the position as it stood at t (prices at a
 *    fill's millisecond come after that fill); null when no price fell in the window.
 * m′. max adverse excursion from daily candles (SQL, not this engine: the views
 *    public.trade_history_excursions / public.position_excursions, migration
 *    20261207190200_candle_adverse_excursion): over the full UTC days inside [entry, exit) —
 *    a partial day's extreme may lie outside the hold and is not used — min of side × (day's low
 *    for LONG | day's high for SHORT − entry_price) × quantity (a closing event's exit_quantity
 *    at its entry_price; an open position's quantity); a swap without its own candles uses its
 *    spot twin's. A closing event's max_adverse_excursion = the lesser of that and m's max_drawdown
 *    (null if both are).
 * Also: entry_time (and hold_duration) count from the position's opened_at in both methods;
 *    entry_price of an event = its entry cost / entry_quantity. A position row is keyed by
 *    "<exchange>:<market_type>:<symbol>:<trade_id of the opening fill>"; while OPEN its
 *    entry_price / quantity / total_cost describe the open quantity (C / q, q, C); once CLOSED,
 *    quantity and total_cost are 0 and entry_price is Σ entry cost / Σ entry quantity over its
 *    life. fees_paid = all entry and exit fees of the position (quote). Rows are read-only (empty
 *    lists may be shared).
 *
 * ─── Incremental processing and idempotence ─────────────────────────────────────────────────
 * The state is one entry per stream (JSON: `JSON.stringify(state)`, revive with
 * `createState(json)`), holding the open position (FIFO lots included), the open closing event
 * (so the fills of one order split across calls still merge), and cursors: the last processed
 * fill (executed_at, trade_id) and the last funding (occurred_at, funding_id). Fills and funding
 * at or before their cursor are skipped and reported (`skipped`): reprocessing the same input adds
 * nothing, and a fill older than the cursor that was never seen is late data (rebuild the
 * stream). Contract for incremental calls: each call brings the fills, funding and prices of one
 * time range, ranges in order (items at the same millisecond in the same call); then a full
 * rebuild and any split give the same final rows per close_key / position_key.
 */
import type {
  ApplyResult,
  ClosingEvent,
  CostMethod,
  EngineContext,
  ExitType,
  FillRow,
  FundingRow,
  MarginMode,
  MarketType,
  OrderRow,
  PositionRow,
  SkippedInput,
  UnassignedFunding,
  UnconvertedFee,
  UnknownCostBasis,
} from "./types.ts";
import type { ExchangeId } from "../domain/types.ts";
import { divRound, E18, fmtM, fmtM36, fmtQ, parseM, parseQ, pct8 } from "./fixed.ts";
import { streamKey } from "../domain/keys.ts";

// ───────────────────────────── state ─────────────────────────────

interface Lot {
  q: bigint; // scale 18
  c: bigint; // scale 36
  f: bigint; // scale 36
}

interface Pos {
  key: string;
  side: 1 | -1;
  openedTs: number;
  /** opened_at as ISO-8601 (the opening fill's executed_at, normalised). */
  openedAt: string;
  entryOrderId: string | null;
  q: bigint;
  c: bigint;
  f: bigint;
  u: bigint; // accrued funding (36)
  fx: Record<string, bigint> | null; // unconverted entry fees by currency (36)
  lots: Lot[] | null; // FIFO only
  entQ: bigint;
  entC: bigint;
  fees: bigint; // all fees paid (entry + exit, 36)
  rGross: bigint;
  rNet: bigint;
  rFund: bigint;
  fxAll: Record<string, bigint> | null; // all unconverted fees paid over the life
  worst: bigint | null;
  lev: bigint; // scale 18
  mm: MarginMode | null;
  nEv: number;
  liq: boolean;
  /** executed_at of the closing fill, as given. */
  closedAt: string;
  /** An entry fill paid a negative fee / a base-currency fee (flags of its closing events). */
  rebate: boolean;
  baseFee: boolean;
  closedTs: number | null;
  lastId: string;
}

interface Ev {
  key: string;
  posKey: string;
  side: 1 | -1;
  orderId: string | null;
  entryOrderId: string | null;
  entryTs: number;
  entryAt: string;
  lev: bigint;
  mm: MarginMode | null;
  first: string;
  last: string;
  n: number;
  q: bigint; // exit quantity (18)
  v: bigint; // exit value (36)
  c: bigint; // entry cost share incl. dust (36)
  ef: bigint;
  xf: bigint;
  fu: bigint;
  fx: Record<string, bigint> | null;
  uq: bigint;
  uv: bigint;
  uf: bigint;
  dq: bigint;
  liq: boolean;
  rebate: boolean;
  baseFee: boolean;
  ts: number;
  /** executed_at of the event's last fill, as given. */
  exitAt: string;
  closed: boolean;
  worst: bigint | null;
  dirty: boolean;
}

interface Stream {
  exchange: ExchangeId;
  market_type: MarketType;
  symbol: string;
  base: string;
  quote: string;
  cTs: number; // last processed fill time (ms), -Infinity → none (stored as null)
  cId: string;
  fTs: number;
  fId: string;
  pos: Pos | null;
  ev: Ev | null;
  unknownQ: bigint;
  dustQ: bigint;
  unassigned: bigint;
}

/**
 * The engine state as JSON. Version 2 (written since issue 16) spells every field out
 * (`quantity`, `entry_cost`, `realized_net_pnl`, …; table STATE_V2_KEYS); version 1 used the
 * engine's one- and two-letter names (`q`, `c`, `r_net`, …) and is still read. Each stream's JSON
 * says its own format (`"format": 2`; absent = 1), because streams are also stored one by one
 * (pnl_stream_state.state) and may be of either version.
 */
export interface StateJson {
  version: 1 | 2;
  method: CostMethod;
  streams: Record<string, Record<string, unknown>>;
}

/** The engine state: per stream, JSON-serialisable (`JSON.stringify(state)` / `createState(json)`). */
export class PnlState {
  readonly method: CostMethod;
  readonly streams: Map<string, Stream> = new Map();
  constructor(method: CostMethod) {
    this.method = method;
  }
  toJSON(): StateJson {
    const streams: Record<string, Record<string, unknown>> = {};
    for (const [k, s] of this.streams) streams[k] = streamToJson(s);
    return { version: 2, method: this.method, streams };
  }
  /** One stream's state as JSON (e.g. to store as jsonb on its open position), or null. */
  streamJson(exchange: string, market_type: string, symbol: string): Record<string, unknown> | null {
    const s = this.streams.get(streamKey(exchange, market_type, symbol));
    return s ? streamToJson(s) : null;
  }
}

export { streamKey };

/** A fresh state (`{ method }`), or a state revived from its JSON (whole state or `streamJson`s). */
export function createState(init?: { method?: CostMethod } | StateJson): PnlState {
  if (init && "version" in init) {
    if (init.version !== 1 && init.version !== 2) throw new Error(`unknown PnL state version ${String(init.version)}`);
    const st = new PnlState(init.method);
    for (const [k, v] of Object.entries(init.streams)) st.streams.set(k, streamFromJson(v));
    return st;
  }
  const method = init?.method ?? "average";
  if (method !== "average" && method !== "fifo") throw new Error(`unknown cost method ${String(method)}`);
  return new PnlState(method);
}

// ───────────────────────────── per-call environment ─────────────────────────────

interface Series {
  ts: number[];
  px: bigint[];
}

interface TpSl {
  role: string;
  side: 1 | -1;
  ts: number;
  price: string | null;
}

interface Env {
  method: CostMethod;
  orders: Map<string, OrderRow>;
  tpsl: Map<string, TpSl[]>;
  prices: Map<string, Series>; // exchange|symbol
  pricesAny: Map<string, Series>; // symbol (all exchanges)
  steps: Map<string, bigint>;
  defaultStep: bigint;
  markets: EngineContext["markets"];
  events: ClosingEvent[];
  positions: PositionRow[];
  unassigned: UnassignedFunding[];
  unknown: UnknownCostBasis[];
  skipped: SkippedInput[];
}

/** One fill's fee entries, parsed (parseFees): quote currency at 36 decimals, base at 18, other currencies without a price (fx, 36), a rebate seen. */
interface FeeParse {
  quote: bigint;
  base: bigint;
  fx: Record<string, bigint> | null;
  rebate: boolean;
}

/** What reduce() took out of a position: cost, entry fees and funding shares (36 decimals) and unconverted fee shares. */
interface Shares {
  c: bigint;
  f: bigint;
  u: bigint;
  fx: Record<string, bigint> | null;
}

/**
 * Reusable result holders, one pair per stream run (runStream), passed explicitly to the function that
 * fills them and read by its caller right after (no allocation per fill, no module state: two
 * engines, or a throw half-way, cannot see each other's values).
 */
interface Scratch {
  fee: FeeParse;
  shares: Shares;
}

function newScratch(): Scratch {
  return { fee: { quote: 0n, base: 0n, fx: null, rebate: false }, shares: { c: 0n, f: 0n, u: 0n, fx: null } };
}

/** Digits s[i, i + len) as a number (NaN if any is not a digit). */
function digitsAt(s: string, i: number, len: number): number {
  let v = 0;
  for (let k = i; k < i + len; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** "YYYY-MM-DDTHH:MM:SS.mmmZ" parsed by hand (the common case), anything else by Date.parse. */
function timeOf(s: string, what: string): number {
  if (s.length === 24 && s.charCodeAt(23) === 90 && s.charCodeAt(10) === 84 && s.charCodeAt(19) === 46) {
    const mo = digitsAt(s, 5, 2), d = digitsAt(s, 8, 2), h = digitsAt(s, 11, 2), mi = digitsAt(s, 14, 2), se = digitsAt(s, 17, 2);
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && se < 60) {
      const t = Date.UTC(digitsAt(s, 0, 4), mo - 1, d, h, mi, se, digitsAt(s, 20, 3));
      if (!Number.isNaN(t) && (d <= 28 || new Date(t).getUTCDate() === d)) return t;
    }
  }
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new RangeError(`${what}: not a timestamp: ${JSON.stringify(s)}`);
  return t;
}

const DIGITS = /^\d+$/;
/** trade ids: all-digit ids compare numerically (by length, then digits), others as strings. */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length !== b.length && DIGITS.test(a) && DIGITS.test(b)) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : 1;
}

function buildSeries(rows: { ts: number; px: bigint }[]): Series {
  rows.sort((x, y) => x.ts - y.ts);
  return { ts: rows.map((r) => r.ts), px: rows.map((r) => r.px) };
}

/** Latest price at or before ts, or null. */
function priceAt(s: Series | undefined, ts: number): bigint | null {
  if (!s) return null;
  let lo = 0, hi = s.ts.length - 1, ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (s.ts[mid] <= ts) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans < 0 ? null : s.px[ans];
}

function buildEnv(method: CostMethod, ctx: EngineContext): Env {
  const orders = new Map<string, OrderRow>();
  const tpsl = new Map<string, TpSl[]>();
  for (const o of ctx.orders ?? []) {
    orders.set(o.exchange + "|" + o.order_id, o);
    const role = o.order_role;
    if (role === "TP1" || role === "TP2" || role === "TP3" || role === "SL") {
      const k = streamKey(o.exchange, o.market_type, o.symbol);
      let list = tpsl.get(k);
      if (!list) tpsl.set(k, (list = []));
      const price = role === "SL" ? (o.stop_price ?? o.price ?? o.average_price) : (o.price ?? o.stop_price ?? o.average_price);
      list.push({
        role,
        side: o.side === "buy" ? 1 : -1,
        ts: timeOf(o.order_timestamp, `order ${o.order_id}`),
        price: price == null ? null : fmtQ(parseQ(price)),
      });
    }
  }
  const byEx = new Map<string, { ts: number; px: bigint }[]>();
  const bySym = new Map<string, { ts: number; px: bigint }[]>();
  for (const p of ctx.prices ?? []) {
    const row = { ts: timeOf(p.as_of, `price ${p.symbol}`), px: parseQ(p.price) };
    const k1 = p.exchange + "|" + p.symbol;
    let a = byEx.get(k1);
    if (!a) byEx.set(k1, (a = []));
    a.push(row);
    let b = bySym.get(p.symbol);
    if (!b) bySym.set(p.symbol, (b = []));
    b.push(row);
  }
  const prices = new Map<string, Series>();
  for (const [k, v] of byEx) prices.set(k, buildSeries(v));
  const pricesAny = new Map<string, Series>();
  for (const [k, v] of bySym) pricesAny.set(k, buildSeries(v));
  return {
    method,
    orders,
    tpsl,
    prices,
    pricesAny,
    steps: new Map<string, bigint>(),
    defaultStep: parseQ(ctx.default_amount_step ?? "0.00000001"),
    markets: ctx.markets,
    events: [],
    positions: [],
    unassigned: [],
    unknown: [],
    skipped: [],
  };
}

// ───────────────────────────── public entry point ─────────────────────────────

interface PFill {
  f: FillRow;
  ts: number;
}
interface PFund {
  f: FundingRow;
  ts: number;
}

/**
 * Apply fills (and the context's funding and prices) to the state. The state is updated in place
 * and returned (a JSON object is revived first). Fills of any streams, in any order.
 */
export function applyFills(
  stateIn: PnlState | StateJson,
  fills: readonly FillRow[],
  ctx: EngineContext = {},
): ApplyResult<PnlState> {
  const state = stateIn instanceof PnlState ? stateIn : createState(stateIn);
  const env = buildEnv(state.method, ctx);

  // group by stream
  const fillsBy = new Map<string, Group>();
  let g: Group | null = null, lastSym = "", lastEx = "", lastMt = "";
  for (let i = 0; i < fills.length; i++) {
    const f = fills[i];
    if (g === null || f.symbol !== lastSym || f.exchange !== lastEx || f.market_type !== lastMt) {
      const k = streamKey(f.exchange, f.market_type, f.symbol);
      g = fillsBy.get(k) ?? null;
      if (g === null) {
        fillsBy.set(k, (g = { f: [], t: [] }));
        if (!state.streams.has(k)) state.streams.set(k, newStream(f.exchange, f.market_type, f.symbol, f.base, f.quote));
      }
      lastSym = f.symbol;
      lastEx = f.exchange;
      lastMt = f.market_type;
    }
    g.f.push(f);
    g.t.push(timeOf(f.executed_at, "fill " + f.trade_id));
  }
  const fundBy = new Map<string, PFund[]>();
  for (const fr of ctx.funding ?? []) {
    const k = streamKey(fr.exchange, "swap", fr.symbol);
    let arr = fundBy.get(k);
    if (!arr) {
      fundBy.set(k, (arr = []));
      if (!state.streams.has(k)) {
        const [base, quote] = splitSymbol(fr.symbol);
        state.streams.set(k, newStream(fr.exchange, "swap", fr.symbol, base, quote));
      }
    }
    arr.push({ f: fr, ts: timeOf(fr.occurred_at, `funding ${fr.funding_id}`) });
  }
  const keys = new Set<string>([...fillsBy.keys(), ...fundBy.keys()]);
  if (env.prices.size > 0) {
    for (const [k, s] of state.streams) if (s.pos && seriesFor(env, s)) keys.add(k);
  }
  for (const k of keys) {
    const st = state.streams.get(k)!;
    const fl = fillsBy.get(k) ?? { f: [], t: [] };
    if (!isSorted(fl)) sortGroup(fl);
    const fu = fundBy.get(k) ?? [];
    fu.sort((a, b) => a.ts - b.ts || compareIds(a.f.funding_id, b.f.funding_id));
    runStream(st, fl, fu, env);
  }
  return {
    state,
    events: env.events,
    positions: env.positions,
    unassigned_funding: env.unassigned,
    unknown_cost_basis: env.unknown,
    skipped: env.skipped,
  };
}

/** One stream's fills of a call and their times (ms), in parallel arrays. */
interface Group {
  f: FillRow[];
  t: number[];
}
function isSorted(g: Group): boolean {
  for (let i = 1; i < g.t.length; i++) {
    const d = g.t[i - 1] - g.t[i];
    if (d > 0 || (d === 0 && compareIds(g.f[i - 1].trade_id, g.f[i].trade_id) > 0)) return false;
  }
  return true;
}
function sortGroup(g: Group): void {
  const idx = g.t.map((_, i) => i);
  idx.sort((a, b) => g.t[a] - g.t[b] || compareIds(g.f[a].trade_id, g.f[b].trade_id));
  const f = idx.map((i) => g.f[i]), t = idx.map((i) => g.t[i]);
  g.f = f;
  g.t = t;
}

/** "BTC/USDT:USDT" → ["BTC", "USDT"]. */
export function splitSymbol(symbol: string): [string, string] {
  const [pair] = symbol.split(":");
  const [base, quote] = pair.split("/");
  if (!base || !quote) throw new RangeError(`not a ccxt symbol: ${JSON.stringify(symbol)}`);
  return [base, quote];
}

function newStream(exchange: ExchangeId, market_type: MarketType, symbol: string, base: string, quote: string): Stream {
  if (market_type !== "spot" && market_type !== "swap") throw new RangeError(`unknown market_type ${String(market_type)}`);
  return {
    exchange,
    market_type,
    symbol,
    base: base.toUpperCase(),
    quote: quote.toUpperCase(),
    cTs: -Infinity,
    cId: "",
    fTs: -Infinity,
    fId: "",
    pos: null,
    ev: null,
    unknownQ: 0n,
    dustQ: 0n,
    unassigned: 0n,
  };
}

function seriesFor(env: Env, st: Stream): Series | undefined {
  return env.prices.get(st.exchange + "|" + st.symbol) ??
    (st.market_type === "swap" ? env.prices.get(st.exchange + "|" + st.base + "/" + st.quote) : undefined);
}

// ───────────────────────────── the stream loop ─────────────────────────────

function runStream(st: Stream, fills: Group, funding: PFund[], env: Env): void {
  let touched = false;
  const startTs = st.cTs;
  // funding already processed, or late
  let fi = 0;
  const fundQueue: PFund[] = [];
  for (; fi < funding.length; fi++) {
    const fr = funding[fi];
    if (fr.ts < st.fTs || (fr.ts === st.fTs && compareIds(fr.f.funding_id, st.fId) <= 0)) {
      env.skipped.push({ kind: "funding", id: fr.f.funding_id, reason: "at or before the stream's funding cursor" });
    } else if (fr.ts < startTs) {
      env.skipped.push({ kind: "funding", id: fr.f.funding_id, reason: "late: before the last processed fill (rebuild)" });
    } else fundQueue.push(fr);
  }
  const series = seriesFor(env, st);
  let pi = 0;
  if (series) while (pi < series.ts.length && series.ts[pi] < startTs) pi++;
  let qi = 0;
  const pf: PFill = { f: fills.f[0], ts: 0 }; // reused: fill functions copy what they keep
  const scratch = newScratch();
  for (let i = 0; i < fills.f.length; i++) {
    pf.f = fills.f[i];
    pf.ts = fills.t[i];
    if (pf.ts < st.cTs || (pf.ts === st.cTs && compareIds(pf.f.trade_id, st.cId) <= 0)) {
      env.skipped.push({ kind: "fill", id: pf.f.trade_id, reason: "at or before the stream's cursor" });
      continue;
    }
    while (qi < fundQueue.length && fundQueue[qi].ts < pf.ts) applyFunding(st, fundQueue[qi++], env);
    if (series) while (pi < series.ts.length && series.ts[pi] < pf.ts) applyPrice(st, series.px[pi++]);
    processFill(st, pf, env, scratch);
    st.cTs = pf.ts;
    st.cId = pf.f.trade_id;
    touched = true;
  }
  while (qi < fundQueue.length) applyFunding(st, fundQueue[qi++], env);
  if (series) while (pi < series.ts.length) if (applyPrice(st, series.px[pi++])) touched = true;
  if (st.pos && (touched || fundQueue.length > 0)) env.positions.push(positionRow(st, st.pos, env));
  if (st.ev && st.ev.dirty) {
    env.events.push(eventRow(st, st.ev, env));
    st.ev.dirty = false;
  }
}

function applyFunding(st: Stream, pf: PFund, env: Env): void {
  const fr = pf.f;
  let amt = parseQ(fr.amount) * E18;
  const cur = fr.currency.toUpperCase();
  if (cur !== st.quote) {
    const px = priceAt(env.prices.get(st.exchange + "|" + cur + "/" + st.quote) ?? env.pricesAny.get(cur + "/" + st.quote), pf.ts);
    if (px === null) {
      env.skipped.push({ kind: "funding", id: fr.funding_id, reason: `no ${cur}/${st.quote} price to convert funding` });
      st.fTs = pf.ts;
      st.fId = fr.funding_id;
      return;
    }
    amt = parseQ(fr.amount) * px;
  }
  if (st.pos) st.pos.u += amt;
  else {
    st.unassigned += amt;
    env.unassigned.push({
      exchange: st.exchange,
      symbol: st.symbol,
      funding_id: fr.funding_id,
      amount: fmtM(amt),
      currency: st.quote,
      occurred_at: new Date(pf.ts).toISOString(),
    });
  }
  st.fTs = pf.ts;
  st.fId = fr.funding_id;
}

/** Track the open position's worst unrealized PnL; true when it changed. */
function applyPrice(st: Stream, px: bigint): boolean {
  const p = st.pos;
  if (!p) return false;
  const unreal = p.side === 1 ? px * p.q - p.c : p.c - px * p.q;
  if (p.worst === null || unreal < p.worst) {
    p.worst = unreal;
    return true;
  }
  return false;
}

/** Parses f's fee entries into `out` (overwritten). */
function parseFees(st: Stream, f: FillRow, ts: number, env: Env, out: FeeParse): void {
  let feeQuote = 0n;
  let feeBase = 0n;
  let feeFx: Record<string, bigint> | null = null;
  let feeRebate = false;
  const fees = f.fees;
  for (let i = 0; i < fees.length; i++) {
    const fe = fees[i];
    const amt = parseQ(fe.amount);
    if (amt === 0n) continue;
    if (amt < 0n) feeRebate = true;
    const c0 = fe.currency;
    const cur = c0 === st.quote || c0 === st.base ? c0 : c0.toUpperCase();
    if (cur === st.quote) feeQuote += amt * E18;
    else if (cur === st.base) feeBase += amt;
    else {
      const sym = cur + "/" + st.quote;
      const px = priceAt(env.prices.get(st.exchange + "|" + sym) ?? env.pricesAny.get(sym), ts);
      if (px !== null) feeQuote += amt * px;
      else {
        if (!feeFx) feeFx = {};
        feeFx[cur] = (feeFx[cur] ?? 0n) + amt * E18;
      }
    }
  }
  out.quote = feeQuote;
  out.base = feeBase;
  out.fx = feeFx;
  out.rebate = feeRebate;
}

function processFill(st: Stream, pf: PFill, env: Env, scratch: Scratch): void {
  const f = pf.f;
  const side: 1 | -1 = f.side === "buy" ? 1 : f.side === "sell" ? -1 : badSide(f);
  const price = parseQ(f.price);
  const amount = parseQ(f.amount);
  if (amount <= 0n || price < 0n) throw new RangeError(`fill ${f.trade_id}: amount must be > 0 and price ≥ 0`);
  const fee = scratch.fee;
  parseFees(st, f, pf.ts, env, fee);
  const feeBase = fee.base;
  const d = feeBase === 0n ? amount : side === 1 ? amount - feeBase : amount + feeBase;
  if (d <= 0n) throw new RangeError(`fill ${f.trade_id}: base-currency fee is not smaller than the amount`);
  const feeTotal = feeBase === 0n ? fee.quote : fee.quote + feeBase * price;
  const fx = fee.fx;
  const pos = st.pos;

  if (pos !== null && pos.side !== side) {
    reducePath(st, pos, pf, side, price, d, feeTotal, fx, fee.rebate, feeBase !== 0n, env, scratch.shares);
    return;
  }
  // entry (or spot sell while flat)
  finalizeEv(st, env);
  if (pos === null && side === -1 && st.market_type === "spot") {
    unknownBasis(st, null, pf, price, d, feeTotal, fx, env);
    return;
  }
  const p = pos ?? openPos(st, pf, side, env);
  addEntry(p, price, d, feeTotal, fx);
  if (fee.rebate) p.rebate = true;
  if (feeBase !== 0n) p.baseFee = true;
  p.lastId = f.trade_id;
}

function badSide(f: FillRow): never {
  throw new RangeError(`fill ${f.trade_id}: side must be buy or sell, got ${JSON.stringify(f.side)}`);
}

function openPos(st: Stream, pf: PFill, side: 1 | -1, env: Env): Pos {
  const m = env.markets?.[st.symbol];
  let lev = E18;
  let mm: MarginMode | null = null;
  if (st.market_type === "swap" && m) {
    if (m.leverage != null) lev = parseQ(m.leverage);
    mm = m.margin_mode ?? null;
  }
  const p: Pos = {
    key: st.exchange + ":" + st.market_type + ":" + st.symbol + ":" + pf.f.trade_id,
    side,
    openedTs: pf.ts,
    openedAt: canonIso(pf.f.executed_at, pf.ts),
    entryOrderId: pf.f.order_id ?? null,
    q: 0n,
    c: 0n,
    f: 0n,
    u: 0n,
    fx: null,
    lots: env.method === "fifo" ? [] : null,
    entQ: 0n,
    entC: 0n,
    fees: 0n,
    rGross: 0n,
    rNet: 0n,
    rFund: 0n,
    fxAll: null,
    worst: null,
    lev,
    mm,
    nEv: 0,
    liq: false,
    closedAt: "",
    rebate: false,
    baseFee: false,
    closedTs: null,
    lastId: pf.f.trade_id,
  };
  st.pos = p;
  return p;
}

function addEntry(p: Pos, price: bigint, d: bigint, fee: bigint, fx: Record<string, bigint> | null): void {
  const cost = price * d;
  p.q += d;
  p.c += cost;
  p.f += fee;
  p.entQ += d;
  p.entC += cost;
  p.fees += fee;
  if (p.lots) p.lots.push({ q: d, c: cost, f: fee });
  if (fx) {
    p.fx = addFx(p.fx, fx);
    p.fxAll = addFx(p.fxAll, fx);
  }
}

function addFx(into: Record<string, bigint> | null, add: Record<string, bigint>): Record<string, bigint> {
  const out = into ?? {};
  for (const k in add) out[k] = (out[k] ?? 0n) + add[k];
  return out;
}

/** Take a ≤ q out of the position; its shares are written to `out` (overwritten). */
function reduce(p: Pos, a: bigint, out: Shares): void {
  const q = p.q;
  let rCs = 0n, rFs = 0n, rUs = 0n;
  let rFx: Record<string, bigint> | null = null;
  if (a === q) {
    rCs = p.c;
    rFs = p.f;
    rUs = p.u;
    rFx = p.fx;
    p.fx = null;
    if (p.lots) p.lots.length = 0;
  } else {
    rUs = p.u === 0n ? 0n : divRound(p.u * a, q);
    rFx = null;
    if (p.fx) {
      rFx = {};
      for (const k in p.fx) {
        const s = divRound(p.fx[k] * a, q);
        rFx[k] = s;
        p.fx[k] -= s;
      }
    }
    if (p.lots) {
      let need = a, cs = 0n, fs = 0n;
      const lots = p.lots;
      let i = 0;
      while (need > 0n) {
        const lot = lots[i];
        if (lot.q <= need) {
          cs += lot.c;
          fs += lot.f;
          need -= lot.q;
          i++;
        } else {
          const lc = divRound(lot.c * need, lot.q);
          const lf = lot.f === 0n ? 0n : divRound(lot.f * need, lot.q);
          cs += lc;
          fs += lf;
          lot.c -= lc;
          lot.f -= lf;
          lot.q -= need;
          need = 0n;
        }
      }
      if (i > 0) lots.splice(0, i);
      rCs = cs;
      rFs = fs;
    } else {
      rCs = divRound(p.c * a, q);
      rFs = p.f === 0n ? 0n : divRound(p.f * a, q);
    }
  }
  p.q = q - a;
  p.c -= rCs;
  p.f -= rFs;
  p.u -= rUs;
  out.c = rCs;
  out.f = rFs;
  out.u = rUs;
  out.fx = rFx;
}

function splitFx(fx: Record<string, bigint>, num: bigint, den: bigint): [Record<string, bigint>, Record<string, bigint>] {
  const a: Record<string, bigint> = {}, b: Record<string, bigint> = {};
  for (const k in fx) {
    a[k] = divRound(fx[k] * num, den);
    b[k] = fx[k] - a[k];
  }
  return [a, b];
}

function reducePath(
  st: Stream,
  pos: Pos,
  pf: PFill,
  side: 1 | -1,
  price: bigint,
  d: bigint,
  feeTotal: bigint,
  fx: Record<string, bigint> | null,
  rebate: boolean,
  baseFee: boolean,
  env: Env,
  sh: Shares,
): void {
  const f = pf.f;
  const close = d < pos.q ? d : pos.q;
  const rest = d - close;
  let closeFee = feeTotal, restFee = 0n;
  let closeFx = fx, restFx: Record<string, bigint> | null = null;
  if (rest > 0n) {
    closeFee = divRound(feeTotal * close, d);
    restFee = feeTotal - closeFee;
    if (fx) [closeFx, restFx] = splitFx(fx, close, d);
  }
  let ev = st.ev;
  if (!(ev !== null && !ev.closed && ev.orderId !== null && ev.orderId === f.order_id && ev.posKey === pos.key)) {
    finalizeEv(st, env);
    ev = newEv(st, pos, pf);
  }
  ev.worst = pos.worst;
  reduce(pos, close, sh);
  const value = price * close;
  ev.q += close;
  ev.v += value;
  ev.c += sh.c;
  ev.ef += sh.f;
  ev.xf += closeFee;
  ev.fu += sh.u;
  if (sh.fx) ev.fx = addFx(ev.fx, sh.fx);
  if (closeFx) {
    ev.fx = addFx(ev.fx, closeFx);
    pos.fxAll = addFx(pos.fxAll, closeFx);
  }
  ev.n++;
  ev.last = f.trade_id;
  ev.ts = pf.ts;
  ev.exitAt = f.executed_at;
  ev.dirty = true;
  if (f.is_liquidation) ev.liq = true;
  if (rebate || pos.rebate) ev.rebate = true;
  if (baseFee || pos.baseFee) ev.baseFee = true;
  const gross = side === -1 ? value - sh.c : sh.c - value; // side is the fill's side: a sell reduces a LONG
  pos.rGross += gross;
  pos.rNet += gross - sh.f - closeFee + sh.u;
  pos.rFund += sh.u;
  pos.fees += closeFee;
  pos.lastId = f.trade_id;

  let step = env.steps.get(st.symbol);
  if (step === undefined) {
    const m = env.markets?.[st.symbol]?.amount_step;
    step = m != null ? parseQ(m) : env.defaultStep;
    env.steps.set(st.symbol, step);
  }
  if (pos.q === 0n || pos.q < step) {
    if (pos.q > 0n) {
      const dq = pos.q;
      reduce(pos, dq, sh);
      ev.dq += dq;
      ev.c += sh.c;
      ev.ef += sh.f;
      ev.fu += sh.u;
      if (sh.fx) ev.fx = addFx(ev.fx, sh.fx);
      const g = pos.side === 1 ? -sh.c : sh.c;
      pos.rGross += g;
      pos.rNet += g - sh.f + sh.u;
      pos.rFund += sh.u;
      st.dustQ += dq;
    }
    ev.closed = true;
    pos.nEv++;
    pos.closedTs = pf.ts;
    pos.closedAt = f.executed_at;
    if (ev.liq) pos.liq = true;
    st.pos = null;
    if (rest > 0n && st.market_type === "spot") unknownBasis(st, ev, pf, price, rest, restFee, restFx, env);
    env.positions.push(positionRow(st, pos, env));
    finalizeEv(st, env);
    if (rest > 0n && st.market_type !== "spot") {
      const np = openPos(st, pf, side, env);
      addEntry(np, price, rest, restFee, restFx);
      np.rebate = rebate;
      np.baseFee = baseFee;
    }
  }
}

function newEv(st: Stream, pos: Pos, pf: PFill): Ev {
  const ev: Ev = {
    key: st.exchange + ":" + st.market_type + ":" + st.symbol + ":" + pf.f.trade_id,
    posKey: pos.key,
    side: pos.side,
    orderId: pf.f.order_id ?? null,
    entryOrderId: pos.entryOrderId,
    entryTs: pos.openedTs,
    entryAt: pos.openedAt,
    lev: pos.lev,
    mm: pos.mm,
    first: pf.f.trade_id,
    last: pf.f.trade_id,
    n: 0,
    q: 0n,
    v: 0n,
    c: 0n,
    ef: 0n,
    xf: 0n,
    fu: 0n,
    fx: null,
    uq: 0n,
    uv: 0n,
    uf: 0n,
    dq: 0n,
    liq: false,
    rebate: false,
    baseFee: false,
    ts: pf.ts,
    exitAt: pf.f.executed_at,
    closed: false,
    worst: null,
    dirty: true,
  };
  st.ev = ev;
  return ev;
}

function finalizeEv(st: Stream, env: Env): void {
  const ev = st.ev;
  if (ev === null) return;
  if (ev.dirty) env.events.push(eventRow(st, ev, env));
  if (!ev.closed && st.pos && st.pos.key === ev.posKey) st.pos.nEv++;
  st.ev = null;
}

function unknownBasis(
  st: Stream,
  ev: Ev | null,
  pf: PFill,
  price: bigint,
  qty: bigint,
  fee: bigint,
  fx: Record<string, bigint> | null,
  env: Env,
): void {
  st.unknownQ += qty;
  if (ev) {
    ev.uq += qty;
    ev.uv += price * qty;
    ev.uf += fee;
    if (fx) ev.fx = addFx(ev.fx, fx);
  }
  env.unknown.push({
    exchange: st.exchange,
    market_type: st.market_type,
    symbol: st.symbol,
    trade_id: pf.f.trade_id,
    order_id: pf.f.order_id ?? null,
    quantity: fmtQ(qty),
    proceeds: fmtM(price * qty),
    fees: fmtM(fee),
    fees_unconverted: fxList(fx),
    executed_at: new Date(pf.ts).toISOString(),
  });
}

// ───────────────────────────── emitting rows ─────────────────────────────

const NO_LINK = { sl: null as string | null, tps: null as string[] | null };
function linked(env: Env, st: Stream, side: 1 | -1, entryOrderId: string | null, openedTs: number, until: number) {
  if (env.tpsl.size === 0) return NO_LINK;
  const list = env.tpsl.get(streamKey(st.exchange, st.market_type, st.symbol));
  if (!list) return NO_LINK;
  let from = openedTs;
  if (entryOrderId !== null) {
    const eo = env.orders.get(st.exchange + "|" + entryOrderId);
    if (eo) from = Math.min(from, Date.parse(eo.order_timestamp));
  }
  const latest = new Map<string, TpSl>();
  for (const o of list) {
    if (o.side === side || o.ts < from || o.ts > until || o.price === null) continue;
    const prev = latest.get(o.role);
    if (!prev || o.ts >= prev.ts) latest.set(o.role, o);
  }
  const tps: string[] = [];
  for (const r of ["TP1", "TP2", "TP3"]) {
    const o = latest.get(r);
    if (o) tps.push(o.price!);
  }
  return { sl: latest.get("SL")?.price ?? null, tps: tps.length ? tps : null };
}

function fxList(fx: Record<string, bigint> | null): UnconvertedFee[] {
  if (!fx) return [];
  const out: UnconvertedFee[] = [];
  for (const k of Object.keys(fx).sort()) if (fx[k] !== 0n) out.push({ currency: k, amount: fmtM(fx[k]) });
  return out;
}

/** Whole milliseconds → seconds as a decimal string ("90", "90.5", "0.001"). */
function msToSeconds(ms: number): string {
  const s = Math.floor(ms / 1000), r = ms - s * 1000;
  if (r === 0) return String(s);
  return s + "." + String(r).padStart(3, "0").replace(/0+$/, "");
}

function duration(ms: number): [string, string] {
  const neg = ms < 0;
  let rest = Math.abs(Math.round(ms));
  const secs = msToSeconds(rest);
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sign = neg ? "-" : "";
  return [sign + secs, `${sign}P${days}DT${h}H${m}M${msToSeconds(rest)}S`];
}

/** The input timestamp when it is already canonical ("2024-01-01T00:00:00.000Z"), else normalised. */
function canonIso(s: string, ts: number): string {
  return s.length === 24 && s.charCodeAt(23) === 90 && s.charCodeAt(10) === 84 && s.charCodeAt(19) === 46
    ? s
    : new Date(ts).toISOString();
}

/** Shared empty lists of rows without flags / unconverted fees (rows are read-only). */
const NO_FLAGS: string[] = Object.freeze([]) as unknown as string[];
const NO_FEES: UnconvertedFee[] = Object.freeze([]) as unknown as UnconvertedFee[];
const levStr = (lev: bigint): string => (lev === E18 ? "1" : fmtQ(lev));

function eventRow(st: Stream, ev: Ev, env: Env): ClosingEvent {
  const entryQ = ev.q + ev.dq;
  const gross = ev.side === 1 ? ev.v - ev.c : ev.c - ev.v;
  const net = gross - ev.ef - ev.xf + ev.fu;
  let exitType: ExitType;
  let reason: string;
  const order = ev.orderId !== null ? env.orders.get(st.exchange + "|" + ev.orderId) : undefined;
  const role = order?.order_role ?? null;
  if (ev.liq) {
    exitType = "LIQUIDATION";
    reason = "liquidation reported by the exchange";
  } else if (role === "TP1" || role === "TP2" || role === "TP3") {
    exitType = "TP";
    reason = `${role} order ${ev.orderId} filled` + (ev.closed ? "; position closed" : "; position still open");
  } else if (role === "SL") {
    exitType = "SL";
    reason = `SL order ${ev.orderId} filled` + (ev.closed ? "; position closed" : "; position still open");
  } else if (ev.closed) {
    exitType = "MANUAL";
    reason = "position closed";
  } else {
    exitType = "PARTIAL";
    reason = "partial exit; position still open";
  }
  let flags: string[] = NO_FLAGS;
  const fees_unconverted = ev.fx === null ? NO_FEES : fxList(ev.fx);
  if (fees_unconverted.length || ev.uq > 0n || ev.dq > 0n || ev.rebate || ev.baseFee || ev.liq) flags = [];
  if (fees_unconverted.length) flags.push("fees_unconverted");
  if (ev.uq > 0n) {
    flags.push("unknown_cost_basis");
    reason += `; ${fmtQ(ev.uq)} sold beyond known holdings (unknown cost basis)`;
  }
  if (ev.dq > 0n) {
    flags.push("dust");
    reason += `; dust ${fmtQ(ev.dq)} written off`;
  }
  if (ev.rebate) flags.push("rebate");
  if (ev.baseFee) flags.push("base_currency_fee");
  if (ev.liq) flags.push("liquidation");
  const lk = linked(env, st, ev.side, ev.entryOrderId, ev.entryTs, ev.ts);
  const [secs, isoDur] = duration(ev.ts - ev.entryTs);
  const exitQ = fmtQ(ev.q);
  const pct = pct8(net, ev.c);
  return {
    close_key: ev.key,
    position_key: ev.posKey,
    exchange: st.exchange,
    market_type: st.market_type,
    symbol: st.symbol,
    side: ev.side === 1 ? "LONG" : "SHORT",
    cost_method: env.method,
    entry_order_id: ev.entryOrderId,
    entry_price: fmtQ(divRound(ev.c, entryQ)),
    entry_time: ev.entryAt,
    entry_quantity: ev.dq === 0n ? exitQ : fmtQ(entryQ),
    entry_fees: fmtM(ev.ef),
    entry_cost: fmtM(ev.c),
    exit_order_id: ev.orderId,
    exit_price: fmtQ(divRound(ev.v, ev.q)),
    exit_time: canonIso(ev.exitAt, ev.ts),
    exit_quantity: exitQ,
    exit_fees: fmtM(ev.xf),
    exit_type: exitType,
    exit_reason: reason,
    gross_pnl: fmtM(gross),
    net_pnl: fmtM(net),
    funding: fmtM(ev.fu),
    pnl_percentage: pct,
    roi_percentage: ev.lev === E18 ? pct : pct8(net, ev.c, ev.lev),
    hold_duration_seconds: secs,
    hold_duration: isoDur,
    stop_loss_price: lk.sl,
    take_profit_prices: lk.tps,
    max_drawdown: ev.worst === null ? null : fmtM(ev.worst),
    leverage: levStr(ev.lev),
    margin_mode: ev.mm,
    fees_unconverted,
    unknown_cost_basis_quantity: fmtQ(ev.uq),
    unknown_cost_basis_proceeds: fmtM(ev.uv),
    unknown_cost_basis_fees: fmtM(ev.uf),
    dust_quantity: fmtQ(ev.dq),
    flags,
    first_trade_id: ev.first,
    last_trade_id: ev.last,
    fill_count: ev.n,
  };
}

function positionRow(st: Stream, p: Pos, env: Env): PositionRow {
  const open = p.closedTs === null;
  const lk = linked(env, st, p.side, p.entryOrderId, p.openedTs, open ? Infinity : p.closedTs!);
  return {
    position_key: p.key,
    exchange: st.exchange,
    market_type: st.market_type,
    symbol: st.symbol,
    side: p.side === 1 ? "LONG" : "SHORT",
    cost_method: env.method,
    entry_order_id: p.entryOrderId,
    entry_price: open ? fmtQ(divRound(p.c, p.q)) : fmtQ(divRound(p.entC, p.entQ)),
    quantity: fmtQ(p.q),
    leverage: levStr(p.lev),
    margin_mode: p.mm,
    total_cost: fmtM(p.c),
    open_entry_fees: fmtM(p.f),
    fees_paid: fmtM(p.fees),
    open_funding: fmtM(p.u),
    stop_loss_price: lk.sl,
    take_profit_prices: lk.tps,
    status: open ? "OPEN" : p.liq ? "LIQUIDATED" : "CLOSED",
    opened_at: p.openedAt,
    closed_at: open ? null : canonIso(p.closedAt, p.closedTs!),
    entry_quantity_total: fmtQ(p.entQ),
    entry_cost_total: fmtM(p.entC),
    realized_gross_pnl: fmtM(p.rGross),
    realized_net_pnl: fmtM(p.rNet),
    realized_funding: fmtM(p.rFund),
    closing_events: p.nEv + (st.ev && !st.ev.closed && st.ev.posKey === p.key ? 1 : 0),
    fees_unconverted: p.fxAll === null ? NO_FEES : fxList(p.fxAll),
    max_drawdown: p.worst === null ? null : fmtM(p.worst),
    last_trade_id: p.lastId,
  };
}

// ───────────────────────────── exact state snapshot (tests, reconciliation) ─────────────────

export interface OpenPositionExact {
  symbol: string;
  market_type: MarketType;
  exchange: ExchangeId;
  side: "LONG" | "SHORT";
  /** All unrounded: quantity (scale 18), cost, entry fees, accrued funding (scale 36). */
  quantity: string;
  cost: string;
  entry_fees: string;
  funding: string;
}

/** Per stream: the open position's exact values and the running totals (unrounded). */
export function streamTotals(state: PnlState): Array<{
  key: string;
  exchange: ExchangeId;
  market_type: MarketType;
  symbol: string;
  open: OpenPositionExact | null;
  open_quantity: string;
  unknown_cost_basis_quantity: string;
  dust_quantity: string;
  unassigned_funding: string;
}> {
  const out = [];
  for (const [key, s] of state.streams) {
    const p = s.pos;
    out.push({
      key,
      exchange: s.exchange,
      market_type: s.market_type,
      symbol: s.symbol,
      open: p
        ? {
          exchange: s.exchange,
          market_type: s.market_type,
          symbol: s.symbol,
          side: p.side === 1 ? "LONG" as const : "SHORT" as const,
          quantity: fmtQ(p.q),
          cost: fmtM36(p.c),
          entry_fees: fmtM36(p.f),
          funding: fmtM36(p.u),
        }
        : null,
      open_quantity: p ? fmtQ(p.side === 1 ? p.q : -p.q) : "0",
      unknown_cost_basis_quantity: fmtQ(s.unknownQ),
      dust_quantity: fmtQ(s.dustQ),
      unassigned_funding: fmtM(s.unassigned),
    });
  }
  return out;
}

// ───────────────────────────── JSON round trip ─────────────────────────────

const M = (v: bigint) => fmtM36(v);
const Q = (v: bigint) => fmtQ(v);
const fxJ = (fx: Record<string, bigint> | null) => fx === null ? null : Object.fromEntries(Object.entries(fx).map(([k, v]) => [k, M(v)]));
const fxP = (fx: unknown) =>
  fx == null ? null : Object.fromEntries(Object.entries(fx as Record<string, string>).map(([k, v]) => [k, parseM(v)]));
const tsJ = (t: number) => (t === -Infinity ? null : t);
const tsP = (t: unknown) => (t == null ? -Infinity : Number(t));

/**
 * State format 2: the readable name of each version-1 key of `position` and `open_event` (keys
 * not listed keep their name). Amounts as decimal strings: quantities at 18 decimals, money at 36.
 */
export const STATE_V2_KEYS = {
  position: {
    key: "position_key", q: "quantity", c: "cost", f: "entry_fees", u: "funding", fx: "fees_unconverted",
    entry_q: "entry_quantity_total", entry_c: "entry_cost_total", fees: "fees_paid", r_gross: "realized_gross_pnl",
    r_net: "realized_net_pnl", r_funding: "realized_funding", fx_all: "fees_unconverted_total",
    worst: "worst_unrealized_pnl", events: "closing_events", base_fee: "base_currency_fee",
  },
  lot: { q: "quantity", c: "cost", f: "entry_fees" },
  open_event: {
    key: "close_key", n: "fills", first: "first_trade_id", last: "last_trade_id", q: "quantity", v: "exit_value",
    c: "entry_cost", ef: "entry_fees", xf: "exit_fees", fu: "funding", fx: "fees_unconverted",
    uq: "unknown_cost_basis_quantity", uv: "unknown_cost_basis_value", uf: "unknown_cost_basis_fees",
    dq: "dust_quantity", liq: "liquidation", base_fee: "base_currency_fee", ts: "exit_ts",
    worst: "worst_unrealized_pnl",
  },
} as const;

type KeyMap = Readonly<Record<string, string>>;
const invert = (m: KeyMap): KeyMap => Object.fromEntries(Object.entries(m).map(([k, v]) => [v, k]));
const V1_KEYS = { position: invert(STATE_V2_KEYS.position), lot: invert(STATE_V2_KEYS.lot), open_event: invert(STATE_V2_KEYS.open_event) };

// deno-lint-ignore no-explicit-any
function renamed(o: any, m: KeyMap): any {
  if (o === null || o === undefined) return o;
  const out: Record<string, unknown> = {};
  for (const k in o) out[m[k] ?? k] = o[k];
  return out;
}

/** One stream's JSON in format `to` (1 or 2), from either format. */
// deno-lint-ignore no-explicit-any
function streamJsonAs(j: any, to: 1 | 2): any {
  const from = j.format === 2 ? 2 : 1;
  if (from === to) return j;
  const keys = to === 2 ? STATE_V2_KEYS : V1_KEYS;
  const { format: _format, ...rest } = j;
  const p = renamed(j.position, keys.position);
  // deno-lint-ignore no-explicit-any
  if (p && Array.isArray(p.lots)) p.lots = p.lots.map((l: any) => renamed(l, keys.lot));
  const out = { ...rest, position: p, open_event: renamed(j.open_event, keys.open_event) };
  return to === 2 ? { format: 2, ...out } : out;
}

function streamToJson(s: Stream): Record<string, unknown> {
  return streamJsonAs(streamToJsonV1(s), 2);
}

function streamToJsonV1(s: Stream): Record<string, unknown> {
  const p = s.pos, e = s.ev;
  return {
    exchange: s.exchange,
    market_type: s.market_type,
    symbol: s.symbol,
    base: s.base,
    quote: s.quote,
    cursor: { ts: tsJ(s.cTs), trade_id: s.cId },
    funding_cursor: { ts: tsJ(s.fTs), funding_id: s.fId },
    unknown_cost_basis_quantity: Q(s.unknownQ),
    dust_quantity: Q(s.dustQ),
    unassigned_funding: M(s.unassigned),
    position: p && {
      key: p.key,
      side: p.side,
      opened_ts: p.openedTs,
      opened_at: p.openedAt,
      entry_order_id: p.entryOrderId,
      q: Q(p.q),
      c: M(p.c),
      f: M(p.f),
      u: M(p.u),
      fx: fxJ(p.fx),
      lots: p.lots && p.lots.map((l) => ({ q: Q(l.q), c: M(l.c), f: M(l.f) })),
      entry_q: Q(p.entQ),
      entry_c: M(p.entC),
      fees: M(p.fees),
      r_gross: M(p.rGross),
      r_net: M(p.rNet),
      r_funding: M(p.rFund),
      fx_all: fxJ(p.fxAll),
      worst: p.worst === null ? null : M(p.worst),
      leverage: Q(p.lev),
      margin_mode: p.mm,
      events: p.nEv,
      liquidated: p.liq,
      rebate: p.rebate,
      base_fee: p.baseFee,
      last_trade_id: p.lastId,
    },
    open_event: e && {
      key: e.key,
      position_key: e.posKey,
      side: e.side,
      order_id: e.orderId,
      entry_order_id: e.entryOrderId,
      entry_ts: e.entryTs,
      entry_at: e.entryAt,
      leverage: Q(e.lev),
      margin_mode: e.mm,
      first: e.first,
      last: e.last,
      n: e.n,
      q: Q(e.q),
      v: M(e.v),
      c: M(e.c),
      ef: M(e.ef),
      xf: M(e.xf),
      fu: M(e.fu),
      fx: fxJ(e.fx),
      uq: Q(e.uq),
      uv: M(e.uv),
      uf: M(e.uf),
      dq: Q(e.dq),
      liq: e.liq,
      rebate: e.rebate,
      base_fee: e.baseFee,
      ts: e.ts,
      exit_at: e.exitAt,
      worst: e.worst === null ? null : M(e.worst),
    },
  };
}

// deno-lint-ignore no-explicit-any
function streamFromJson(json: any): Stream {
  const j = streamJsonAs(json, 1);
  const p = j.position, e = j.open_event;
  return {
    exchange: j.exchange,
    market_type: j.market_type,
    symbol: j.symbol,
    base: j.base,
    quote: j.quote,
    cTs: tsP(j.cursor?.ts),
    cId: j.cursor?.trade_id ?? "",
    fTs: tsP(j.funding_cursor?.ts),
    fId: j.funding_cursor?.funding_id ?? "",
    unknownQ: parseQ(j.unknown_cost_basis_quantity),
    dustQ: parseQ(j.dust_quantity),
    unassigned: parseM(j.unassigned_funding),
    pos: p
      ? {
        key: p.key,
        side: p.side,
        openedTs: p.opened_ts,
        openedAt: p.opened_at ?? new Date(p.opened_ts).toISOString(),
        entryOrderId: p.entry_order_id,
        q: parseQ(p.q),
        c: parseM(p.c),
        f: parseM(p.f),
        u: parseM(p.u),
        fx: fxP(p.fx),
        // deno-lint-ignore no-explicit-any
        lots: p.lots ? p.lots.map((l: any) => ({ q: parseQ(l.q), c: parseM(l.c), f: parseM(l.f) })) : null,
        entQ: parseQ(p.entry_q),
        entC: parseM(p.entry_c),
        fees: parseM(p.fees),
        rGross: parseM(p.r_gross),
        rNet: parseM(p.r_net),
        rFund: parseM(p.r_funding),
        fxAll: fxP(p.fx_all),
        worst: p.worst == null ? null : parseM(p.worst),
        lev: parseQ(p.leverage),
        mm: p.margin_mode,
        nEv: p.events,
        liq: p.liquidated,
        closedAt: "",
        rebate: p.rebate ?? false,
        baseFee: p.base_fee ?? false,
        closedTs: null,
        lastId: p.last_trade_id,
      }
      : null,
    ev: e
      ? {
        key: e.key,
        posKey: e.position_key,
        side: e.side,
        orderId: e.order_id,
        entryOrderId: e.entry_order_id,
        entryTs: e.entry_ts,
        entryAt: e.entry_at ?? new Date(e.entry_ts).toISOString(),
        lev: parseQ(e.leverage),
        mm: e.margin_mode,
        first: e.first,
        last: e.last,
        n: e.n,
        q: parseQ(e.q),
        v: parseM(e.v),
        c: parseM(e.c),
        ef: parseM(e.ef),
        xf: parseM(e.xf),
        fu: parseM(e.fu),
        fx: fxP(e.fx),
        uq: parseQ(e.uq),
        uv: parseM(e.uv),
        uf: parseM(e.uf),
        dq: parseQ(e.dq),
        liq: e.liq,
        rebate: e.rebate,
        baseFee: e.base_fee,
        ts: e.ts,
        exitAt: e.exit_at ?? new Date(e.ts).toISOString(),
        closed: false,
        worst: e.worst == null ? null : parseM(e.worst),
        dirty: false,
      }
      : null,
  };
}
