/**
 * The terminal summary printed by `npm start`: headline numbers, open positions, the last 10
 * trades and the metrics table, in aligned columns that fit `width` (default 100) columns.
 *
 *   process.stdout.write(renderTerminalSummary(data, { color: process.stdout.isTTY, width: 100 }));
 *
 * Negative amounts carry a "-" sign and, with `color`, are red (positive PnL green). When a table
 * is wider than `width`, its least important columns are dropped (then long cells are cut with
 * "…"), so every line fits.
 */
import {
  DASH,
  fmtDateTime,
  fmtDay,
  fmtDuration,
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
  dec,
} from "./format.ts";
import type { ReportData } from "./types.ts";

/** At most this many periods per period type in the terminal (the most recent ones). */
const TERMINAL_PERIOD_LIMIT: Record<string, number> = { ALL_TIME: 100, MONTHLY: 12, WEEKLY: 8, DAILY: 7 };

export interface TerminalOptions {
  color?: boolean;
  width?: number;
}

type Tone = "pos" | "neg" | "dim" | "bold" | undefined;
interface Cell {
  text: string;
  tone?: Tone;
}
interface Column {
  header: string;
  align: "l" | "r";
  /** Columns with the highest `drop` number go first when the table is too wide; 0 = never. */
  drop: number;
  cells: Cell[];
}

