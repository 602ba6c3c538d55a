/**
 * Builds the demo input of the report, tests/fixtures/report/demo.json, from the sample account
 * (tests/fixtures/sample-account): its 29 closing events and 4 open positions as computed in
 * expected.json, entry times from the exports, and a daily equity curve 2026-05-01..2026-10-31
 * rebuilt from the transfers, the realized PnL and the daily closes in prices.csv (each closed
 * piece and each open position valued at the day's close while it is held).
 *
 *   npx tsx scripts/report/make-demo.ts
 *
 * Deterministic: same inputs → same file (generated_at is fixed).
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Dec } from "./format.ts";
import { parseReportData, type ReportDataInput } from "./types.ts";

type Decimal = InstanceType<typeof Dec>;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SAMPLE = join(ROOT, "tests/fixtures/sample-account");
const OUT = join(ROOT, "tests/fixtures/report/demo.json");

const FROM = "2026-05-01";
const TO = "2026-10-31";
/** Days before this one are "reconstructed"; from it on, daily snapshots exist. */
const SNAPSHOTS_FROM = "2026-09-01";

interface ExpectedEvent {
  stream: string;
  exit_type: "TP" | "SL" | "MANUAL" | "PARTIAL" | "LIQUIDATION";
  position_side: "LONG" | "SHORT";
  first_time: string;
  last_time: string;
  quantity: string;
  exit_price: string;
  gross: string;
  entry_fees: string;
  exit_fees: string;
  net: string;
  position_left: string;
}
interface ExpectedStream {
  open_quantity: string;
  open_side: "LONG" | "SHORT" | null;
  open_cost: string;
  open_entry_fees: string;
}

const expected = JSON.parse(readFileSync(join(SAMPLE, "expected.json"), "utf8")) as {
  total: { realized_gross_pnl: string; realized_net_pnl: string; fees_realized_usdt: string; fees_paid_usdt: string };
  streams: Record<string, ExpectedStream>;
  closing_events: ExpectedEvent[];
};

const q8 = (d: Decimal) => d.toDecimalPlaces(8, Dec.ROUND_HALF_EVEN).toFixed(8);
const iso = (t: string) => new Date(t.includes("T") ? t : `${t.replace(" ", "T")}Z`).toISOString().replace(".000Z", "Z");
const ms = (t: string) => Date.parse(t);

// ─── fill times per stream, from the exports ───
const fillTimes = new Map<string, number[]>();
function addFills(file: string, exchange: string, market: "spot" | "swap", symbolCol: number) {
  const lines = readFileSync(join(SAMPLE, file), "utf8").trim().split(/\r?\n/).slice(1);
  for (const line of lines) {
    const cols = line.split(",");
    const base = cols[symbolCol].replace(/USDT$/, "");
    const symbol = market === "spot" ? `${base}/USDT` : `${base}/USDT:USDT`;
    const key = `${exchange}|${market}|${symbol}`;
    const list = fillTimes.get(key) ?? [];
    list.push(ms(`${cols[0].replace(" ", "T")}Z`));
    fillTimes.set(key, list);
  }
}
addFills("binance-spot-trades.csv", "binance", "spot", 1);
addFills("binance-futures-trades.csv", "binance", "swap", 3);
addFills("bitget-spot-trades.csv", "bitget", "spot", 3);
addFills("bitget-futures-trades.csv", "bitget", "swap", 3);
for (const l of fillTimes.values()) l.sort((a, b) => a - b);

/** When the position held at `before` was opened: the first fill after the last time it was flat. */
function openedAt(stream: string, flatAt: number | null, before: number): number {
  const fills = fillTimes.get(stream) ?? [];
  const after = fills.filter((t) => (flatAt === null || t > flatAt) && t < before);
  // a reversal opens the new side on the closing fill itself: nothing strictly after the flat point
  return after.length ? after[0] : (flatAt ?? before);
}

// ─── daily closes ───
const closes = new Map<string, Decimal>(); // "2026-05-01|BTC" → close
for (const line of readFileSync(join(SAMPLE, "prices.csv"), "utf8").trim().split(/\r?\n/).slice(1)) {
  const [date, sym, close] = line.split(",");
  closes.set(`${date}|${sym.split("/")[0]}`, new Dec(close));
}
const baseOf = (symbol: string) => symbol.split("/")[0];
const close = (day: string, symbol: string) => {
  const c = closes.get(`${day}|${baseOf(symbol)}`);
  if (!c) throw new Error(`no close for ${symbol} on ${day}`);
  return c;
};

