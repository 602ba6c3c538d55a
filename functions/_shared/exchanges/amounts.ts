/**
 * Number conversion for the exchange layer: every amount leaves this module as a canonical
 * decimal string (no exponent, no trailing zeros, "-0" → "0"). Kept in one small module so it
 * can be merged onto the shared `functions/_shared/decimal.ts` later.
 *
 * Sources, best first: the raw string the exchange sent (in ccxt's `info`), then
 * `ex.numberToString(n)` on ccxt's parsed number. Never `String(n)` (gives "1e-7").
 */
import { Decimal } from "decimal.js";

/** High-precision decimal: products of exchange strings must never round. */
export const D = Decimal.clone({
  precision: 80,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -100,
  toExpPos: 100,
});
export type Dec = InstanceType<typeof D>;

/** Scale and rounding for the few derived divisions (average price = cost / filled, gate quote→base). */
export const DIVISION_SCALE = 18;
export const DIVISION_ROUNDING = Decimal.ROUND_HALF_EVEN;

/** Thrown when a value that must be a decimal is not one (malformed payload). */
export class AmountFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AmountFormatError";
  }
}

/** Minimal surface of a ccxt exchange we need for conversions. */
export interface NumberToString {
  numberToString(n: number): string;
}

const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Canonical decimal string of an exact value; throws AmountFormatError on garbage. */
export function canon(value: string | Dec): string {
  let d: Dec;
  if (typeof value === "string") {
    const s = value.trim();
    if (!DECIMAL_RE.test(s)) throw new AmountFormatError(`not a decimal: ${JSON.stringify(value)}`);
    d = new D(s);
  } else {
    d = value;
  }
  if (!d.isFinite()) throw new AmountFormatError(`not finite: ${String(value)}`);
  const out = d.toFixed();
  return out === "-0" ? "0" : out;
}

/** True when `v` is a usable raw value (non-empty string or finite number). */
export function present(v: unknown): v is string | number {
  if (typeof v === "string") return v.trim() !== "";
  return typeof v === "number" && Number.isFinite(v);
}

/**
 * Exact decimal string from a raw exchange value or a ccxt number.
 * Strings are taken as they are; numbers go through `ex.numberToString`.
 */
export function exact(ex: NumberToString, v: unknown): string | null {
  if (!present(v)) return null;
  if (typeof v === "number") return canon(ex.numberToString(v));
  return canon(v);
}

/** First present value among candidates, converted exactly. */
export function firstExact(ex: NumberToString, ...candidates: unknown[]): string | null {
  for (const c of candidates) {
    if (present(c)) return exact(ex, c);
  }
  return null;
}

export function dec(s: string): Dec {
  return new D(s);
}
export function mul(a: string, b: string): string {
  return canon(new D(a).times(b));
}
export function add(a: string, b: string): string {
  return canon(new D(a).plus(b));
}
export function sub(a: string, b: string): string {
  return canon(new D(a).minus(b));
}
export function neg(a: string): string {
  return canon(new D(a).neg());
}
export function abs(a: string): string {
  return canon(new D(a).abs());
}
export function isZero(a: string): boolean {
  return new D(a).isZero();
}
export function isNegative(a: string): boolean {
  const d = new D(a);
  return d.isNegative() && !d.isZero();
}
export function cmp(a: string, b: string): number {
  return new D(a).comparedTo(b);
}
/** a / b rounded once to DIVISION_SCALE places (ROUND_HALF_EVEN), canonical. */
export function div(a: string, b: string, scale = DIVISION_SCALE): string {
  return canon(new D(a).div(b).toDecimalPlaces(scale, DIVISION_ROUNDING));
}
/** Round to a tick (e.g. market precision 0.0001) — only for derived values. */
export function roundToTick(a: string, tick: string): string {
  const t = new D(tick);
  if (t.isZero()) return canon(a);
  return canon(new D(a).div(t).toDecimalPlaces(0, DIVISION_ROUNDING).times(t));
}
export function sum(values: string[]): string {
  return canon(values.reduce((acc, v) => acc.plus(v), new D(0)));
}