const ANSI: Record<Exclude<Tone, undefined>, string> = { pos: "\x1b[32m", neg: "\x1b[31m", dim: "\x1b[2m", bold: "\x1b[1m" };
const RESET = "\x1b[0m";
const ANSI_RE = /\x1b\[[0-9;]*m/g;

/** Visible length (ANSI codes excluded). */
export function visibleLength(s: string): number {
  return [...s.replace(ANSI_RE, "")].length;
}

export function stripAnsi(s: string): string {
  return s.replace(ANSI_RE, "");
}

function paint(text: string, tone: Tone, color: boolean): string {
  return color && tone ? `${ANSI[tone]}${text}${RESET}` : text;
}

function cut(text: string, w: number): string {
  const chars = [...text];
  return chars.length <= w ? text : `${chars.slice(0, Math.max(0, w - 1)).join("")}…`;
}

function pad(text: string, w: number, align: "l" | "r"): string {
  const n = [...text].length;
  return n >= w ? text : align === "r" ? " ".repeat(w - n) + text : text + " ".repeat(w - n);
}

const tone = (s: string | null | undefined): Tone => {
  const g = signOf(s);
  return g < 0 ? "neg" : g > 0 ? "pos" : undefined;
};
const negTone = (s: string | null | undefined): Tone => (signOf(s) < 0 ? "neg" : undefined);

/** Renders columns as aligned lines, every line exactly as wide as the table. */
function renderTable(columns: Column[], width: number, color: boolean, opts: { header?: boolean; footer?: Cell[] } = {}): string[] {
  const SEP = "  ";
  let cols = columns.map((c, i) => ({ ...c, i }));
  const colWidth = (c: Column) =>
    Math.max(opts.header === false ? 0 : [...c.header].length, ...c.cells.map((x) => [...x.text].length), 1);
  const total = (cs: Column[], ws: number[]) => ws.reduce((a, b) => a + b, 0) + SEP.length * Math.max(0, cs.length - 1);
  let widths = cols.map(colWidth);
  while (total(cols, widths) > width) {
    const droppable = cols.filter((c) => c.drop > 0);
    if (!droppable.length) break;
    const victim = droppable.reduce((a, b) => (b.drop > a.drop ? b : a));
    cols = cols.filter((c) => c !== victim);
    widths = cols.map(colWidth);
  }
  // still too wide: shrink the widest left-aligned columns, cutting their text with "…"
  while (total(cols, widths) > width) {
    let k = -1;
    cols.forEach((c, j) => {
      if (c.align === "l" && widths[j] > 4 && (k < 0 || widths[j] > widths[k])) k = j;
    });
    if (k < 0) break;
    widths[k] -= 1;
  }
  const line = (cells: Cell[]) =>
    cols.map((c, j) => paint(pad(cut(cells[c.i]?.text ?? "", widths[j]), widths[j], c.align), cells[c.i]?.tone, color)).join(SEP);
  const out: string[] = [];
  if (opts.header !== false) {
    out.push(line(columns.map((c) => ({ text: c.header, tone: "dim" as Tone }))));
    out.push(paint("─".repeat(total(cols, widths)), "dim", color));
  }
  const rows = Math.max(0, ...columns.map((c) => c.cells.length));
  for (let r = 0; r < rows; r++) out.push(line(columns.map((c) => c.cells[r] ?? { text: "" })));
  if (opts.footer) {
    out.push(paint("─".repeat(total(cols, widths)), "dim", color));
    out.push(line(opts.footer));
  }
  return out;
}

function title(text: string, color: boolean): string {
  return paint(text, "bold", color);
}

/** Wraps items separated by "  ·  " into lines of at most `width` visible characters. */
function flow(items: string[], width: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const raw of items) {
    const item = cut(raw, width);
    const next = cur ? `${cur}  ·  ${item}` : item;
    if (visibleLength(next) > width && cur) {
      lines.push(cur);
      cur = item;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** Word-wraps plain text to `width` columns. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const word of text.split(/\s+/)) {
    const next = cur ? `${cur} ${word}` : word;
    if ([...next].length > width && cur) {
      lines.push(cur);
      cur = cut(word, width);
    } else cur = cut(next, width);
  }
  if (cur) lines.push(cur);
  return lines;
}

function headlineLines(data: ReportData, width: number, color: boolean): string[] {
  const h = data.headline;
  const unreal = data.open_positions.filter((p) => p.unrealized_pnl !== null).map((p) => p.unrealized_pnl as string);
  const unrealSum = unreal.length ? sumDec(unreal) : null;
  const dd = h.max_drawdown_pct === null ? null : negAbs(h.max_drawdown_pct);
  const ddAmt = h.max_drawdown_amount === null ? null : negAbs(h.max_drawdown_amount);
  const usdt = (s: string | null | undefined, signed = false) => (s == null ? DASH : `${fmtMoney(s, { signed })} USDT`);
  const left: [string, Cell][] = [
    ["Net realized PnL", { text: usdt(h.realized_net_pnl, true), tone: tone(h.realized_net_pnl) }],
    ["Gross PnL", { text: usdt(h.realized_gross_pnl, true), tone: tone(h.realized_gross_pnl) }],
    ["Fees", { text: usdt(h.fees) }],
    ["Funding", { text: usdt(h.funding, true), tone: tone(h.funding) }],
    ["Unrealized (open)", { text: usdt(unrealSum, true), tone: tone(unrealSum) }],
    ["Equity start → end", { text: `${fmtMoney(h.equity_start)} → ${usdt(h.equity_end)}`, tone: negTone(h.equity_end) }],
    ["Net deposits", { text: usdt(h.net_deposits, true) }],
  ];
  const right: [string, Cell][] = [
    ["Trades", { text: `${h.trades} (${h.winners} W / ${h.losers} L${h.breakeven ? ` / ${h.breakeven} BE` : ""})` }],
    ["Win rate", { text: fmtPct(h.win_rate) }],
    ["Profit factor", { text: fmtRatio(h.profit_factor) }],
    ["Max drawdown", { text: dd === null ? DASH : `${fmtPct(dd)}${ddAmt === null ? "" : ` (${usdt(ddAmt)})`}`, tone: negTone(dd) }],
    ["TWR", { text: fmtPct(h.twr_pct, { signed: true }), tone: tone(h.twr_pct) }],
    ["ROI", { text: fmtPct(h.roi_pct, { signed: true }), tone: tone(h.roi_pct) }],
    ["Sharpe", { text: fmtRatio(h.sharpe), tone: negTone(h.sharpe) }],
  ];
  const label = (t: string): Cell => ({ text: t, tone: "dim" });
  const four: Column[] = [
    { header: "", align: "l", drop: 0, cells: left.map(([l]) => label(l)) },
    { header: "", align: "l", drop: 0, cells: left.map(([, v]) => v) },
    { header: "", align: "l", drop: 0, cells: right.map(([l]) => label(l)) },
    { header: "", align: "l", drop: 0, cells: right.map(([, v]) => v) },
  ];
  const w4 = four.reduce((a, c) => a + Math.max(...c.cells.map((x) => [...x.text].length)), 0) + 2 * 3 + 2;
  if (w4 <= width) {
    // a wider gap between the two pairs
    four[2].cells = four[2].cells.map((c) => ({ ...c, text: `  ${c.text}` }));
    return renderTable(four, width, color, { header: false });
  }
  const both = [...left, ...right];
  return renderTable(
    [
      { header: "", align: "l", drop: 0, cells: both.map(([l]) => label(l)) },
      { header: "", align: "l", drop: 0, cells: both.map(([, v]) => v) },
    ],
    width,
    color,
    { header: false },
  );
}

export function renderTerminalSummary(data: ReportData, opts: TerminalOptions = {}): string {
  const color = opts.color ?? false;
  const width = Math.max(40, opts.width ?? 100);
  const out: string[] = [];
  const rule = (ch = "═") => paint(ch.repeat(width), "dim", color);

  out.push(rule());
  out.push(
    ...flow(
      [
        title("TRADING SUMMARY", color),
        data.user.email,
        `${fmtDay(data.period.from)} → ${fmtDay(data.period.to)} (UTC)`,
        data.exchanges.join(", ") || DASH,
      ],
      width,
    ),
  );
  out.push(rule());
  out.push(...headlineLines(data, width, color));

  // open positions
  out.push("", title(`OPEN POSITIONS (${data.open_positions.length})`, color));
  if (!data.open_positions.length) out.push(paint("No open positions.", "dim", color));
  else {
    const ps = data.open_positions;
    const asOf = Date.parse(data.generated_at);
    const upct = ps.map((p) => {
      const cost = dec(p.entry_price).times(p.quantity);
      return p.unrealized_pnl === null || cost.isZero() ? null : dec(p.unrealized_pnl).div(cost).times(100).toString();
    });
    const unreal = ps.filter((p) => p.unrealized_pnl !== null).map((p) => p.unrealized_pnl as string);
    const cols: Column[] = [
      { header: "Symbol", align: "l", drop: 0, cells: ps.map((p) => ({ text: fmtSymbol(p.symbol, p.market_type) })) },
      { header: "Exchange", align: "l", drop: 4, cells: ps.map((p) => ({ text: p.exchange })) },
      { header: "Side", align: "l", drop: 0, cells: ps.map((p) => ({ text: p.side })) },
      { header: "Quantity", align: "r", drop: 3, cells: ps.map((p) => ({ text: fmtQty(p.quantity) })) },
      { header: "Entry", align: "r", drop: 0, cells: ps.map((p) => ({ text: fmtPrice(p.entry_price) })) },
      { header: "Last", align: "r", drop: 2, cells: ps.map((p) => ({ text: fmtPrice(p.current_price) })) },
      { header: "Unrealized", align: "r", drop: 0, cells: ps.map((p) => ({ text: fmtMoney(p.unrealized_pnl, { signed: true }), tone: tone(p.unrealized_pnl) })) },
      { header: "Unr. %", align: "r", drop: 5, cells: upct.map((u) => ({ text: fmtPct(u, { signed: true }), tone: tone(u) })) },
      { header: "Opened (UTC)", align: "l", drop: 6, cells: ps.map((p) => ({ text: fmtDay(p.opened_at) })) },
      { header: "Held", align: "r", drop: 1, cells: ps.map((p) => ({ text: fmtDuration((asOf - Date.parse(p.opened_at)) / 1000) })) },
    ];
    const total = unreal.length ? sumDec(unreal) : null;
    const footer: Cell[] = cols.map(() => ({ text: "" }));
    footer[0] = { text: "Total" };
    footer[6] = { text: fmtMoney(total, { signed: true }), tone: tone(total) };
    out.push(...renderTable(cols, width, color, { footer }));
  }

  // last trades
  const trades = [...data.trades].sort((a, b) => Date.parse(b.exit_time) - Date.parse(a.exit_time)).slice(0, 10);
  out.push("", title(`LAST ${Math.min(10, data.trades.length)} TRADES (of ${data.trades.length}), newest first · PnL in USDT`, color));
  if (!trades.length) out.push(paint("No closed trades.", "dim", color));
  else {
    const cols: Column[] = [
      { header: "Closed (UTC)", align: "l", drop: 0, cells: trades.map((t) => ({ text: fmtDateTime(t.exit_time).slice(0, 10) })) },
      { header: "Symbol", align: "l", drop: 0, cells: trades.map((t) => ({ text: fmtSymbol(t.symbol, t.market_type) })) },
      { header: "Exchange", align: "l", drop: 4, cells: trades.map((t) => ({ text: t.exchange })) },
      { header: "Side", align: "l", drop: 0, cells: trades.map((t) => ({ text: t.side })) },
      { header: "Qty", align: "r", drop: 6, cells: trades.map((t) => ({ text: fmtQty(t.exit_quantity) })) },
      { header: "Entry", align: "r", drop: 3, cells: trades.map((t) => ({ text: fmtPrice(t.entry_price) })) },
      { header: "Exit", align: "r", drop: 2, cells: trades.map((t) => ({ text: fmtPrice(t.exit_price) })) },
      { header: "Net PnL", align: "r", drop: 0, cells: trades.map((t) => ({ text: fmtMoney(t.net_pnl, { signed: true }), tone: tone(t.net_pnl) })) },
      { header: "PnL %", align: "r", drop: 1, cells: trades.map((t) => ({ text: fmtPct(t.pnl_percentage, { signed: true }), tone: tone(t.pnl_percentage) })) },
      { header: "Type", align: "l", drop: 0, cells: trades.map((t) => ({ text: t.exit_type })) },
      { header: "Held", align: "r", drop: 5, cells: trades.map((t) => ({ text: fmtDuration(t.hold_duration_seconds) })) },
    ];
    out.push(...renderTable(cols, width, color));
  }

  // metrics
  out.push("", title("PERFORMANCE BY PERIOD", color));
  const order = ["ALL_TIME", "MONTHLY", "WEEKLY", "DAILY"];
  const notShown: string[] = [];
  const kept = order.flatMap((pt) => {
    const r = lastPeriods(
      data.metrics.filter((m) => m.period_type === pt),
      TERMINAL_PERIOD_LIMIT[pt],
    );
    if (r.omitted) notShown.push(`${r.omitted} earlier ${pt.toLowerCase().replace("_", " ")} period${r.omitted === 1 ? "" : "s"}`);
    return r.rows;
  });
  const ms = kept.sort(
    (a, b) =>
      order.indexOf(a.period_type) - order.indexOf(b.period_type) ||
      Date.parse(a.period_start) - Date.parse(b.period_start) ||
      (a.exchange ?? "").localeCompare(b.exchange ?? ""),
  );
  if (!ms.length) out.push(paint("No metrics computed.", "dim", color));
  else {
    const cols: Column[] = [
      { header: "Period", align: "l", drop: 0, cells: ms.map((m) => ({ text: periodLabel(m.period_type, m.period_start) })) },
      { header: "Exchange", align: "l", drop: 0, cells: ms.map((m) => ({ text: m.exchange ?? "all" })) },
      { header: "Trades", align: "r", drop: 0, cells: ms.map((m) => ({ text: String(m.total_trades) })) },
      { header: "Win rate", align: "r", drop: 0, cells: ms.map((m) => ({ text: fmtPct(m.win_rate) })) },
      { header: "Net PnL (USDT)", align: "r", drop: 0, cells: ms.map((m) => ({ text: fmtMoney(m.total_net_pnl, { signed: true }), tone: tone(m.total_net_pnl) })) },
      { header: "Profit factor", align: "r", drop: 1, cells: ms.map((m) => ({ text: fmtRatio(m.profit_factor) })) },
      {
        header: "Max drawdown",
        align: "r",
        drop: 2,
        cells: ms.map((m) => {
          const v = m.max_drawdown === null ? null : negAbs(m.max_drawdown);
          return { text: fmtPct(v), tone: negTone(v) };
        }),
      },
      { header: "Sharpe", align: "r", drop: 3, cells: ms.map((m) => ({ text: fmtRatio(m.sharpe_ratio), tone: negTone(m.sharpe_ratio) })) },
    ];
    out.push(...renderTable(cols, width, color));
    if (notShown.length) {
      for (const l of wrap(`Not shown: ${notShown.join(", ")} (see the HTML report).`, width)) out.push(paint(l, "dim", color));
    }
  }
  out.push(rule());
  return `${out.join("\n")}\n`;
}
