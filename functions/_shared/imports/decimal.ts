/**
 * The importers' number handling, on the project's shared Decimal (`../decimal.ts`). Amounts stay
 * strings; this module validates export cells and canonicalises them exactly (no rounding).
 */
import { Decimal } from "../decimal.ts";

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

export function isZero(s: string): boolean {
  return new Decimal(s).isZero();
}

export function isNegative(s: string): boolean {
  return new Decimal(s).isNegative() && !new Decimal(s).isZero();
}

export function isPositive(s: string): boolean {
  return new Decimal(s).greaterThan(0);
}

export function negate(s: string): string {
  const d = new Decimal(s).negated();
  return d.isZero() ? "0" : d.toFixed();
}

export function abs(s: string): string {
  return new Decimal(s).abs().toFixed();
}
