/**
 * Cell readers shared by the row mappers: each reads one column of the current row, checks it
 * and returns the canonical value, or null after recording the problem on the row.
 */
import type { MarketType, Side } from "../domain/types.ts";
import { Decimal } from "../decimal.ts";
import { canonicalDecimal, isNegative, isZero } from "./decimal.ts";
import type { RowContext } from "./formats.ts";
import { toUnified } from "./symbols.ts";

// ---------------------------------------------------------------------------------------------
// Cell readers. Each returns null after recording the problem.

const TIME_RE =
  /^(\d{4}|\d{2})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parse an export timestamp to ISO-8601 UTC ("2026-05-01T10:00:00.000Z"). */
export function parseTime(text: string, offsetMinutes: number): string | null {
  const t = text.trim();
  if (/^\d{13}$/.test(t)) return new Date(Number(t)).toISOString();
  const m = t.match(TIME_RE);
  if (!m) return null;
  let year = Number(m[1]);
  if (m[1].length === 2) year += 2000;
  const [mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6] ?? "0"].map(Number);
  const ms = m[7] ? Number(m[7].padEnd(3, "0")) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  let utc = Date.UTC(year, mo - 1, d, h, mi, s, ms);
  const probe = new Date(Date.UTC(year, mo - 1, d));
  if (probe.getUTCMonth() !== mo - 1) return null; // 31 June and the like
  let off = offsetMinutes;
  if (m[8]) {
    if (m[8] === "Z") off = 0;
    else {
      const z = m[8].replace(":", "");
      off = (z[0] === "-" ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
    }
  }
  utc -= off * 60_000;
  return new Date(utc).toISOString();
}

/** The last time read: ledgers write one timestamp on every leg of a trade. */
let lastTime = { text: "", offset: 0, iso: null as string | null };

export function time(ctx: RowContext, col: string): string | null {
  const v = ctx.get(col);
  const iso = v === lastTime.text && ctx.utcOffsetMinutes === lastTime.offset ? lastTime.iso : parseTime(v, ctx.utcOffsetMinutes);
  lastTime = { text: v, offset: ctx.utcOffsetMinutes, iso };
  if (!iso) ctx.bad(col, "not a date-time (expected YYYY-MM-DD HH:MM:SS)");
  return iso;
}

export interface NumOpts {
  /** default "positive" */
  sign?: "positive" | "nonnegative" | "any";
  optional?: boolean;
  /** Accept an exponent ("-3.605E-05"), read exactly; for columns a spreadsheet may have rewritten. */
  exponent?: boolean;
}

const EXPONENT = /^-?\d+(?:\.\d+)?[eE][-+]?\d{1,3}$/;

export function num(ctx: RowContext, col: string, opts: NumOpts = {}): string | null {
  const v = ctx.get(col);
  if (v === "" || v === "--") {
    if (opts.optional) return null;
    ctx.bad(col, "is empty");
    return null;
  }
  const c = canonicalDecimal(v) ?? (opts.exponent && EXPONENT.test(v) ? canonicalDecimal(new Decimal(v).toFixed()) : null);
  if (c === null) {
    ctx.bad(col, "not a decimal number");
    return null;
  }
  return checkSign(ctx, col, c, opts.sign ?? "positive");
}

export function checkSign(ctx: RowContext, col: string, c: string, sign: NumOpts["sign"]): string | null {
  if (sign === "positive" && (isZero(c) || isNegative(c))) {
    ctx.bad(col, "must be greater than zero");
    return null;
  }
  if (sign === "nonnegative" && isNegative(c)) {
    ctx.bad(col, "must not be negative");
    return null;
  }
  return c;
}

/**
 * A number with its unit glued on ("0.00100000BTC", "12.34USDT", "1,234.5USDT"). When `units`
 * is given the unit must be one of them; candidates are tried longest first so assets whose
 * names start with digits ("1INCH", "1000SATS") split correctly.
 */
