/**
 * `exchange`: live reads of the caller's exchange account, with the key they stored through the
 * `credentials` function (decrypted here, per request, never returned or logged). All routes are
 * GET and need a signed-in user's token; `:exchange` = binance | bitget | gateio (or gate) | mexc.
 *
 *   route                                          ccxt call(s)                       answer (schemas: _shared/live/schemas.ts)
 *   /exchange/:exchange/account-info               fetchBalance                       NormalizedAccountInfo
 *   /exchange/:exchange/assets                     binance getUserAsset, else         { assets: NormalizedUserAsset[], total_usd_value,
 *                                                  fetchBalance; + fetchTickers         unpriced, prices_error, as_of }   (USD prices cached 30 s)
 *   /exchange/:exchange/open-orders?symbol=        fetchOpenOrders                    { orders: Order[], skipped, as_of }   (symbol required on mexc)
 *   /exchange/:exchange/orders?symbol=&since=&limit=  fetchOrders (binance, mexc;     { orders: Order[], skipped, as_of }
 *                                                  symbol required) / fetchClosedOrders (bitget, gate)
 *   /exchange/:exchange/fills?symbol=&since=&limit=   fetchMyTrades (symbol required   { fills: TradeFill[], skipped, as_of }
 *                                                  except on gate)
 *   /exchange/:exchange/deposits?coin=&since=&limit=     fetchDeposits               { deposits: NormalizedDeposit[], as_of }
 *   /exchange/:exchange/withdrawals?coin=&since=&limit=  fetchWithdrawals            { withdrawals: NormalizedWithdrawal[], as_of }
 *   /exchange/:exchange/transfers?from=&to=&coin=&since=&limit=  fetchTransfers      { transfers: NormalizedTransfer[], as_of }
 *                                                  (gate: 501; bitget: coin required; from/to = spot|futures|funding)
 *   /exchange/:exchange/tickers?symbols=A,B        fetchTickers (public; no key       { tickers: [{ symbol, price, as_of, cached }], unknown, as_of }
 *                                                  needed; 30 s cache)
 *
 * Amounts and prices are exact decimal strings; times are ms numbers (spec) plus `as_of` (ISO).
 * `since`: ms since 1970 or ISO-8601; `limit`: 1..max page of the exchange (binance/gate 1000,
 * bitget/mexc 100). Each history call is one exchange page: page on with `since`.
 *
 * Errors (`{ error: { code, message, details } }`): no token 401; unknown exchange or route 404;
 * bad query 400; no stored key (or deleted) 404 `no_credential`; deactivated key 409; the exchange
 * rejects the key 422 `invalid_key` (and the credential is marked invalid); exchange rate limit
 * 429 + Retry-After; exchange down / unreachable 503; malformed exchange answer 502; not offered
 * by the exchange 501. Never a 500 for exchange trouble.
 */
import type { Exchange } from "ccxt";
import { requireUser, type AuthUser } from "../_shared/auth.ts";
import { envRecord } from "../_shared/env.ts";
import { HttpError, json, serveJson, subpath } from "../_shared/http.ts";
import { CredentialDecryptError, decryptCredentialSecrets, loadCredentialCrypto } from "../_shared/crypto/mod.ts";
import { verifyOptionsFromEnv } from "../_shared/credentials/verify.ts";
import type { ExchangeId } from "../_shared/domain/types.ts";
import {
  accountInfo, configureLive, deposits, fills, liveDeps, markCredentialInvalid, openOrders, orderHistory, parseExchange,
  parseLiveQuery, parseRoute, privateClient, requireExchangeCredential, tickers, transfers, translateExchangeError,
  userAssets, withdrawals, type HistoryQuery, type LiveRoute, type Secrets, type TransferQuery,
} from "../_shared/live/index.ts";

// Start-up: a malformed, short or missing key stops the function here, with a clear error.
const { keyring } = await loadCredentialCrypto(envRecord());
const { timeoutMs } = verifyOptionsFromEnv(envRecord());
if (timeoutMs !== undefined) configureLive({ timeoutMs });

interface Session {
  user: AuthUser;
  exchange: ExchangeId;
  credentialId: string;
  keyPermissions: Record<string, unknown> | null;
  client: Exchange;
  secrets: Secrets;
}