// ─── trades ───
interface Piece {
  sideSign: number;
  symbol: string;
  qty: Decimal;
  entry: Decimal;
  from: number;
  to: number | null;
}
const pieces: Piece[] = [];
const lastFlat = new Map<string, number | null>();
const trades = expected.closing_events.map((e) => {
  const [exchange, market, symbol] = e.stream.split("|") as [string, "spot" | "swap", string];
  const exitMs = ms(e.first_time);
  const entryMs = openedAt(e.stream, lastFlat.get(e.stream) ?? null, exitMs);
  const qty = new Dec(e.quantity);
  const sign = e.position_side === "LONG" ? 1 : -1;
  // gross = sign × (exit − entry) × qty  ⇒  entry = exit − gross / (sign × qty)
  const entry = new Dec(e.exit_price).minus(new Dec(e.gross).div(qty.times(sign)));
  const cost = entry.times(qty);
  if (new Dec(e.position_left).isZero()) lastFlat.set(e.stream, ms(e.last_time));
  pieces.push({ sideSign: sign, symbol, qty, entry, from: entryMs, to: ms(e.last_time) });
  return {
    exchange,
    market_type: market,
    symbol,
    side: e.position_side,
    entry_time: iso(new Date(entryMs).toISOString()),
    exit_time: iso(e.last_time),
    entry_price: q8(entry),
    exit_price: q8(new Dec(e.exit_price)),
    exit_quantity: q8(qty),
    gross_pnl: e.gross,
    net_pnl: e.net,
    entry_fees: e.entry_fees,
    exit_fees: e.exit_fees,
    exit_type: e.exit_type,
    pnl_percentage: cost.isZero() ? null : q8(new Dec(e.net).div(cost).times(100)),
    hold_duration_seconds: Math.round((ms(e.last_time) - entryMs) / 1000),
  };
});

// ─── open positions (valued at the last close) ───
const lastDay = TO;
const openFees: { from: number; fee: Decimal }[] = [];
const open_positions = Object.entries(expected.streams)
  .filter(([, s]) => s.open_side !== null)
  .map(([stream, s]) => {
    const [exchange, market, symbol] = stream.split("|") as [string, "spot" | "swap", string];
    const qty = new Dec(s.open_quantity);
    const entry = new Dec(s.open_cost).div(qty);
    const sign = s.open_side === "LONG" ? 1 : -1;
    const from = openedAt(stream, lastFlat.get(stream) ?? null, ms(`${TO}T23:59:59Z`));
    pieces.push({ sideSign: sign, symbol, qty, entry, from, to: null });
    openFees.push({ from, fee: new Dec(s.open_entry_fees) });
    const current = close(lastDay, symbol);
    return {
      exchange,
      market_type: market,
      symbol,
      side: s.open_side as "LONG" | "SHORT",
      quantity: q8(qty),
      entry_price: q8(entry),
      current_price: q8(current),
      unrealized_pnl: q8(current.minus(entry).times(qty).times(sign)),
      opened_at: iso(new Date(from).toISOString()),
    };
  });

// ─── daily equity curve ───
const flows = new Map<string, { amount: Decimal; fee: Decimal }>([
  ["2026-05-01", { amount: new Dec(25000), fee: new Dec(0) }],
  ["2026-07-01", { amount: new Dec(5000), fee: new Dec(0) }],
  ["2026-09-25", { amount: new Dec(-3000), fee: new Dec(1) }],
]);
const days: string[] = [];
for (let t = ms(`${FROM}T00:00:00Z`); t <= ms(`${TO}T00:00:00Z`); t += 86_400_000) {
  days.push(new Date(t).toISOString().slice(0, 10));
}

