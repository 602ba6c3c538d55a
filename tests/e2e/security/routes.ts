/**
 * The HTTP endpoints of every Edge Function, for the fuzzer: method × path, which tokens may
 * succeed there, and valid sample values of each body field and query parameter (the fuzzer
 * starts from these and breaks them). Functions are discovered from `functions/<name>/handler.ts`;
 * a function without an entry here is still fuzzed with DEFAULT_ROUTES (every method on its
 * root and on a sub-path) and reported, so that it gets its own list.
 *
 * Placeholders resolved by the fuzzer: $OWN_CRED / $VICTIM_CRED (credential uuids), $OWN_USER /
 * $VICTIM_USER, $OWN_POSITION / $VICTIM_POSITION (position ids), $VICTIM_TRADE (trade id).
 */

export type TokenKind = "user" | "service" | "anon";

export interface RouteSpec {
  method: string;
  /** Path after the function name; `:id` is replaced by the fuzzer. */
  path: string;
  /** What `:id` stands for. */
  id?: "credential" | "position" | "exchange";
  /** Whether a valid request reaches an exchange (then it is not sent over HTTP, where msw cannot answer). */
  callsExchanges?: "always" | "when-verify";
  /** Tokens with which a valid request succeeds. */
  auth: TokenKind[];
  /** Body kind: JSON object, CSV upload, optional JSON, or none. */
  body: "json" | "csv" | "optional-json" | "none";
  /** Body fields and valid sample values. */
  fields?: Record<string, unknown[]>;
  /** Query parameters and valid sample values. */
  query?: Record<string, string[]>;
  /**
   * With the service key, a valid body acts on every user's data by design (a queue drain, a
   * job for any user_id): the fuzzer then sends only malformed bodies with that key.
   */
  serviceActsOnAllUsers?: boolean;
  /** One valid request for the caller (query string and body; `:id` is the caller's own id). */
  example?: { query?: string; body?: unknown; csv?: string };
}

const EXCHANGES = ["binance", "bitget", "gateio", "mexc"];
const PERIODS = ["7d", "30d", "90d", "1y", "all"];

