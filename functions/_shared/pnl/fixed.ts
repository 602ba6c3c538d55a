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
import { Decimal } from "../decimal.ts";

export const E18 = 10n ** 18n;
export const E36 = 10n ** 36n;

/** n / d rounded half-even (d ≠ 0). */
export function divRound(n: bigint, d: bigint): bigint {
  let q = n / d;
  let r = n - q * d;
  if (r === 0n) return q;
  const neg = (n < 0n) !== (d < 0n);
  if (r < 0n) r = -r;
  const ad = d < 0n ? -d : d;
  const twice = r * 2n;
  if (twice > ad || (twice === ad && (q & 1n) !== 0n)) q += neg ? -1n : 1n;
  return q;
}

const POW10: bigint[] = Array.from({ length: 37 }, (_, i) => 10n ** BigInt(i));

/** Parse a decimal string (or number, shortest round-trip form) at scale 18. Throws on garbage. */
export function parseQ(x: string | number): bigint {
  if (typeof x === "number") return parseSlow(x);
  const s = x;
  const n = s.length;
  // fast path: [-]digits[.digits] with at most 15 significant digits → exact in a double
  let i = 0, neg = false;
  if (n > 0 && s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  let v = 0, digits = 0, frac = -1, sawDigit = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      sawDigit = true;
      if (frac >= 0) frac++;
      if (v === 0 && c === 48) continue; // leading zeros do not count
      v = v * 10 + (c - 48);
      if (++digits > 15) return parseBig(s);
    } else if (c === 46 && frac < 0) frac = 0;
    else return parseBig(s);
  }
  if (!sawDigit) throw new RangeError(`not a decimal number: ${JSON.stringify(x)}`);
  if (frac > 18) return parseBig(s);
  const r = BigInt(v) * POW10[18 - (frac < 0 ? 0 : frac)];
  return neg ? -r : r;
}

function parseBig(s: string): bigint {
  if (s.indexOf("e") >= 0 || s.indexOf("E") >= 0 || s.indexOf(" ") >= 0 || s.charCodeAt(0) === 43) return parseSlow(s);
  const dot = s.indexOf(".");
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(s)) throw new RangeError(`not a decimal number: ${JSON.stringify(s)}`);
  if (dot < 0) return BigInt(s) * E18;
  const frac = s.slice(dot + 1);
  if (frac.length > 18) return parseSlow(s);
  const int = s.slice(0, dot);
  const neg = int.charCodeAt(0) === 45;
  const v = BigInt((neg ? int.slice(1) : int || "0") + frac.padEnd(18, "0"));
  return neg ? -v : v;
}

function parseSlow(x: string | number): bigint {
  let d: Decimal;
  try {
    if (typeof x === "number" && !Number.isFinite(x)) throw new Error();
    const str = typeof x === "number" ? String(x) : x.trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(str)) throw new Error();
    d = new Decimal(str);
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
  const s = (neg ? -v : v).toString();
  const n = s.length, cut = n - scale;
  let end = n;
  while (end > cut && end > 1 && s.charCodeAt(end - 1) === 48) end--;
  let out: string;
  if (cut > 0) out = end > cut ? s.slice(0, cut) + "." + s.slice(cut, end) : s.slice(0, cut);
  else out = "0." + "0".repeat(-cut) + s.slice(0, end);
  return neg ? "-" + out : out;
}

/** Scale-18 value → string. */
export const fmtQ = (v: bigint): string => fmt(v, 18);
const HALF_E18 = E18 / 2n;

/** Scale-36 money → string rounded once at 18 decimals (half-even). */
export function fmtM(v: bigint): string {
  if (v === 0n) return "0";
  const neg = v < 0n;
  const a = neg ? -v : v;
  let q = a / E18;
  const r = a - q * E18;
  if (r > HALF_E18 || (r === HALF_E18 && (q & 1n) === 1n)) q += 1n;
  if (q === 0n) return "0";
  const s = fmt(q, 18);
  return neg ? "-" + s : s;
}

/** Exact scale-36 → string (no rounding; used for state). */
export const fmtM36 = (v: bigint): string => fmt(v, 36);

/** num / den × 100 as a percentage rounded once at scale 8 (times an optional scale-18 factor). */
export function pct8(num: bigint, den: bigint, factorQ: bigint = E18): string | null {
  if (den === 0n) return null;
  // num/den × 100, at scale 8: num × 10^10 / den; with a factor (scale 18): × factor / 10^18
  if (factorQ === E18) return fmt(divRound(num * E10, den), 8);
  return fmt(divRound(num * E10 * factorQ, den * E18), 8);
}
const E10 = 10n ** 10n;
