/**
 * Scaled-BigInt fixed point: the engine's hot-path number type.
 *
 * Two scales are used and never mixed silently:
 * - Q (scale 18): quantities and prices as they come from exchanges (exact; inputs with more
 *   than 18 decimals are rounded half-even at 18 once, on the way in).
 * - M (scale 36): money (quote amounts). price(18) × quantity(18) is exactly scale 36, so
 *   entry costs, exit values and fee values are exact; the only inexact step is a pro-rata
 *   division (C × a / q), rounded half-even at 1e-36, i.e. 18 digits below the emitted scale.
 *
 * Output rounds once, half-even: money to 18 decimals, percentages to 8.
 */
import { Decimal, trimZeros } from "../decimal.ts";

export const E18 = 10n ** 18n;
export const E36 = 10n ** 36n;

/** n / d rounded half-even (d ≠ 0). */
export function divRound(n: bigint, d: bigint): bigint {
  let q = n / d;
  let r = n % d;
  if (r === 0n) return q;
  const neg = (n < 0n) !== (d < 0n);
  if (r < 0n) r = -r;
  const ad = d < 0n ? -d : d;
  const twice = r * 2n;
  if (twice > ad || (twice === ad && (q & 1n) !== 0n)) q += neg ? -1n : 1n;
  return q;
}

/** Parse a decimal string (or number, shortest round-trip form) at scale 18. Throws on garbage. */
export function parseQ(x: string | number): bigint {
  if (typeof x === "number") return parseSlow(x);
  const s = x;
  if (s.length === 0) throw new RangeError("empty number");
  if (s.indexOf("e") >= 0 || s.indexOf("E") >= 0 || s.indexOf(" ") >= 0) return parseSlow(s);
  const dot = s.indexOf(".");
  try {
    if (dot < 0) return BigInt(s) * E18;
    const frac = s.slice(dot + 1);
    if (frac.length > 18) return parseSlow(s);
    if (frac.length > 0 && !/^\d+$/.test(frac)) throw new RangeError("bad fraction");
    const int = s.slice(0, dot);
    const sign = int.charCodeAt(0) === 45 ? "-" : "";
    const digits = (int === "" || int === "-" || int === "+") ? "0" : int;
    if (!/^[+-]?\d+$/.test(digits)) throw new RangeError("bad integer part");
    const v = BigInt(digits.replace(/^[+-]/, "") + frac.padEnd(18, "0"));
    return sign ? -v : v;
  } catch {
    throw new RangeError(`not a decimal number: ${JSON.stringify(x)}`);
  }
}

function parseSlow(x: string | number): bigint {
  let d: Decimal;
  try {
    if (typeof x === "number" && !Number.isFinite(x)) throw new Error();
    d = new Decimal(typeof x === "number" ? String(x) : x.trim());
  } catch {
    throw new RangeError(`not a decimal number: ${JSON.stringify(x)}`);
  }
  if (!d.isFinite()) throw new RangeError(`not a decimal number: ${JSON.stringify(x)}`);
  return BigInt(d.times("1e18").toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toFixed());
}

/** Parse a decimal string at scale 36 (state round trip). */
export function parseM(s: string): bigint {
  const dot = s.indexOf(".");
  if (dot < 0) return BigInt(s) * E36;
  const frac = s.slice(dot + 1);
  if (frac.length > 36) throw new RangeError(`more than 36 decimals: ${s}`);
  const int = s.slice(0, dot);
  const neg = int.startsWith("-");
  const v = BigInt((neg ? int.slice(1) : int || "0") + frac.padEnd(36, "0"));
  return neg ? -v : v;
}

/** Print a scaled integer exactly (plain, trailing zeros trimmed, "0" for zero). */
export function fmt(v: bigint, scale: number): string {
  if (v === 0n) return "0";
  const neg = v < 0n;
  let s = (neg ? -v : v).toString();
  if (s.length <= scale) s = "0".repeat(scale - s.length + 1) + s;
  const cut = s.length - scale;
  const out = trimZeros(s.slice(0, cut) + "." + s.slice(cut));
  return neg ? "-" + out : out;
}

/** Scale-18 value → string. */
export const fmtQ = (v: bigint): string => fmt(v, 18);
/** Scale-36 money → string rounded once at 18 (half-even). */
export const fmtM = (v: bigint): string => fmt(divRound(v, E18), 18);
/** Exact scale-36 → string (no rounding; used for state). */
export const fmtM36 = (v: bigint): string => fmt(v, 36);

/** num / den × 100 as a percentage rounded once at scale 8 (times an optional scale-18 factor). */
export function pct8(num: bigint, den: bigint, factorQ: bigint = E18): string | null {
  if (den === 0n) return null;
  // num/den × 100 × factor/1e18, expressed at scale 8: num × 100 × factor × 1e8 / (den × 1e18)
  return fmt(divRound(num * 100n * factorQ * 100000000n, den * E18), 8);
}
