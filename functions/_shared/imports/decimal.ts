/**
 * The importers' number handling, on the project's shared Decimal (`../decimal.ts`). Amounts stay
 * strings; this module validates export cells and canonicalises them exactly (no rounding).
 */
import { Decimal } from "../decimal.ts";

// Canonical decimal text of an export cell lives with the shared Decimal (fill fingerprints use it too).
export { canonicalDecimal } from "../decimal.ts";

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