let cumFlows = new Dec(0);
let cumFees = new Dec(0);
let prevBalance = new Dec(0);
let index = new Dec(1);
const dailyReturns: { day: string; r: Decimal }[] = [];
const curve = days.map((day) => {
  const endOfDay = ms(`${day}T23:59:59.999Z`);
  const f = flows.get(day);
  const flow = f?.amount ?? new Dec(0);
  cumFlows = cumFlows.plus(flow);
  cumFees = cumFees.plus(f?.fee ?? 0);
  let realized = new Dec(0);
  for (const t of trades) if (ms(t.exit_time) <= endOfDay) realized = realized.plus(t.net_pnl);
  let unrealized = new Dec(0);
  for (const p of pieces) {
    if (p.from <= endOfDay && (p.to === null || p.to > endOfDay)) {
      unrealized = unrealized.plus(close(day, p.symbol).minus(p.entry).times(p.qty).times(p.sideSign));
    }
  }
  let unrealizedFees = new Dec(0);
  for (const o of openFees) if (o.from <= endOfDay) unrealizedFees = unrealizedFees.plus(o.fee);
  const balance = cumFlows.minus(cumFees).plus(realized).plus(unrealized).minus(unrealizedFees);
  // Modified Dietz per day, flows at the start of the day
  const base = prevBalance.plus(flow);
  const r = base.isZero() ? new Dec(0) : balance.minus(prevBalance).minus(flow).div(base);
  index = index.times(r.plus(1));
  if (!base.isZero()) dailyReturns.push({ day, r });
  prevBalance = balance;
  return {
    date: day,
    balance: q8(balance),
    realized_pnl: q8(realized),
    unrealized_pnl: q8(unrealized),
    net_flows: q8(flow),
    twr_index: index.toDecimalPlaces(10, Dec.ROUND_HALF_EVEN).toFixed(10),
    is_reconstructed: day < SNAPSHOTS_FROM,
  };
});

// ─── headline & metrics ───
function maxDrawdownPct(idx: Decimal[]): Decimal | null {
  if (idx.length < 2) return null;
  let peak = idx[0];
  let worst = new Dec(0);
  for (const v of idx) {
    if (v.gt(peak)) peak = v;
    const dd = peak.minus(v).div(peak);
    if (dd.gt(worst)) worst = dd;
  }
  return worst.times(100);
}
function sharpe(rs: Decimal[]): Decimal | null {
  if (rs.length < 2) return null;
  const n = rs.length;
  const mean = rs.reduce((a, b) => a.plus(b), new Dec(0)).div(n);
  const variance = rs.reduce((a, b) => a.plus(b.minus(mean).pow(2)), new Dec(0)).div(n - 1);
  if (variance.isZero()) return null;
  return mean.div(variance.sqrt()).times(new Dec(365).sqrt());
}
function stats(ts: typeof trades) {
  const wins = ts.filter((t) => new Dec(t.net_pnl).gt(0));
  const losses = ts.filter((t) => new Dec(t.net_pnl).lt(0));
  const won = wins.reduce((a, t) => a.plus(t.net_pnl), new Dec(0));
  const lost = losses.reduce((a, t) => a.plus(t.net_pnl), new Dec(0)).abs();
  const net = ts.reduce((a, t) => a.plus(t.net_pnl), new Dec(0));
  return {
    total_trades: ts.length,
    winners: wins.length,
    losers: losses.length,
    win_rate: ts.length ? q8(new Dec(wins.length).div(ts.length).times(100)) : null,
    total_net_pnl: q8(net),
    profit_factor: lost.isZero() ? null : q8(won.div(lost)),
  };
}
const round2 = (d: Decimal | null) => (d === null ? null : d.toDecimalPlaces(4, Dec.ROUND_HALF_EVEN).toFixed(4));

let peakAdj = new Dec(0);
let ddAmount = new Dec(0);
for (const p of curve) {
  const b = new Dec(p.balance);
  peakAdj = Dec.max(peakAdj.plus(p.net_flows), b);
  if (peakAdj.minus(b).gt(ddAmount)) ddAmount = peakAdj.minus(b);
}
const all = stats(trades);
const netDeposits = new Dec(25000 + 5000 - 3000);
const equityEnd = new Dec(curve[curve.length - 1].balance);
const headline = {
  realized_gross_pnl: expected.total.realized_gross_pnl,
  realized_net_pnl: expected.total.realized_net_pnl,
  fees: expected.total.fees_realized_usdt,
  fees_paid: expected.total.fees_paid_usdt,
  funding: "0.00000000",
  trades: all.total_trades,
  winners: all.winners,
  losers: all.losers,
  breakeven: all.total_trades - all.winners - all.losers,
  win_rate: all.win_rate,
  profit_factor: all.profit_factor,
  max_drawdown_pct: round2(maxDrawdownPct(curve.map((p) => new Dec(p.twr_index)))),
  max_drawdown_amount: q8(ddAmount),
  twr_pct: round2(index.minus(1).times(100)),
  // profit (equity change less net flows) over the capital put in (deposits)
  roi_pct: round2(equityEnd.minus(netDeposits).div(30000).times(100)),
  sharpe: round2(sharpe(dailyReturns.map((d) => d.r))),
  net_deposits: q8(netDeposits),
  equity_start: "0.00000000",
  equity_end: q8(equityEnd),
};

