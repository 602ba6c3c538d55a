/**
 * Exact numbers for accounting paths (sync, imports, the PnL engine's slow paths, reports).
 *
 * - `Decimal` is a decimal.js clone configured for money: 50 significant digits, ROUND_HALF_EVEN
 *   (banker's rounding, the same as the engine's fixed-point rounding), and plain notation for
 *   every magnitude we meet (no `1e-7` from `toString()`).
 * - `toDecimal(x)` accepts a decimal string or a JS number. A number is taken as its shortest
 *   round-trip representation (`String(0.1)` is "0.1", not 0.1000000000000000055…), which is
 *   what ccxt meant when it parsed the exchange's string: `toDecimal(1e-7).toFixed()` is
 *   "0.0000001". Non-finite input throws.
 * - `toDbString(d, scale = 18)` rounds ONCE at `scale` decimals (half-even) and prints plain
 *   notation with trailing zeros trimmed ("1.5", "0", "-0.000000000000000001"); never "-0" and
 *   never an exponent. Postgres NUMERIC compares equal regardless of trailing zeros, so trimmed
 *   strings are the canonical form the engine, the CLI and the tests compare.
 * - `toPercentString(d)` is `toDbString(d, 8)`: percentages are stored at scale 8.
 *
 * Runs in Deno and Node (no platform imports).
 */
import { Decimal as DecimalJs } from "decimal.js";

export const Decimal = DecimalJs.clone({
  precision: 50,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
export type Decimal = InstanceType<typeof Decimal>;

/** Amounts are stored at this many decimals (NUMERIC scale). */
export const AMOUNT_SCALE = 18;
/** Percentages are stored at this many decimals. */
export const PERCENT_SCALE = 8;

/** A decimal string, a JS number (shortest round-trip form) or a Decimal → Decimal. Throws on NaN/±Infinity/garbage. */
export function toDecimal(x: number | string | Decimal | { toString(): string }): Decimal {
  if (typeof x === "number") {
    if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
    // String(x) is the shortest string that round-trips to the same double ("1e-7" included,
    // which decimal.js parses exactly).
    return new Decimal(String(x));
  }
  if (typeof x === "string") {
    const s = x.trim();
    if (s === "" || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) {
      throw new RangeError(`not a decimal number: ${JSON.stringify(x)}`);
    }
    return new Decimal(s);
  }
  if (x instanceof Decimal) return x;
  return toDecimal(String(x));
}

/** Round once at `scale` decimals (half-even); plain notation, trailing zeros trimmed, no "-0". */
export function toDbString(d: Decimal | number | string, scale: number = AMOUNT_SCALE): string {
  const r = toDecimal(d).toDecimalPlaces(scale, Decimal.ROUND_HALF_EVEN);
  if (r.isZero()) return "0";
  return trimZeros(r.toFixed());
}

/** A percentage at scale 8 (see `toDbString`). */
export function toPercentString(d: Decimal | number | string): string {
  return toDbString(d, PERCENT_SCALE);
}

/** (part / whole) × 100, rounded once at scale 8; null when whole is zero. */
export function percentOf(part: Decimal | string | number, whole: Decimal | string | number): string | null {
  const w = toDecimal(whole);
  if (w.isZero()) return null;
  return toPercentString(toDecimal(part).div(w).times(100));
}

/** Trim trailing zeros of a plain decimal string ("1.500" → "1.5", "2.0" → "2"). */
export function trimZeros(s: string): string {
  if (s.indexOf(".") < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** A plain decimal number as exports write it: optional minus, digits, optional fraction. */
const PLAIN = /^-?(?:\d+)(?:\.\d+)?$/;
/** Same with thousands separators ("1,234.5"), which some exports put inside quoted cells. */
const GROUPED = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/**
 * Parse an export's number cell into canonical decimal text ("0.00100000" → "0.001",
 * "1,234.50" → "1234.5", "-0" → "0"). Returns null when the text is not a plain decimal
 * (no exponents, no currency signs, no spaces inside).
 */
export function canonicalDecimal(text: string): string | null {
  let t = text.trim();
  if (GROUPED.test(t)) t = t.replace(/,/g, "");
  if (t.startsWith("+")) t = t.slice(1);
  if (!PLAIN.test(t)) return null;
  const d = new Decimal(t);
  return d.isZero() ? "0" : d.toFixed();
}
