/**
 * Deterministic keys of fills, shared by the importers and the sync (issue 16: the sync used to
 * import them from imports/ids.ts). SHA-256, hex; `node:crypto`, which Node and Deno both
 * provide: synchronous, ~1 µs per hash where Web Crypto's async digest cost ~8 µs and a promise
 * per fill on the sync's hot path.
 *
 * - `fillKeyText`: the fields that identify an execution (exchange, market type, symbol, time,
 *   side, price, amount, fee, fee currency), canonical decimals, as the hashed text.
 * - `fingerprint`: those fields with time truncated to the second, for matching an imported fill
 *   against an API-synced one (which carries the exchange's real trade id and millisecond time).
 *   See imports/FORMATS.md, "Duplicates", for the collision trade-off.
 */
import { createHash } from "node:crypto";
import type { FillRow } from "../domain/types.ts";
import { canonicalDecimal } from "../decimal.ts";

/** Length of the hex prefix kept from the SHA-256 digest (96 bits). */
export const SHORT_HASH_HEX = 24;

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The identifying fields of a fill, in hashing order (without the occurrence index). */
export interface FillKeyFields {
  exchange: string;
  market_type: string;
  symbol: string;
  /** ISO-8601 UTC. */
  executed_at: string;
  side: string;
  price: string;
  amount: string;
  fee: string;
  fee_currency: string;
}

function canon(n: string): string {
  return canonicalDecimal(n) ?? n;
}

/** The text a fill key hashes from; exported so the database side can reproduce it. */
export function fillKeyText(f: FillKeyFields, occurrence?: number): string {
  const parts: (string | number)[] = [
    f.exchange,
    f.market_type,
    f.symbol,
    f.executed_at,
    f.side,
    canon(f.price),
    canon(f.amount),
    canon(f.fee || "0"),
    f.fee_currency,
  ];
  if (occurrence !== undefined) parts.push(occurrence);
  return JSON.stringify(parts);
}

/** ISO time truncated to whole seconds, always as "YYYY-MM-DDTHH:MM:SSZ". */
export function toSecond(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** The fields of `fingerprint`, from a FillRow (the sum of fee entries is used when they share a currency; otherwise the entries are joined). */
export function fingerprintFields(fill: FillRow): FillKeyFields {
  const fees = fill.fees.filter((e) => (canonicalDecimal(e.amount) ?? e.amount) !== "0");
  fees.sort((a, b) => a.currency.localeCompare(b.currency));
  return {
    exchange: fill.exchange,
    market_type: fill.market_type,
    symbol: fill.symbol,
    executed_at: toSecond(fill.executed_at),
    side: fill.side,
    price: fill.price,
    amount: fill.amount,
    fee: fees.length ? fees.map((e) => canon(e.amount)).join("+") : "0",
    fee_currency: fees.map((e) => e.currency).join("+"),
  };
}

/**
 * A fill's duplicate-detection fingerprint: "fp:" + 24 hex of SHA-256 over (exchange, market
 * type, symbol, time to the second, side, price, amount, fee, fee currency). Equal for an
 * imported fill and the API-synced copy of the same execution.
 */
export function fingerprint(fill: FillRow): string {
  return "fp:" + sha256Hex(fillKeyText(fingerprintFields(fill))).slice(0, SHORT_HASH_HEX);
}