async function openSession(user: AuthUser, exchange: ExchangeId, route: LiveRoute): Promise<Session> {
  const row = await requireExchangeCredential(user, exchange);
  let secrets: Secrets;
  try {
    secrets = await decryptCredentialSecrets(keyring, row);
  } catch (err) {
    if (err instanceof CredentialDecryptError) {
      console.error(`exchange: decryption failed (${err.code}) for a stored credential`);
      throw new HttpError(409, "credential_unreadable", "The stored key can no longer be decrypted; save the key again (POST /credentials).");
    }
    throw err;
  }
  let client: Exchange;
  try {
    client = await privateClient(exchange, secrets, row.account_mode);
  } catch (err) {
    throw await translateExchangeError(err, { exchange, secrets, route, now: liveDeps.now() });
  }
  return { user, exchange, credentialId: row.id, keyPermissions: row.permissions, client, secrets };
}

/** Runs one exchange read; exchange errors become their HTTP answer (auth: credential marked invalid). */
async function guarded<T>(s: Session, route: LiveRoute, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw await translateExchangeError(err, {
      exchange: s.exchange,
      client: s.client as never,
      secrets: s.secrets,
      now: liveDeps.now(),
      route,
      credentialId: s.credentialId,
      onAuthFailure: () => markCredentialInvalid(s.user, s.credentialId),
    });
  }
}

/** A path segment, percent-decoded when it can be (a malformed escape is kept as sent). */
function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function route(req: Request): Promise<Response> {
  const user = await requireUser(req);
  // A signed token whose subject is not a user id can own nothing (and must not reach SQL as one).
  if (!UUID.test(user.id)) throw new HttpError(401, "invalid_token", "The access token's subject is not a user id.");
  const parts = subpath(req, "exchange").split("/").filter(Boolean);
  if (parts.length === 0) {
    throw new HttpError(404, "not_found", "Name an exchange and a route: GET /exchange/:exchange/:route, e.g. /exchange/binance/assets.");
  }
  const exchange = parseExchange(decodeSegment(parts[0]));
  if (parts.length > 2) parseRoute(parts.slice(1).join("/"));
  const name = parseRoute(parts[1]);
  if (req.method !== "GET") {
    throw new HttpError(405, "method_not_allowed", "Use GET here.", undefined, { allow: "GET, OPTIONS" });
  }
  const q = parseLiveQuery(new URL(req.url), name, exchange, liveDeps.now());
  const asOf = () => new Date(liveDeps.now()).toISOString();

  if (name === "tickers") {
    try {
      const out = await tickers(exchange, q.symbols as string[]);
      return json({ exchange, ...out, as_of: asOf() });
    } catch (err) {
      throw await translateExchangeError(err, { exchange, now: liveDeps.now(), route: name });
    }
  }

  const s = await openSession(user, exchange, name);
  switch (name) {
    case "account-info":
      return json(await guarded(s, name, () => accountInfo(s.client, exchange, s.keyPermissions)));
    case "assets":
      return json(await guarded(s, name, () =>
        userAssets(s.client, exchange, async (e) => {
          const h = await translateExchangeError(e, { exchange, now: liveDeps.now(), route: "assets (prices)" });
          return h.message;
        })));
    case "open-orders":
      return json({ exchange, ...(await guarded(s, name, () => openOrders(s.client, exchange, q as { symbol?: string }))), as_of: asOf() });
    case "orders":
      return json({ exchange, ...(await guarded(s, name, () => orderHistory(s.client, exchange, q as HistoryQuery))), as_of: asOf() });
    case "fills":
      return json({ exchange, ...(await guarded(s, name, () => fills(s.client, exchange, q as HistoryQuery))), as_of: asOf() });
    case "deposits":
      return json({ exchange, deposits: await guarded(s, name, () => deposits(s.client, exchange, q)), as_of: asOf() });
    case "withdrawals":
      return json({ exchange, withdrawals: await guarded(s, name, () => withdrawals(s.client, exchange, q)), as_of: asOf() });
    case "transfers":
      return json({ exchange, transfers: await guarded(s, name, () => transfers(s.client, exchange, q as unknown as TransferQuery)), as_of: asOf() });
  }
}

export default serveJson("exchange", route);
