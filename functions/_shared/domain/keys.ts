/**
 * Natural keys built in more than one module, defined once (issue 16).
 */

/** A PnL stream: one user's (exchange, market type, symbol). */
export interface StreamRef {
  exchange: string;
  market_type: string;
  symbol: string;
}

/** The key of a stream within one user: `exchange|market_type|symbol`. */
export function streamKey(exchange: string, market_type: string, symbol: string): string {
  return exchange + "|" + market_type + "|" + symbol;
}

/** streamKey of a row that carries the three columns. */
export function streamKeyOf(s: StreamRef): string {
  return streamKey(s.exchange, s.market_type, s.symbol);
}