export function unitNum(
  ctx: RowContext,
  col: string,
  units: string[] | null,
  sign: NumOpts["sign"] = "positive",
  /** false: `units` only give splitting precedence; any unit is accepted. */
  strict = true,
): { amount: string; unit: string } | null {
  // "0.29528919 USDC": a single space before the unit is accepted as well as a glued unit.
  const v = ctx.get(col).replace(/^(\S+) ([A-Za-z0-9]+)$/, "$1$2");
  if (v === "") {
    ctx.bad(col, "is empty");
    return null;
  }
  const candidates = [...(units ?? [])].sort((a, b) => b.length - a.length);
  for (const u of candidates) {
    if (v.toUpperCase().endsWith(u) && v.length > u.length) {
      const c = canonicalDecimal(v.slice(0, -u.length));
      if (c !== null) {
        const ok = checkSign(ctx, col, c, sign);
        return ok === null ? null : { amount: ok, unit: u };
      }
    }
  }
  const m = v.match(/^(-?[\d,]*\d(?:\.\d+)?)([A-Za-z][A-Za-z0-9]*)$/);
  if (!m) {
    ctx.bad(
      col,
      strict && units ? `expected a number followed by ${units.join(" or ")}` : "expected a number followed by its asset, like 0.001BNB",
    );
    return null;
  }
  const c = canonicalDecimal(m[1]);
  if (c === null) {
    ctx.bad(col, "not a decimal number");
    return null;
  }
  const unit = m[2].toUpperCase();
  if (strict && units && !units.includes(unit)) {
    ctx.bad(col, `unit ${unit} does not match the pair (expected ${units.join(" or ")})`);
    return null;
  }
  const ok = checkSign(ctx, col, c, sign);
  return ok === null ? null : { amount: ok, unit };
}

export function wrapUnit(amount: string | null, unit: string): { amount: string; unit: string } | null {
  return amount === null ? null : { amount, unit };
}

export function asset(ctx: RowContext, col: string): string | null {
  const v = ctx.get(col).toUpperCase();
  if (!/^[A-Z0-9]{1,20}$/.test(v)) {
    ctx.bad(col, "not an asset symbol");
    return null;
  }
  return v;
}

export function text(ctx: RowContext, col: string, required = false): string | null {
  const v = ctx.get(col);
  if (v === "" || v === "--") {
    if (required) ctx.bad(col, "is empty");
    return null;
  }
  return v;
}

export function market(ctx: RowContext, col: string, marketType: MarketType, quoteHint?: string | null) {
  const raw = ctx.get(col);
  const u = quoteHint && raw.toUpperCase().endsWith(quoteHint) && raw.length > quoteHint.length
    ? toUnified(`${raw.slice(0, -quoteHint.length)}/${quoteHint}`, marketType)
    : toUnified(raw, marketType);
  if (typeof u === "string") {
    ctx.bad(col, raw === "" ? "is empty" : u);
    return null;
  }
  return u;
}

export function side(ctx: RowContext, col: string): Side | null {
  const v = ctx.get(col).toLowerCase();
  if (v === "buy") return "buy";
  if (v === "sell") return "sell";
  ctx.bad(col, "expected BUY or SELL");
  return null;
}

/** "true"/"false" (any case). */
export function bool(ctx: RowContext, col: string): boolean | null {
  const v = ctx.get(col).toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  ctx.bad(col, "expected true or false");
  return null;
}

export function role(ctx: RowContext, col: string): "maker" | "taker" | null {
  const v = ctx.get(col).toLowerCase();
  if (v === "maker") return "maker";
  if (v === "taker") return "taker";
  if (v === "" || v === "--") return null;
  ctx.bad(col, "expected Maker or Taker");
  return null;
}

/** Map the exchanges' status words to ccxt's ok | pending | failed | canceled. */
export function transferStatus(raw: string): string | null {
  const v = raw.trim().toLowerCase();
  if (/^(completed?|success(ful)?|credited( successfully)?|withdrawal successful|finished|done|ok)$/.test(v)) return "ok";
  if (/(pending|processing|confirming|awaiting|in progress|waiting)/.test(v)) return "pending";
  if (/(cancel)/.test(v)) return "canceled";
  if (/(fail|reject|expired)/.test(v)) return "failed";
  return null;
}

export function status(ctx: RowContext, col: string): string | null {
  const s = transferStatus(ctx.get(col));
  if (!s) ctx.bad(col, "unknown status (expected e.g. Completed, Pending, Failed, Cancelled)");
  return s;
}

export function feeOf(amount: string, currency: string): { fee_amount: string; fee_currency: string } {
  return { fee_amount: amount, fee_currency: currency };
}

export function allSet(...xs: unknown[]): boolean {
  return xs.every((x) => x !== null && x !== undefined);
}