export const ROUTES: Record<string, RouteSpec[]> = {
  health: [{ method: "GET", path: "/", auth: ["user", "service", "anon"], body: "none", example: {} }],
  credentials: [
    { method: "GET", path: "/", auth: ["user"], body: "none", example: {} },
    {
      method: "POST", path: "/", auth: ["user"], body: "json", callsExchanges: "when-verify",
      example: { body: { exchange: "mexc", apiKey: "FuzzApiKey0123456789abcdef", secretKey: "FuzzSecretKey0123456789abcdef", verify: false } },
      fields: {
        exchange: [...EXCHANGES, "alpha_vantage"],
        apiKey: ["FuzzApiKey0123456789abcdef", "k"],
        secretKey: ["FuzzSecretKey0123456789abcdef", "s"],
        passphrase: ["FuzzPassphrase1"],
        label: ["Main", null, ""],
        verify: [false, true],
      },
    },
    {
      method: "PATCH", path: "/:id", id: "credential", auth: ["user"], body: "json", callsExchanges: "when-verify", example: { body: { label: "Renamed" } },
      fields: { label: ["Renamed", null], isActive: [true, false], is_active: [false], apiKey: ["FuzzApiKey2"], secretKey: ["FuzzSecret2"], passphrase: ["FuzzPass2"], verify: [false] },
    },
    { method: "DELETE", path: "/:id", id: "credential", auth: ["user"], body: "none", query: { purge: ["false", "true"] }, example: { query: "?purge=false" } },
    { method: "POST", path: "/:id/verify", id: "credential", auth: ["user"], body: "none", callsExchanges: "always", example: {} },
  ],
  api: [
    { method: "GET", path: "/positions/open", auth: ["user"], body: "none", example: {}, query: { exchange: EXCHANGES, symbol: ["BTC/USDT", "ETH/USDT:USDT"] } },
    { method: "GET", path: "/positions/:id", id: "position", auth: ["user"], body: "none", example: {} },
    {
      method: "GET", path: "/trades/history", auth: ["user"], body: "none", example: {},
      query: {
        period: PERIODS, from: ["2026-01-01", "2026-01-01T00:00:00Z"], to: ["2026-12-31", "2026-12-31T00:00:00Z"], symbol: ["BTC/USDT"],
        exchange: EXCHANGES, exit_type: ["TP", "SL", "MANUAL", "LIQUIDATION", "PARTIAL"], limit: ["1", "50", "500"], cursor: ["abc"],
      },
    },
    { method: "GET", path: "/performance/metrics", auth: ["user"], body: "none", example: {}, query: { period: ["daily", "weekly", "monthly", "all_time"], exchange: EXCHANGES } },
    { method: "GET", path: "/portfolio/snapshot", auth: ["user"], body: "none", example: {}, query: { exchange: EXCHANGES } },
    { method: "GET", path: "/portfolio/equity-curve", auth: ["user"], body: "none", example: {}, query: { period: PERIODS, from: ["2026-01-01"], to: ["2026-06-30"], exchange: EXCHANGES } },
  ],
  import: [
    {
      method: "POST", path: "/", auth: ["user"], body: "csv", example: { query: "?exchange=binance&kind=withdrawals", csv: "binance-withdrawals-2023.csv" },
      query: { exchange: EXCHANGES, kind: ["spot-trades", "futures-trades", "deposits", "withdrawals"], utc_offset: ["+08:00", "Z", "-05:30"] },
    },
    { method: "GET", path: "/formats", auth: ["user"], body: "none", query: { exchange: EXCHANGES, kind: ["statement", "spot-trades"] }, example: {} },
  ],
  "positions-close": [
    {
      method: "POST", path: "/", auth: ["user", "service"], body: "json", serviceActsOnAllUsers: true, example: { body: {} },
      fields: {
        position_id: ["$OWN_POSITION"], exchange: EXCHANGES, symbol: ["BTC/USDT", "ETH/USDT:USDT"], market_type: ["spot", "swap"], rebuild: [true, false],
        user_id: ["$OWN_USER"], streams: [[{ exchange: "binance", market_type: "spot", symbol: "BTC/USDT" }]],
      },
    },
  ],
  "exchange-sync": [
    { method: "POST", path: "/", auth: ["service"], body: "optional-json", serviceActsOnAllUsers: true, callsExchanges: "always", fields: { max: [1, 5, 50] } },
    { method: "POST", path: "/now", auth: ["user"], body: "optional-json", fields: { credential_id: ["$OWN_CRED", null] }, example: { body: {} } },
    { method: "GET", path: "/runs", auth: ["user"], body: "none", query: { credential_id: ["$OWN_CRED"], limit: ["1", "20", "100"] }, example: {} },
  ],
  "market-data": [
    { method: "POST", path: "/candles", auth: ["service"], body: "optional-json", serviceActsOnAllUsers: true, callsExchanges: "always", fields: { max: [1, 50, 500] } },
    { method: "POST", path: "/jobs", auth: ["service"], body: "optional-json", serviceActsOnAllUsers: true, callsExchanges: "always", fields: { jobs: [["open-interest"], ["long-short", "fred"]] } },
  ],
};

/** `exchange` (live reads): GET /:exchange/<what>. */
const LIVE = ["account-info", "assets", "open-orders", "orders", "fills", "deposits", "withdrawals", "transfers", "tickers"];
const LIVE_QUERY: Record<string, string[]> = {
  symbol: ["BTC/USDT", "ETH/USDT:USDT"], since: ["1735689600000", "2026-01-01T00:00:00Z"], limit: ["1", "100", "1000"], coin: ["USDT", "BTC"],
  from: ["spot", "futures", "funding"], to: ["spot", "futures"], symbols: ["BTC/USDT,ETH/USDT"],
};
ROUTES.exchange = LIVE.map((what) => ({
  method: "GET", path: `/:id/${what}`, id: "exchange" as const, auth: ["user"] as TokenKind[], body: "none" as const, callsExchanges: "always" as const, query: LIVE_QUERY,
  example: { query: what === "tickers" ? "?symbols=BTC/USDT" : what.endsWith("orders") || what === "fills" ? "?symbol=BTC/USDT" : "" },
}));

/** For a function without a route list: every common method on its root and on a sub-path. */
export const DEFAULT_ROUTES: RouteSpec[] = ["GET", "POST", "PATCH", "DELETE"].flatMap((method): RouteSpec[] => [
  { method, path: "/", auth: ["user"] as TokenKind[], callsExchanges: "always" as const, body: (method === "GET" || method === "DELETE" ? "none" : "json") as RouteSpec["body"], fields: { id: ["$OWN_CRED"], credential_id: ["$OWN_CRED"], exchange: EXCHANGES } },
  { method, path: "/:id", id: "credential" as const, auth: ["user"] as TokenKind[], callsExchanges: "always" as const, body: (method === "GET" || method === "DELETE" ? "none" : "json") as RouteSpec["body"], fields: { exchange: EXCHANGES } },
]);
