/**
 * In-memory caches of the `exchange` function (per function instance; nothing is shared between
 * instances or survives a cold start, and nothing user-specific is kept):
 *
 * - **Prices** (the spec's 30-second TTL): last price per (exchange, symbol), public market data.
 *   A price younger than `ttlMs` is served without asking the exchange; older ones are fetched
 *   again (one ticker request for all missing symbols of a call). At most `maxEntries` entries;
 *   the oldest are dropped first.
 * - **Markets** (1 hour): ccxt's unified market list per exchange, loaded with a key-less client
 *   (public endpoints), so each request's ccxt client starts with its markets preloaded and makes
 *   no market request of its own. Concurrent first loads share one request.
 *
 * Both take an injectable clock (`now`) so tests can move time.
 */
import type { ExchangeId } from "../domain/types.ts";

export const PRICE_TTL_MS = 30_000;
export const MARKET_TTL_MS = 3_600_000;

export interface CachedPrice {
  /** Exact decimal string (the exchange's last price as sent). */
  price: string;
  /** When the exchange says the price was (ISO), or when it was fetched. */
  asOf: string;
  /** When it entered the cache (ms, cache clock). */
  fetchedAt: number;
}

export class PriceCache {
  private readonly entries = new Map<string, CachedPrice>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly now: () => number = Date.now,
    readonly ttlMs = PRICE_TTL_MS,
    private readonly maxEntries = 10_000,
  ) {}

  private key(exchange: ExchangeId, symbol: string): string {
    return `${exchange}\u0000${symbol}`;
  }

  /** A fresh price, or undefined (absent or older than the TTL). */
  get(exchange: ExchangeId, symbol: string): CachedPrice | undefined {
    const k = this.key(exchange, symbol);
    const hit = this.entries.get(k);
    if (hit && this.now() - hit.fetchedAt < this.ttlMs) {
      this.hits++;
      return hit;
    }
    if (hit) this.entries.delete(k);
    this.misses++;
    return undefined;
  }

  set(exchange: ExchangeId, symbol: string, price: string, asOf: string): CachedPrice {
    const k = this.key(exchange, symbol);
    this.entries.delete(k); // re-insert: Map order = age order
    const entry = { price, asOf, fetchedAt: this.now() };
    this.entries.set(k, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return entry;
  }

  clear(): void {
    this.entries.clear();
    this.hits = 0;
    this.misses = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}

export type Markets = Record<string, unknown>;

export class MarketCache {
  private readonly entries = new Map<ExchangeId, { markets: Markets; loadedAt: number }>();
  private readonly inflight = new Map<ExchangeId, Promise<Markets>>();

  constructor(private readonly now: () => number = Date.now, readonly ttlMs = MARKET_TTL_MS) {}

  /** Markets of `exchange`, loaded with `load` when absent or stale (failures are not cached). */
  async get(exchange: ExchangeId, load: () => Promise<Markets>): Promise<Markets> {
    const hit = this.entries.get(exchange);
    if (hit && (hit.loadedAt === Number.POSITIVE_INFINITY || this.now() - hit.loadedAt < this.ttlMs)) return hit.markets;
    let p = this.inflight.get(exchange);
    if (!p) {
      p = load().then((markets) => {
        this.entries.set(exchange, { markets, loadedAt: this.now() });
        return markets;
      }).finally(() => this.inflight.delete(exchange));
      this.inflight.set(exchange, p);
    }
    return await p;
  }

  /** Preloads markets that never expire (tests, or a warm start from a stored copy). */
  prime(exchange: ExchangeId, markets: Markets): void {
    this.entries.set(exchange, { markets, loadedAt: Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.entries.clear();
  }
}
