/**
 * gio_open_interest: open interest of the followed perpetual contracts in USDT notional.
 * - Gate (the spec's source): ccxt has no unified fetchOpenInterest for gate, so its implicit
 *   public API `GET /futures/{settle}/contract_stats` (interval 1h, 25 points): the latest point's
 *   open_interest_usd; change_24h against the point 24 hours earlier.
 * - Binance (ccxt fetchOpenInterestHistory, 1h, 25 points: sumOpenInterestValue), same rule.
 * One row per (symbol, exchange, source time), upserted.
 */
import { z } from "zod";
import type { ExchangeId } from "../domain/types.ts";
import { decimalText } from "./candles.ts";
import { contracts, errorText, type JobOutcome, type MarketJobDeps } from "./context.ts";
import { symbolId } from "./masters.ts";

const H24 = 86_400_000;
const numeric = z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform((v) => (typeof v === "number" ? decimalText(v) : v));

export interface OiPoint {
  at: number;
  value: string;
}

/** Gate contract_stats rows (time in seconds) → points. */
export const gateContractStats = z.array(z.object({ time: z.number().int(), open_interest_usd: numeric, lsr_account: numeric.optional() }).passthrough());

/** Gate's contract id and settle currency of a ccxt swap symbol (BTC/USDT:USDT → BTC_USDT, usdt). */
export function gateContract(symbol: string): { contract: string; settle: string } {
  const [pair, settle = "USDT"] = symbol.split(":");
  return { contract: pair.replace("/", "_"), settle: settle.toLowerCase() };
}

export async function gateStats(deps: MarketJobDeps, symbol: string): Promise<z.infer<typeof gateContractStats>> {
  const client = deps.createClient("gateio");
  const { contract, settle } = gateContract(symbol);
  // deno-lint-ignore no-explicit-any
  const raw = await (client as any).publicFuturesGetSettleContractStats({ settle, contract, interval: "1h", limit: 25 });
  return gateContractStats.parse(raw);
}

/** The latest point and the value exactly 24 h before it (null when the source has none). */
export function latestWithBefore(points: OiPoint[]): { at: number; value: string; before: string | null } | null {
  if (!points.length) return null;
  const latest = points.reduce((a, b) => (b.at > a.at ? b : a));
  return { ...latest, before: points.find((p) => p.at === latest.at - H24)?.value ?? null };
}

/** Upserts one point; change_24h = value − before, exact (numeric). Returns rows written. */
async function store(deps: MarketJobDeps, symbol: string, exchange: ExchangeId, p: { at: number; value: string; before: string | null }): Promise<number> {
  const id = await symbolId(deps.sql, symbol);
  const r = await deps.sql`
    insert into public.gio_open_interest as g (symbol_id, exchange, open_interest, change_24h, last_updated)
    values (${id}, ${exchange}, ${p.value}::numeric, ${p.value}::numeric - ${p.before}::numeric, ${new Date(p.at).toISOString()})
    on conflict (symbol_id, exchange, last_updated) do update
       set open_interest = excluded.open_interest, change_24h = excluded.change_24h
     where (g.open_interest, g.change_24h) is distinct from (excluded.open_interest, excluded.change_24h)
    returning 1`;
  return r.length;
}

/** The exchange's own decimal string when the raw row has it (exact), else ccxt's number as text. */
function rawOr(info: unknown, key: string, n: number): string {
  const v = (info as Record<string, unknown> | undefined)?.[key];
  return typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? v : decimalText(n);
}

export async function runOpenInterest(deps: MarketJobDeps): Promise<JobOutcome> {
  let rows = 0;
  const errors: string[] = [];
  for (const symbol of contracts(deps)) {
    try {
      const stats = await gateStats(deps, symbol);
      const p = latestWithBefore(stats.map((s) => ({ at: s.time * 1000, value: s.open_interest_usd })));
      if (p) rows += await store(deps, symbol, "gateio", p);
    } catch (e) {
      errors.push(errorText(e, deps, `gateio ${symbol}: `));
    }
    try {
      const client = deps.createClient("binance");
      const hist = await client.fetchOpenInterestHistory(symbol, "1h", undefined, 25);
      const points = hist.filter((h) => h.openInterestValue !== undefined && h.timestamp !== undefined)
        .map((h) => ({ at: h.timestamp!, value: rawOr(h.info, "sumOpenInterestValue", h.openInterestValue!) }));
      const p = latestWithBefore(points);
      if (p) rows += await store(deps, symbol, "binance", p);
    } catch (e) {
      errors.push(errorText(e, deps, `binance ${symbol}: `));
    }
  }
  return { status: errors.length ? "failed" : "succeeded", rows, errors };
}
