/**
 * The trader's HTML report: ONE self-contained file (inline CSS, chart.js inlined from
 * node_modules at render time, data inlined as JSON; no network access at all).
 *
 *   import { renderHtmlReport } from "./scripts/report/html.ts";
 *   writeFileSync("reports/report.html", renderHtmlReport(parseReportData(data)));
 *
 * Tables and cards format the decimal strings exactly (format.ts); the charts use Number().
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  DASH,
  Dec,
  dec,
  fmtDateTime,
  fmtDay,
  fmtDuration,
  fmtLongDay,
  fmtMoney,
  fmtPct,
  fmtPrice,
  fmtQty,
  fmtRatio,
  fmtSymbol,
  lastPeriods,
  negAbs,
  periodLabel,
  signOf,
  sumDec,
} from "./format.ts";
import type { MetricRow, OpenPositionRow, ReportData, TradeRow } from "./types.ts";

let chartJsCache: string | null = null;

/** The chart.js UMD bundle, read from node_modules (no CDN). */
export function chartJsSource(): string {
  if (chartJsCache === null) {
    const req = createRequire(import.meta.url);
    const main = req.resolve("chart.js"); // …/chart.js/dist/chart.cjs
    chartJsCache = readFileSync(join(dirname(main), "chart.umd.min.js"), "utf8");
  }
  return chartJsCache;
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** JSON safe to put inside <script>. */
function jsonForScript(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const cls = (s: string | null | undefined, dp = 2) => {
  const g = signOf(s, dp);
  return g < 0 ? "neg" : g > 0 ? "pos" : "";
};

/** A money amount as HTML, red when negative, green when positive (if `tone`). */
function money(s: string | null | undefined, opts: { signed?: boolean; unit?: boolean; tone?: boolean } = {}): string {
  if (s === null || s === undefined) return `<span class="na">${DASH}</span>`;
  const txt = fmtMoney(s, { signed: opts.signed });
  const c = signOf(s) < 0 ? "neg" : opts.tone !== false && opts.signed && signOf(s) > 0 ? "pos" : "";
  return `<span class="num ${c}">${txt}${opts.unit ? ' <span class="unit">USDT</span>' : ""}</span>`;
}

function pct(s: string | null | undefined, opts: { signed?: boolean } = {}): string {
  if (s === null || s === undefined) return `<span class="na">${DASH}</span>`;
  const c = signOf(s) < 0 ? "neg" : opts.signed && signOf(s) > 0 ? "pos" : "";
  return `<span class="num ${c}">${fmtPct(s, opts)}</span>`;
}

function ratio(s: string | null | undefined): string {
  if (s === null || s === undefined) return `<span class="na">${DASH}</span>`;
  return `<span class="num ${signOf(s) < 0 ? "neg" : ""}">${fmtRatio(s)}</span>`;
}

function sideBadge(side: string): string {
  return `<span class="badge ${side === "LONG" ? "long" : "short"}">${side}</span>`;
}

function exitBadge(t: string): string {
  return `<span class="badge x-${t.toLowerCase()}">${t}</span>`;
}


function symbolCell(symbol: string, market: string, exchange?: string): string {
  const v = exchange === undefined ? "" : `<span class="venue">${esc(exchange)} · ${market === "swap" ? "futures" : "spot"}</span>`;
  return `<span class="sym">${esc(fmtSymbol(symbol, market))}</span>${v}`;
}

// ───────────────────────────── chart payload ─────────────────────────────

interface ChartPayload {
  days: string[];
  balance: number[];
  peak: number[];
  reconstructed: boolean[];
  flows: (number | null)[];
  cumNet: number[];
  cumGross: number[];
  dailyNet: number[];
  counts: { winners: number; losers: number; breakeven: number; winRate: string };
  amounts: { won: number; lost: number; avgWin: number | null; avgLoss: number | null; bestWin: number | null; worstLoss: number | null };
  symbols: { label: string; value: number; trades: number }[];
}

function dayRange(fromIso: string, toIso: string): string[] {
  const out: string[] = [];
  const start = Date.parse(`${fmtDay(fromIso)}T00:00:00Z`);
  const end = Date.parse(`${fmtDay(toIso)}T00:00:00Z`);
  for (let t = start; t <= end && out.length < 5000; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

function chartPayload(data: ReportData): ChartPayload {
  const curve = data.equity_curve;
  const days = curve.length ? curve.map((p) => p.date) : dayRange(data.period.from, data.period.to);
  const balance = curve.map((p) => Number(p.balance));
  // drawdown reference: the running peak, moved by deposits and withdrawals (a withdrawal is not a loss)
  const peak: number[] = [];
  let pk = 0;
  curve.forEach((p, i) => {
    pk = i === 0 ? balance[0] : Math.max(pk + Number(p.net_flows), balance[i]);
    peak.push(pk);
  });
  // realized PnL per day, from the trades (exact sums, then Number for the chart)
  const byDay = new Map<string, { net: InstanceType<typeof Dec>; gross: InstanceType<typeof Dec> }>();
  for (const t of data.trades) {
    const d = fmtDay(t.exit_time);
    const cur = byDay.get(d) ?? { net: new Dec(0), gross: new Dec(0) };
    cur.net = cur.net.plus(t.net_pnl);
    cur.gross = cur.gross.plus(t.gross_pnl);
    byDay.set(d, cur);
  }
  let cn = new Dec(0);
  let cg = new Dec(0);
  const cumNet: number[] = [];
  const cumGross: number[] = [];
  const dailyNet: number[] = [];
  for (const d of days) {
    const v = byDay.get(d);
    if (v) {
      cn = cn.plus(v.net);
      cg = cg.plus(v.gross);
    }
    cumNet.push(cn.toNumber());
    cumGross.push(cg.toNumber());
    dailyNet.push(v ? v.net.toNumber() : 0);
  }
  const wins = data.trades.filter((t) => dec(t.net_pnl).gt(0)).map((t) => dec(t.net_pnl));
  const losses = data.trades.filter((t) => dec(t.net_pnl).lt(0)).map((t) => dec(t.net_pnl));
  const total = (xs: InstanceType<typeof Dec>[]) => xs.reduce((a, b) => a.plus(b), new Dec(0));
  return {
    days,
    balance,
    peak,
    reconstructed: curve.map((p) => p.is_reconstructed),
    flows: curve.map((p) => (dec(p.net_flows).isZero() ? null : Number(p.net_flows))),
    cumNet,
    cumGross,
    dailyNet,
    counts: {
      winners: data.headline.winners,
      losers: data.headline.losers,
      breakeven: data.headline.breakeven,
      winRate: fmtPct(data.headline.win_rate),
    },
    amounts: {
      won: total(wins).toNumber(),
      lost: total(losses).toNumber(),
      avgWin: wins.length ? total(wins).div(wins.length).toNumber() : null,
      avgLoss: losses.length ? total(losses).div(losses.length).toNumber() : null,
      bestWin: wins.length ? Dec.max(...wins).toNumber() : null,
      worstLoss: losses.length ? Dec.min(...losses).toNumber() : null,
    },
    symbols: [...data.pnl_by_symbol]
      .sort((a, b) => dec(b.net_pnl).cmp(dec(a.net_pnl)))
      .map((s) => ({ label: `${fmtSymbol(s.symbol)} · ${s.exchange}`, value: Number(s.net_pnl), trades: s.trades })),
  };
}

// ───────────────────────────── sections ─────────────────────────────

/** A headline card; `plain` (e.g. "+6,400.15 USDT") is also its tooltip and accessible label. */
function card(label: string, value: string, sub: string, plain: string, extra = ""): string {
  const t = esc(`${label}: ${plain}`);
  return `<div class="card ${extra}" title="${t}"><div class="label">${label}</div><div class="value" aria-label="${t}">${value}</div><div class="sub">${sub}</div></div>`;
}

function cards(data: ReportData): string {
  const h = data.headline;
  const unreal = data.open_positions.filter((p) => p.unrealized_pnl !== null).map((p) => p.unrealized_pnl as string);
  const dd = h.max_drawdown_pct === null ? null : negAbs(h.max_drawdown_pct);
  const ddAmt = h.max_drawdown_amount === null ? null : negAbs(h.max_drawdown_amount);
  const feesSub =
    `funding ${money(h.funding, { signed: true })}` +
    (h.fees_paid != null ? ` · paid incl. open positions ${money(h.fees_paid)}` : "");
  return `<section class="cards" aria-label="Headline numbers">
${card("Net realized PnL", money(h.realized_net_pnl, { signed: true, unit: true }), `gross ${money(h.realized_gross_pnl, { signed: true })} · ${h.trades} closed trades`, `${fmtMoney(h.realized_net_pnl, { signed: true })} USDT`)}
${card("Win rate", pct(h.win_rate), `<span class="pos">${h.winners} won</span> · <span class="neg">${h.losers} lost</span>${h.breakeven ? ` · ${h.breakeven} even` : ""}`, fmtPct(h.win_rate))}
${card("Profit factor", ratio(h.profit_factor), "won ÷ lost (net)", fmtRatio(h.profit_factor))}
${card("Max drawdown", pct(dd), ddAmt === null ? DASH : `${money(ddAmt, { unit: true })} from peak`, `${fmtPct(dd)}${ddAmt === null ? "" : ` (${fmtMoney(ddAmt)} USDT)`}`)}
${card("Time-weighted return", pct(h.twr_pct, { signed: true }), `ROI ${pct(h.roi_pct, { signed: true })} · Sharpe ${ratio(h.sharpe)}`, `${fmtPct(h.twr_pct, { signed: true })}, ROI ${fmtPct(h.roi_pct, { signed: true })}, Sharpe ${fmtRatio(h.sharpe)}`)}
${card("Fees", money(h.fees, { unit: true }), feesSub, `${fmtMoney(h.fees)} USDT`)}
${card("Equity", money(h.equity_end, { unit: true }), `start ${money(h.equity_start)} · net deposits ${money(h.net_deposits, { signed: true, tone: false })}`, `${fmtMoney(h.equity_end)} USDT`)}
${card("Open positions", `${data.open_positions.length}`, `unrealized ${unreal.length ? money(sumDec(unreal), { signed: true, unit: true }) : DASH}`, `${data.open_positions.length}, unrealized ${unreal.length ? `${fmtMoney(sumDec(unreal), { signed: true })} USDT` : DASH}`)}
</section>`;
}

function table(id: string, head: [string, string, string?][], rows: string[], foot = "", sortable = false): string {
  const ths = head
    .map(
      ([label, align, type], i) =>
        `<th class="${align}"${sortable ? ` data-col="${i}" data-type="${type ?? "text"}" tabindex="0" aria-sort="none"` : ""}>${label}</th>`,
    )
    .join("");
  return `<div class="table-wrap"><table id="${id}"${sortable ? ' class="sortable"' : ""}><thead><tr>${ths}</tr></thead><tbody>${rows.join("\n")}</tbody>${foot ? `<tfoot>${foot}</tfoot>` : ""}</table></div>`;
}

const td = (html: string, align = "", sortValue?: string) =>
  `<td class="${align}"${sortValue !== undefined ? ` data-v="${esc(sortValue)}"` : ""}>${html}</td>`;

function openPositionsSection(data: ReportData): string {
  if (!data.open_positions.length) {
    return `<section class="panel"><h2>Open positions</h2><p class="empty">No open positions at the end of the period.</p></section>`;
  }
  const asOf = Date.parse(data.generated_at);
  const rows = data.open_positions.map((p: OpenPositionRow) => {
    const cost = dec(p.entry_price).times(p.quantity);
    const upct = p.unrealized_pnl === null || cost.isZero() ? null : dec(p.unrealized_pnl).div(cost).times(100).toString();
    return `<tr>${td(symbolCell(p.symbol, p.market_type, p.exchange))}${td(money(p.unrealized_pnl, { signed: true }), "r")}${td(pct(upct, { signed: true }), "r")}${td(sideBadge(p.side))}${td(fmtQty(p.quantity), "r")}${td(fmtPrice(p.entry_price), "r")}${td(fmtPrice(p.current_price), "r")}${td(dateTimeCell(p.opened_at))}${td(fmtDuration((asOf - Date.parse(p.opened_at)) / 1000), "r")}</tr>`;
  });
  const unreal = data.open_positions.filter((p) => p.unrealized_pnl !== null).map((p) => p.unrealized_pnl as string);
  const foot = `<tr><td>Total</td>${td(money(unreal.length ? sumDec(unreal) : null, { signed: true }), "r")}<td colspan="7"></td></tr>`;
  return `<section class="panel"><h2>Open positions <span class="count">${data.open_positions.length}</span></h2>
<p class="hint">At the end of the period, valued at the last price (USDT). “Held” = since the position was opened.</p>
${table(
  "open-positions",
  [
    ["Symbol", ""],
    ['Unrealized <span class="unit">USDT</span>', "r"],
    ["Unrealized %", "r"],
    ["Side", ""],
    ["Quantity", "r"],
    ["Entry price", "r"],
    ["Last price", "r"],
    ["Opened (UTC)", ""],
    ["Held", "r"],
  ],
  rows,
  foot,
)}</section>`;
}

function dateTimeCell(iso: string): string {
  const [d, t] = fmtDateTime(iso).split(" ");
  return `<span class="dt">${d} <span class="tm">${t}</span></span>`;
}

function tradesSection(data: ReportData): string {
  if (!data.trades.length) {
    return `<section class="panel"><h2>Closed trades</h2><p class="empty">No closed trades in this period.</p></section>`;
  }
  const sorted = [...data.trades].sort((a, b) => Date.parse(b.exit_time) - Date.parse(a.exit_time));
  const rows = sorted.map((t: TradeRow) => {
    const fees = dec(t.entry_fees).plus(t.exit_fees).toString();
    return `<tr class="trade">${td(symbolCell(t.symbol, t.market_type, t.exchange), "", `${fmtSymbol(t.symbol, t.market_type)} ${t.exchange}`)}${td(dateTimeCell(t.exit_time), "", t.exit_time)}${td(money(t.net_pnl, { signed: true }), "r", t.net_pnl)}${td(pct(t.pnl_percentage, { signed: true }), "r", t.pnl_percentage ?? "")}${td(sideBadge(t.side), "", t.side)}${td(exitBadge(t.exit_type), "", t.exit_type)}${td(fmtQty(t.exit_quantity), "r", t.exit_quantity)}${td(fmtPrice(t.entry_price), "r", t.entry_price)}${td(fmtPrice(t.exit_price), "r", t.exit_price)}${td(money(t.gross_pnl, { signed: true }), "r", t.gross_pnl)}${td(money(fees), "r", fees)}<td class="r" data-v="${t.hold_duration_seconds}" title="opened ${esc(fmtDateTime(t.entry_time))} UTC">${fmtDuration(t.hold_duration_seconds)}</td></tr>`;
  });
  const gross = sumDec(data.trades.map((t) => t.gross_pnl));
  const net = sumDec(data.trades.map((t) => t.net_pnl));
  const fees = sumDec(data.trades.flatMap((t) => [t.entry_fees, t.exit_fees]));
  const foot = `<tr><td colspan="2">Total · ${data.trades.length} trades</td>${td(money(net, { signed: true }), "r")}<td colspan="6"></td>${td(money(gross, { signed: true }), "r")}${td(money(fees), "r")}<td></td></tr>`;
  return `<section class="panel"><h2>Closed trades <span class="count">${data.trades.length}</span></h2>
<p class="hint">Newest first; click a column header to sort. PnL and fees in USDT (fees = entry share + exit), times in UTC, “Held” = from the position's opening to this exit.</p>
${table(
  "trades",
  [
    ["Symbol", "", "text"],
    ["Closed (UTC)", "", "text"],
    ["Net PnL", "r", "num"],
    ["PnL %", "r", "num"],
    ["Side", "", "text"],
    ["Exit", "", "text"],
    ["Quantity", "r", "num"],
    ["Entry price", "r", "num"],
    ["Exit price", "r", "num"],
    ["Gross PnL", "r", "num"],
    ["Fees", "r", "num"],
    ["Held", "r", "num"],
  ],
  rows,
  foot,
  true,
)}</section>`;
}

const PERIOD_ORDER = ["ALL_TIME", "MONTHLY", "WEEKLY", "DAILY"] as const;
const PERIOD_TITLE: Record<string, string> = { ALL_TIME: "All time", MONTHLY: "Monthly", WEEKLY: "Weekly", DAILY: "Daily" };
/** At most this many periods per period type in the HTML table (the most recent ones). */
const HTML_PERIOD_LIMIT: Record<string, number> = { ALL_TIME: 1000, MONTHLY: 60, WEEKLY: 26, DAILY: 31 };

function metricsSection(data: ReportData): string {
  if (!data.metrics.length) {
    return `<section class="panel"><h2>Performance by period</h2><p class="empty">No metrics computed.</p></section>`;
  }
  const rows: string[] = [];
  for (const pt of PERIOD_ORDER) {
    const limited = lastPeriods(
      data.metrics.filter((m) => m.period_type === pt),
      HTML_PERIOD_LIMIT[pt],
    );
    const group = limited.rows.sort(
      (a, b) => Date.parse(a.period_start) - Date.parse(b.period_start) || (a.exchange ?? "").localeCompare(b.exchange ?? ""),
    );
    if (!group.length) continue;
    const more = limited.omitted ? ` <span class="muted">· last ${HTML_PERIOD_LIMIT[pt]} (${limited.omitted} earlier not shown)</span>` : "";
    rows.push(`<tr class="group"><th colspan="7" scope="rowgroup">${PERIOD_TITLE[pt]}${more}</th></tr>`);
    for (const m of group as MetricRow[]) {
      const who = `<span class="venue">${m.exchange === null ? "all exchanges" : esc(m.exchange)}</span>`;
      rows.push(
        `<tr>${td(`<span class="sym">${esc(periodLabel(m.period_type, m.period_start))}</span>${who}`)}${td(money(m.total_net_pnl, { signed: true }), "r")}${td(String(m.total_trades), "r")}${td(pct(m.win_rate), "r")}${td(ratio(m.profit_factor), "r")}${td(m.max_drawdown === null ? `<span class="na">${DASH}</span>` : pct(negAbs(m.max_drawdown)), "r")}${td(ratio(m.sharpe_ratio), "r")}</tr>`,
      );
    }
  }
  return `<section class="panel"><h2>Performance by period</h2>
<p class="hint">Closed trades by the period of their exit. Max drawdown: largest decline from a peak of the time-weighted equity; “—” = not computed.</p>
${table(
  "metrics",
  [
    ["Period", ""],
    ['Net PnL <span class="unit">USDT</span>', "r"],
    ["Trades", "r"],
    ["Win rate", "r"],
    ["Profit factor", "r"],
    ["Max drawdown", "r"],
    ["Sharpe", "r"],
  ],
  rows,
)}</section>`;
}

function chartPanel(id: string, title: string, caption: string, extraClass = ""): string {
  return `<section class="panel chart-panel ${extraClass}"><h2>${title}</h2><div class="chart-box" id="${id}-box"><canvas id="${id}" role="img" aria-label="${esc(title)}"></canvas></div><p class="caption">${caption}</p></section>`;
}

// ───────────────────────────── page ─────────────────────────────

export function renderHtmlReport(data: ReportData): string {
  const payload = chartPayload(data);
  const h = data.headline;
  const title = `Trading report · ${fmtLongDay(data.period.from)} – ${fmtLongDay(data.period.to)}`;
  const reconstructedDays = data.equity_curve.filter((p) => p.is_reconstructed).length;
  const equityCaption =
    `Total equity at each day's close (cash and positions at market, USDT). Red area: drawdown below the running peak (the peak moves with deposits and withdrawals). Triangles: deposits (▲) and withdrawals (▼).` +
    (reconstructedDays
      ? ` Grey band and dashed line: ${reconstructedDays} day${reconstructedDays === 1 ? "" : "s"} reconstructed from imported history (no stored snapshot).`
      : "");
  const body = `
<header class="top">
  <div>
    <h1>Trading performance</h1>
    <p class="meta"><span>${esc(data.user.email)}</span><span>${esc(fmtLongDay(data.period.from))} – ${esc(fmtLongDay(data.period.to))} (UTC)</span><span>${data.exchanges.map((e) => `<span class="chip">${esc(e)}</span>`).join(" ")}</span></p>
  </div>
  <p class="generated">Generated ${esc(fmtDateTime(data.generated_at))} UTC<br>All amounts in USDT</p>
</header>
${cards(data)}
${chartPanel("equity", "Equity curve", equityCaption, "tall")}
${chartPanel("cumpnl", "Cumulative realized PnL", `Running total of closed trades' PnL (USDT); bars: net PnL realized that day. Net = gross − fees${dec(h.funding).isZero() ? "" : " + funding"}.`)}
<div class="grid2">
${chartPanel("winloss-count", "Winning vs losing trades", `${h.winners} winners, ${h.losers} losers${h.breakeven ? `, ${h.breakeven} break-even` : ""} out of ${h.trades} closed trades (by net PnL).`, "short")}
${chartPanel("winloss-amount", "Won vs lost (USDT)", "Sum, average and largest net PnL of winning and losing trades.", "short")}
</div>
<section class="panel chart-panel"><h2>PnL by symbol</h2><div class="chart-box sym-box" style="--rows:${Math.max(3, payload.symbols.length)}"><canvas id="symbols" role="img" aria-label="Net PnL by symbol"></canvas></div><p class="caption">Net realized PnL per symbol and exchange (USDT), best first. “perp” = USDT-margined perpetual futures.</p></section>
${openPositionsSection(data)}
${tradesSection(data)}
${metricsSection(data)}
${data.notes.length ? `<section class="panel notes"><h2>Notes</h2><ul>${data.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul></section>` : ""}
<footer>Self-contained report: no network access; charts drawn with Chart.js (MIT), inlined.</footer>`;

  const chartJs = chartJsSource().replace(/<\/script/gi, "<\\/script");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
<script>${chartJs}</script>
<script id="report-data" type="application/json">${jsonForScript({ charts: payload })}</script>
<script>${CLIENT_JS}</script>
</body>
</html>
`;
}

const CSS = `
:root{--bg:#f1f5f9;--panel:#fff;--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--pos:#15803d;--neg:#c81e1e;--accent:#2563eb}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1240px;margin:0 auto;padding:24px}
.num,td.r,.value{font-variant-numeric:tabular-nums}
.pos{color:var(--pos)}.neg{color:var(--neg)}.na{color:var(--muted)}
.muted{color:var(--muted)}
.unit{font-size:.72em;font-weight:500;color:var(--muted);letter-spacing:.02em}
header.top{display:flex;justify-content:space-between;align-items:flex-end;gap:16px;flex-wrap:wrap;margin-bottom:18px}
h1{font-size:26px;margin:0 0 4px;letter-spacing:-.01em}
.meta{margin:0;color:var(--muted);display:flex;flex-wrap:wrap;gap:6px 16px;align-items:center}
.chip{display:inline-block;background:#e0e7ff;color:#3730a3;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600}
.generated{margin:0;color:var(--muted);font-size:12px;text-align:right}
.cards{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:12px;margin-bottom:16px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:12px;padding:14px 16px;min-width:0}
.card .label{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);font-weight:600}
.card .value{font-size:26px;font-weight:700;margin:4px 0 2px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.card .sub{font-size:12.5px;color:var(--muted)}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:12px;padding:16px 18px;margin-bottom:16px;min-width:0}
.panel h2{font-size:17px;margin:0 0 10px}
.count{display:inline-block;min-width:22px;text-align:center;background:#f1f5f9;color:var(--muted);border-radius:999px;font-size:12px;padding:1px 7px;vertical-align:2px;margin-left:4px}
.chart-box{position:relative;height:300px;width:100%}
.tall .chart-box{height:380px}
.short .chart-box{height:280px}
.chart-box.sym-box{height:calc(var(--rows) * 30px + 70px)}
.caption,.hint{color:var(--muted);font-size:12.5px;margin:8px 0 0}
.hint{margin:-4px 0 8px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.grid2 .panel{margin-bottom:16px}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:7px 10px;text-align:left;white-space:nowrap;border-bottom:1px solid var(--line)}
thead th{background:#f8fafc;color:#334155;font-weight:600;font-size:12px;position:sticky;top:0}
th.r,td.r{text-align:right}
tbody tr:nth-child(even){background:#fbfcfe}
tbody tr:hover{background:#eff6ff}
tfoot td{font-weight:600;background:#f8fafc;border-top:2px solid var(--line);border-bottom:none}
tr.group th{background:#eef2f7;color:#334155;font-size:12px;text-transform:uppercase;letter-spacing:.05em}
table.sortable thead th{cursor:pointer;user-select:none}
table.sortable thead th::after{content:"↕";color:#cbd5e1;margin-left:4px;font-size:11px}
table.sortable thead th[aria-sort=ascending]::after{content:"▲";color:var(--accent)}
table.sortable thead th[aria-sort=descending]::after{content:"▼";color:var(--accent)}
.sym{font-weight:600;display:block}
.venue{display:block;font-size:11px;color:var(--muted);line-height:1.2;font-weight:400}
.dt{white-space:nowrap}
.badge{display:inline-block;font-size:11px;font-weight:700;border-radius:5px;padding:1px 6px;letter-spacing:.03em}
.badge.long{background:#dbeafe;color:#1e40af}.badge.short{background:#fce7f3;color:#9d174d}
.badge.x-tp{background:#dcfce7;color:#166534}.badge.x-sl{background:#fee2e2;color:#991b1b}
.badge.x-manual{background:#f1f5f9;color:#334155}.badge.x-partial{background:#fef9c3;color:#854d0e}
.badge.x-liquidation{background:#7f1d1d;color:#fff}
.empty{color:var(--muted);margin:0}
.notes ul{margin:0;padding-left:18px;color:#334155}
.notes li{margin:2px 0}
footer{color:var(--muted);font-size:12px;text-align:center;margin:8px 0 24px}
@media (max-width:1000px){.cards{grid-template-columns:repeat(2,minmax(0,1fr))}}
@media (max-width:800px){.grid2{grid-template-columns:1fr;gap:0}}
@media (max-width:600px){
  main{padding:12px 10px}
  h1{font-size:21px}
  header.top{margin-bottom:12px}
  .generated{text-align:left}
  .cards{gap:8px}
  .card{padding:10px 12px}
  .card .value{font-size:19px}
  .card .sub{font-size:11.5px}
  .panel{padding:12px;border-radius:10px;margin-bottom:12px}
  .panel h2{font-size:15px}
  .chart-box{height:290px}
  .tall .chart-box{height:340px}
  .short .chart-box{height:240px}
  .chart-box.sym-box{height:calc(var(--rows) * 40px + 70px)}
  table{font-size:12px}
  th,td{padding:6px 7px}
  .dt .tm{display:block;color:var(--muted);font-size:11px}
  .table-wrap tbody td:first-child,.table-wrap thead th:first-child,.table-wrap tfoot td:first-child{position:sticky;left:0;z-index:1;background:#fff;box-shadow:1px 0 0 var(--line)}
  .table-wrap thead th:first-child,.table-wrap tfoot td:first-child{background:#f8fafc;z-index:2}
  .table-wrap tbody tr:nth-child(even) td:first-child{background:#fbfcfe}
}
`;

/** Browser-side: builds the charts from #report-data, makes the trade table sortable. */
const CLIENT_JS = String.raw`
(function(){
"use strict";
var D = JSON.parse(document.getElementById("report-data").textContent).charts;
if (typeof Chart === "undefined") return;
Chart.defaults.animation = false;
Chart.defaults.responsive = true;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = 'system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = "#475569";
Chart.defaults.plugins.legend.labels.boxWidth = 14;
Chart.defaults.plugins.legend.labels.boxHeight = 10;
var GREEN = "#16a34a", RED = "#dc2626", BLUE = "#2563eb", GREY = "#94a3b8";
var nf2 = new Intl.NumberFormat("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2});
var nf0 = new Intl.NumberFormat("en-US", {maximumFractionDigits: 0});
var nfc = new Intl.NumberFormat("en-US", {notation: "compact", maximumFractionDigits: 1});
var MONTHS = ["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"];
function signed(v){ return (v > 0 ? "+" : "") + nf2.format(v); }
function usdt(v){ return signed(v) + " USDT"; }
function narrow(chart){ return chart.width < 560; }
// on narrow charts every tick of an axis reaching 10,000 is compact (8K, 10K), never a mix
function yTick(v){
  var s = this, big = Math.max(Math.abs(s.max || 0), Math.abs(s.min || 0)) >= 10000;
  return narrow(s.chart) && big ? nfc.format(v) : nf0.format(v);
}
function dayLabel(d){ return Number(d.slice(8,10)) + " " + MONTHS[Number(d.slice(5,7)) - 1]; }
function longDay(d){ return dayLabel(d) + " " + d.slice(0,4); }
// x ticks on a daily category axis: month starts (and the 15th when there is room)
function dateTicks(days){
  return {
    autoSkip: false, maxRotation: 0, minRotation: 0,
    callback: function(value, index){
      var d = days[index]; if (!d) return "";
      var dd = Number(d.slice(8,10));
      var wide = !narrow(this.chart);
      var span = days.length;
      if (span <= 45) { return (index % Math.ceil(span / (wide ? 10 : 5)) === 0) ? dayLabel(d) : ""; }
      if (dd === 1) return wide ? dayLabel(d) : MONTHS[Number(d.slice(5,7)) - 1];
      if (wide && dd === 15 && span <= 240) return dayLabel(d);
      return "";
    }
  };
}
function xAxis(days){
  return { ticks: dateTicks(days), grid: { display: false }, title: { display: true, text: "Date (UTC)", color: "#334155", font: {weight: "600"} } };
}
function yAxis(text, extra){
  var a = { ticks: { callback: yTick }, grid: { color: "#eef2f7" }, title: { display: true, text: text, color: "#334155", font: {weight: "600"} } };
  for (var k in (extra || {})) a[k] = extra[k];
  return a;
}
var tooltipBase = { mode: "index", intersect: false };

// shaded bands behind the data for reconstructed days
var bands = {
  id: "bands",
  beforeDatasetsDraw: function(chart, args, opts){
    var flags = opts && opts.flags; if (!flags || !flags.length) return;
    var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx, n = flags.length;
    var step = n > 1 ? (x.getPixelForValue(1) - x.getPixelForValue(0)) : area.right - area.left;
    var i = 0;
    while (i < n) {
      if (!flags[i]) { i++; continue; }
      var j = i; while (j + 1 < n && flags[j + 1]) j++;
      var x0 = Math.max(area.left, x.getPixelForValue(i) - step / 2), x1 = Math.min(area.right, x.getPixelForValue(j) + step / 2);
      ctx.save();
      ctx.fillStyle = "rgba(100,116,139,0.10)";
      ctx.fillRect(x0, area.top, x1 - x0, area.bottom - area.top);
      if (x1 - x0 > 110) {
        ctx.fillStyle = "#64748b"; ctx.font = "600 11px system-ui,sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "top";
        ctx.fillText("Reconstructed", x0 + 6, area.top + 5);
      }
      ctx.restore();
      i = j + 1;
    }
  }
};
// value labels at the end of bars (datasets with valueLabels: true)
var valueLabels = {
  id: "valueLabels",
  afterDatasetsDraw: function(chart){
    var ctx = chart.ctx, horizontal = chart.options.indexAxis === "y";
    chart.data.datasets.forEach(function(ds, di){
      if (!ds.valueLabels) return;
      var meta = chart.getDatasetMeta(di); if (meta.hidden) return;
      meta.data.forEach(function(el, i){
        var v = ds.data[i]; if (v === null || v === undefined) return;
        ctx.save();
        ctx.font = "600 11px system-ui,sans-serif";
        ctx.fillStyle = v < 0 ? "#b91c1c" : "#166534";
        var txt = signed(v), w = ctx.measureText(txt).width, area = chart.chartArea;
        if (horizontal) {
          ctx.textBaseline = "middle";
          var len = Math.abs(el.x - el.base), dir = v < 0 ? -1 : 1;
          if (v < 0 ? el.x - 5 - w >= area.left : el.x + 5 + w <= area.right) {
            ctx.textAlign = v < 0 ? "right" : "left"; ctx.fillText(txt, el.x + 5 * dir, el.y);       // past the bar's end
          } else if (len >= w + 10) {
            ctx.fillStyle = "#fff"; ctx.textAlign = v < 0 ? "left" : "right"; ctx.fillText(txt, el.x - 5 * dir, el.y); // inside
          } else {
            ctx.textAlign = v < 0 ? "left" : "right"; ctx.fillText(txt, el.base - 5 * dir, el.y);    // other side of zero
          }
        } else {
          ctx.textAlign = "center";
          var x = Math.min(Math.max(el.x, area.left + w / 2 + 1), area.right - w / 2 - 1);
          ctx.textBaseline = v < 0 ? "top" : "bottom";
          ctx.fillText(txt, x, el.y + (v < 0 ? 4 : -4));
        }
        ctx.restore();
      });
    });
  }
};
// amount labels next to deposit / withdrawal markers
var flowLabels = {
  id: "flowLabels",
  afterDatasetsDraw: function(chart, args, opts){
    if (!opts || !opts.dataset) return;
    var di = chart.data.datasets.findIndex(function(d){ return d.id === opts.dataset; });
    if (di < 0) return;
    var meta = chart.getDatasetMeta(di); if (meta.hidden) return;
    var area = chart.chartArea, ctx = chart.ctx;
    meta.data.forEach(function(el, i){
      var f = opts.flows[i]; if (f === null || f === undefined) return;
      var txt = (f > 0 ? "+" : "−") + (narrow(chart) ? nfc.format(Math.abs(f)) : nf0.format(Math.abs(f)));
      ctx.save();
      ctx.font = "600 11px system-ui,sans-serif";
      var w = ctx.measureText(txt).width;
      var x = Math.min(Math.max(el.x, area.left + w / 2 + 2), area.right - w / 2 - 2);
      var below = f < 0;
      var y = below ? el.y + 12 : el.y - 12;
      if (y - 8 < area.top) y = el.y + 12;
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fillRect(x - w / 2 - 3, y - 8, w + 6, 16);
      ctx.fillStyle = f > 0 ? "#166534" : "#b91c1c";
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.fillText(txt, x, y);
      ctx.restore();
    });
  }
};

function byId(id){ return document.getElementById(id); }
// legend above the plot on wide screens, below it (left-aligned) on phones, so the plot keeps its height
function legendPos(id){ var small = byId(id).parentNode.clientWidth < 560; return { position: small ? "bottom" : "top", align: small ? "start" : "end" }; }
function noData(id, msg){ var box = byId(id + "-box") || byId(id).parentNode; box.innerHTML = '<p class="empty">' + msg + '</p>'; box.style.height = "auto"; }

// ── equity curve ──
(function(){
  if (!D.balance.length) { noData("equity", "No equity data for this period."); return; }
  var rec = D.reconstructed;
  var flowPts = D.flows.map(function(f, i){ return f === null ? null : D.balance[i]; });
  new Chart(byId("equity"), {
    type: "line",
    data: { labels: D.days, datasets: [
      { label: "Equity", data: D.balance, borderColor: BLUE, backgroundColor: BLUE, borderWidth: 2, pointRadius: 0, tension: 0,
        segment: { borderDash: function(c){ return rec[c.p1DataIndex] ? [5, 4] : undefined; } } },
      { label: "Reconstructed days", data: [], borderColor: BLUE, borderDash: [5, 4], borderWidth: 2, backgroundColor: "rgba(100,116,139,0.16)" },
      { label: "Drawdown from peak", data: D.peak, borderColor: "rgba(220,38,38,0.45)", borderWidth: 1, borderDash: [2, 3], pointRadius: 0,
        backgroundColor: "rgba(220,38,38,0.22)", fill: 0, tension: 0 },
      { id: "flows", label: "Deposit / withdrawal", data: flowPts, showLine: false, pointStyle: "triangle",
        pointRadius: D.flows.map(function(f){ return f === null ? 0 : 7; }),
        pointRotation: D.flows.map(function(f){ return f !== null && f < 0 ? 180 : 0; }),
        pointBackgroundColor: D.flows.map(function(f){ return f !== null && f < 0 ? RED : GREEN; }),
        pointBorderColor: "#fff", backgroundColor: GREEN, borderColor: GREEN }
    ]},
    options: {
      interaction: tooltipBase,
      scales: { x: xAxis(D.days), y: yAxis("Equity (USDT)", { grace: "4%" }) },
      plugins: {
        bands: { flags: rec },
        flowLabels: { dataset: "flows", flows: D.flows },
        legend: { position: legendPos("equity").position, align: legendPos("equity").align, labels: { filter: function(item){ return item.datasetIndex !== 1 || rec.some(Boolean); } } },
        tooltip: { callbacks: {
          title: function(items){ var i = items[0].dataIndex; return longDay(D.days[i]) + (rec[i] ? " (reconstructed)" : ""); },
          label: function(c){
            var i = c.dataIndex;
            if (c.datasetIndex === 0) return "Equity: " + nf2.format(c.parsed.y) + " USDT";
            if (c.datasetIndex === 2) { var dd = D.peak[i] - D.balance[i]; return "Below peak: " + (dd > 0 ? "−" + nf2.format(dd) : "0.00") + " USDT"; }
            return D.flows[i] === null ? null : (D.flows[i] > 0 ? "Deposit: " : "Withdrawal: ") + nf2.format(Math.abs(D.flows[i])) + " USDT";
          } } }
      }
    },
    plugins: [bands, flowLabels]
  });
})();

// ── cumulative realized PnL ──
(function(){
  new Chart(byId("cumpnl"), {
    data: { labels: D.days, datasets: [
      { type: "line", label: "Cumulative net PnL", data: D.cumNet, borderColor: "#047857", borderWidth: 2, pointRadius: 0, stepped: true,
        fill: { target: "origin", above: "rgba(22,163,74,0.12)", below: "rgba(220,38,38,0.15)" }, order: 1 },
      { type: "line", label: "Cumulative gross PnL", data: D.cumGross, borderColor: GREY, borderWidth: 1.5, borderDash: [4, 3], pointRadius: 0, stepped: true, fill: false, order: 2 },
      { type: "bar", label: "Net PnL of the day", data: D.dailyNet.map(function(v){ return v === 0 ? null : v; }),
        backgroundColor: D.dailyNet.map(function(v){ return v < 0 ? RED : GREEN; }), barPercentage: 1, categoryPercentage: 1, maxBarThickness: 6, minBarLength: 2, order: 0 }
    ]},
    options: {
      interaction: tooltipBase,
      scales: { x: xAxis(D.days), y: yAxis("PnL (USDT)", { grace: "5%" }) },
      plugins: {
        legend: legendPos("cumpnl"),
        tooltip: { callbacks: {
          title: function(items){ return longDay(D.days[items[0].dataIndex]); },
          label: function(c){ return c.parsed.y === null ? null : c.dataset.label + ": " + usdt(c.parsed.y); } } }
      }
    }
  });
})();

// ── win / loss ──
(function(){
  var c = D.counts, total = c.winners + c.losers + c.breakeven;
  if (!total) { noData("winloss-count", "No closed trades."); noData("winloss-amount", "No closed trades."); return; }
  function share(n){ return total ? " — " + (100 * n / total).toFixed(1) + "%" : ""; }
  var labels = ["Winners: " + c.winners + share(c.winners), "Losers: " + c.losers + share(c.losers)];
  var values = [c.winners, c.losers], colors = [GREEN, RED];
  if (c.breakeven) { labels.push("Break-even: " + c.breakeven + share(c.breakeven)); values.push(c.breakeven); colors.push(GREY); }
  var center = {
    id: "center",
    afterDraw: function(chart){
      var m = chart.getDatasetMeta(0).data[0]; if (!m) return;
      var ctx = chart.ctx; ctx.save();
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.fillStyle = "#0f172a"; ctx.font = "700 20px system-ui,sans-serif";
      ctx.fillText(c.winRate, m.x, m.y - 8);
      ctx.fillStyle = "#64748b"; ctx.font = "12px system-ui,sans-serif";
      ctx.fillText("win rate", m.x, m.y + 12);
      ctx.restore();
    }
  };
  new Chart(byId("winloss-count"), {
    type: "doughnut",
    data: { labels: labels, datasets: [{ data: values, backgroundColor: colors, borderColor: "#fff", borderWidth: 2 }] },
    options: { cutout: "62%", plugins: { legend: { position: "bottom" },
      tooltip: { callbacks: { label: function(ctx){ return ctx.label; } } } } },
    plugins: [center]
  });
  var a = D.amounts;
  new Chart(byId("winloss-amount"), {
    type: "bar",
    data: { labels: ["Total", "Average", "Largest"], datasets: [
      { label: "Winning trades", data: [a.won, a.avgWin, a.bestWin], backgroundColor: GREEN, valueLabels: true },
      { label: "Losing trades", data: [a.lost, a.avgLoss, a.worstLoss], backgroundColor: RED, valueLabels: true }
    ]},
    options: {
      scales: { x: { grid: { display: false } }, y: yAxis("Net PnL (USDT)", { grace: "12%" }) },
      plugins: { legend: { position: "bottom" }, tooltip: { callbacks: { label: function(c){ return c.parsed.y === null ? null : c.dataset.label + ": " + usdt(c.parsed.y); } } } }
    },
    plugins: [valueLabels]
  });
})();

// ── PnL by symbol ──
(function(){
  var s = D.symbols;
  if (!s.length) { noData("symbols", "No closed trades."); return; }
  var small = byId("symbols").parentNode.clientWidth < 560;
  new Chart(byId("symbols"), {
    type: "bar",
    data: { labels: s.map(function(x){ return small ? x.label.split(" · ") : x.label; }), datasets: [
      { label: "Net PnL", data: s.map(function(x){ return x.value; }), backgroundColor: s.map(function(x){ return x.value < 0 ? RED : GREEN; }),
        valueLabels: true, barPercentage: 0.8, categoryPercentage: 0.9, maxBarThickness: 22 }
    ]},
    options: {
      indexAxis: "y",
      scales: {
        x: { grace: "18%", ticks: { callback: yTick }, grid: { color: "#eef2f7" }, title: { display: true, text: "Net realized PnL (USDT)", color: "#334155", font: {weight: "600"} } },
        y: { grid: { display: false }, ticks: { color: "#0f172a" } }
      },
      plugins: { legend: { display: false },
        tooltip: { callbacks: { label: function(c){ var x = s[c.dataIndex]; return usdt(x.value) + " over " + x.trades + " trade" + (x.trades === 1 ? "" : "s"); } } } }
    },
    plugins: [valueLabels]
  });
})();

// ── sortable tables ──
Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function(table){
  var ths = table.querySelectorAll("thead th");
  Array.prototype.forEach.call(ths, function(th){
    function sort(){
      var col = Number(th.getAttribute("data-col")), num = th.getAttribute("data-type") === "num";
      var dir = th.getAttribute("aria-sort") === "descending" ? 1 : -1;
      Array.prototype.forEach.call(ths, function(o){ o.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      rows.sort(function(a, b){
        var x = a.cells[col].getAttribute("data-v") || "", y = b.cells[col].getAttribute("data-v") || "";
        if (num) { var nx = x === "" ? -Infinity : Number(x), ny = y === "" ? -Infinity : Number(y); return (nx - ny) * dir; }
        return x.localeCompare(y) * dir;
      });
      rows.forEach(function(r){ body.appendChild(r); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function(e){ if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
  });
});
})();
`;