const months = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"];
const metrics = [
  {
    period_type: "ALL_TIME" as const,
    period_start: `${FROM}T00:00:00Z`,
    exchange: null,
    ...pick(all),
    max_drawdown: headline.max_drawdown_pct,
    sharpe_ratio: headline.sharpe,
  },
  ...["binance", "bitget"].map((ex) => ({
    period_type: "ALL_TIME" as const,
    period_start: `${FROM}T00:00:00Z`,
    exchange: ex,
    ...pick(stats(trades.filter((t) => t.exchange === ex))),
    max_drawdown: null,
    sharpe_ratio: null,
  })),
  ...months.map((m) => {
    const inMonth = curve.filter((p) => p.date.startsWith(m));
    const prev = curve.filter((p) => p.date < `${m}-01`).at(-1);
    const idx = [...(prev ? [prev] : []), ...inMonth].map((p) => new Dec(p.twr_index));
    return {
      period_type: "MONTHLY" as const,
      period_start: `${m}-01T00:00:00Z`,
      exchange: null,
      ...pick(stats(trades.filter((t) => t.exit_time.startsWith(m)))),
      max_drawdown: round2(maxDrawdownPct(idx)),
      sharpe_ratio: round2(sharpe(dailyReturns.filter((d) => d.day.startsWith(m)).map((d) => d.r))),
    };
  }),
];
function pick(s: ReturnType<typeof stats>) {
  return {
    total_trades: s.total_trades,
    win_rate: s.win_rate,
    total_net_pnl: s.total_net_pnl,
    profit_factor: s.profit_factor,
  };
}

const bySymbol = new Map<string, { symbol: string; exchange: string; net: Decimal; trades: number }>();
for (const t of trades) {
  const k = `${t.exchange}|${t.symbol}`;
  const cur = bySymbol.get(k) ?? { symbol: t.symbol, exchange: t.exchange, net: new Dec(0), trades: 0 };
  cur.net = cur.net.plus(t.net_pnl);
  cur.trades += 1;
  bySymbol.set(k, cur);
}
const pnl_by_symbol = [...bySymbol.values()]
  .sort((a, b) => b.net.cmp(a.net))
  .map((s) => ({ symbol: s.symbol, exchange: s.exchange, net_pnl: q8(s.net), trades: s.trades }));

const data: ReportDataInput = {
  generated_at: "2026-11-01T06:00:00Z",
  user: { email: "demo.trader@example.com" },
  period: { from: `${FROM}T00:00:00Z`, to: `${TO}T23:59:59Z` },
  exchanges: ["binance", "bitget"],
  headline,
  equity_curve: curve,
  trades: [...trades].sort((a, b) => a.exit_time.localeCompare(b.exit_time)),
  open_positions,
  metrics,
  pnl_by_symbol,
  notes: [
    "Demo data: the sample account in tests/fixtures/sample-account (Binance spot + USD-M futures, Bitget spot + USDT-M futures, 2026-05-01..2026-10-31).",
    `Days before ${SNAPSHOTS_FROM} are reconstructed from the imported exports and daily closes; later days come from stored snapshots.`,
    "Fees paid in BNB are converted to USDT at the daily close of BNB/USDT.",
    "Returns: daily time-weighted (deposits and withdrawals at the start of the day); Sharpe from daily returns, annualised with √365, risk-free rate 0.",
  ],
};

parseReportData(data); // the demo must satisfy the contract
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(data, null, 2)}\n`);
console.log(`wrote ${OUT}: ${trades.length} trades, ${open_positions.length} open positions, ${curve.length} days`);
console.log(headline);
