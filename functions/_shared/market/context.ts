/** What every market-data job gets and returns (shared by jobs.ts and the job modules). */
import type { Sql } from "../db.ts";
import type { ExchangeId } from "../domain/types.ts";
import type { CcxtExchange } from "../exchanges/index.ts";
import { scrubMessage } from "../sync/scrub.ts";

export interface MarketJobDeps {
  sql: Sql;
  /** A public (keyless) ccxt client per exchange. */
  createClient: (exchange: ExchangeId) => CcxtExchange;
  /** HTTP for non-ccxt sources (FRED). */
  fetch: typeof fetch;
  env: (name: string) => string | undefined;
  now: () => number;
  log?: (line: string) => void;
}

export interface JobOutcome {
  status: "succeeded" | "failed" | "not_configured";
  rows: number;
  /** Per-source problems (scrubbed); any makes the job failed, the other sources' rows stay. */
  errors: string[];
}

/** The perpetual contracts the market tables follow (MARKET_DATA_CONTRACTS, comma-separated ccxt symbols). */
export function contracts(deps: Pick<MarketJobDeps, "env">): string[] {
  return (deps.env("MARKET_DATA_CONTRACTS") ?? "BTC/USDT:USDT,ETH/USDT:USDT").split(",").map((s) => s.trim()).filter(Boolean);
}

/** An error as one short line without secrets (FRED_API_KEY, URL queries). */
export function errorText(e: unknown, deps: Pick<MarketJobDeps, "env">, prefix = ""): string {
  const msg = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
  return scrubMessage(`${prefix}${msg}`, [deps.env("FRED_API_KEY")], 300);
}
