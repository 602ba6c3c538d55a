/**
 * Verifies an exchange API key through ccxt before it is stored.
 *
 * 1. A cheap private call: `fetchBalance()` (spot). If it answers, the key and secret (and
 *    bitget passphrase) are valid and can read.
 * 2. The key's permissions, where the exchange tells:
 *    - Binance `GET sapi/v1/account/apiRestrictions` (`enableReading`, `enableSpotAndMarginTrading`,
 *      `enableFutures`, `enableWithdrawals`, `ipRestrict`);
 *    - Bitget `GET api/v2/spot/account/info` → `authorities` (read-only codes end in `r`, read-write
 *      in `w`: `stow` spot trade, `coow`/`cpow` futures orders/positions, `wwow` withdraw; older keys
 *      report `readonly` / `trade` / `withdraw`) and `ips`;
 *    - Gate `GET api/v4/account/detail` (`ip_whitelist`, key mode) and `GET api/v4/account/main_keys`
 *      (the key's `perms`, found by its key; a `withdraw` or a read-write `wallet` permission counts
 *      as able to withdraw). Either may be refused (sub-account keys): then `null` = unknown;
 *    - MEXC exposes no per-key permissions: `null` (unknown), except read. The account-level flags
 *      of `api/v3/account` (`canTrade`, `canWithdraw`) are kept in the summary for information only.
 * 3. A key that can withdraw is refused (`withdraw_enabled`) unless `allowWithdrawKeys`.
 *
 * Errors are classified, never rethrown: `invalid_key` (ccxt AuthenticationError and its
 * subclasses; MEXC `10072` "Api key info invalid" arrives as BadRequest and counts),
 * `exchange_unavailable` (NetworkError: ExchangeNotAvailable, RequestTimeout, DDoSProtection,
 * RateLimitExceeded, InvalidNonce — retrying is the caller's business), `exchange_error`
 * (anything else). Messages are plain words with the exchange's own reason, and are scrubbed
 * of the key, secret and passphrase.
 */
import type { Exchange } from "ccxt";
import * as ccxt from "../exchanges/ccxt.ts";
import type { ExchangeId } from "../domain/types.ts";
import { parseConfig } from "../config.ts";
import { type ApiSecrets, type CcxtClientOptions, createCcxtClient } from "./ccxt-client.ts";

export interface KeyPermissions {
  read: boolean | null;
  spotTrade: boolean | null;
  futuresTrade: boolean | null;
  withdraw: boolean | null;
  ipRestricted: boolean | null;
}

export type VerifyFailureStatus = "invalid_key" | "withdraw_enabled" | "exchange_unavailable" | "exchange_error";

/** What the exchange said, reduced to safe facts (no balances, no ids, no secrets). */
export interface VerificationSummary {
  exchange: ExchangeId;
  /** Private calls that answered, in order (e.g. `fetchBalance`, `apiRestrictions`). */
  checks: string[];
  /** Where permissions came from: the exchange's key-permission data, or nowhere. */
  permissionsSource: "exchange" | "unavailable";
  /** Number of assets with a non-zero balance (a hint for the UI that the right account is linked). */
  assetsWithBalance: number;
  /** Exchange-specific flags (booleans, codes, counts). */
  details: Record<string, string | number | boolean | string[] | null>;
}

export interface VerifiedKey {
  ok: true;
  status: "verified";
  exchange: ExchangeId;
  permissions: KeyPermissions;
  summary: VerificationSummary;
  verifiedAt: string;
}

export interface VerifyFailure {
  ok: false;
  status: VerifyFailureStatus;
  exchange: ExchangeId;
  /** For the user: what happened and what to do. Never contains the key or secret. */
  message: string;
  /** The exchange's own words (code + message), scrubbed; null when there were none. */
  exchangeReason: string | null;
  /** The ccxt error class, for logs (e.g. "AuthenticationError"). */
  errorClass: string | null;
  /** Suggested HTTP status: 422 (invalid_key, withdraw_enabled), 503 (unavailable), 502 (other). */
  httpStatus: 422 | 502 | 503;
  /** Present for withdraw_enabled (and whenever known). */
  permissions?: KeyPermissions;
  summary?: VerificationSummary;
}

export type VerifyResult = VerifiedKey | VerifyFailure;

export interface VerifyOptions extends CcxtClientOptions {
  // `markets`: preloaded markets; default none (verification needs no market data).
  /** Accept keys that can withdraw (server setting; default false). */
  allowWithdrawKeys?: boolean;
  /** Clock for `verifiedAt` (tests). */
  now?: () => Date;
  /** Client factory override (tests, or the sync's own adapters). */
  createClient?: (exchange: ExchangeId, secrets: ApiSecrets, options: CcxtClientOptions) => Exchange;
}

export const EXCHANGE_NAMES: Record<ExchangeId, string> = {
  binance: "Binance",
  bitget: "Bitget",
  gateio: "Gate",
  mexc: "MEXC",
};

const HOW_TO_RESTRICT: Record<ExchangeId, string> = {
  binance:
    "On Binance: Account → API Management → “Edit restrictions” on this key → untick “Enable Withdrawals” " +
    "(keep “Enable Reading”; tick “Enable Spot & Margin Trading” or “Enable Futures” only if you want to trade from here) → Save, then submit the key again.",
  bitget:
    "On Bitget: Profile → API Management → edit this key (or create a new one) → leave “Withdraw” unticked and choose “Read-only”, " +
    "or “Read and write” with only the trading permissions you need → Save, then submit the key again with its passphrase.",
  gateio:
    "On Gate: API Management → edit this APIv4 key → turn off “Withdrawal” and set “Wallet” to read-only; keep Spot/Perpetual Futures " +
    "read-only, or read-write only if you want to trade from here → Save, then submit the key again.",
  mexc:
    "On MEXC: API Management → create a key with only “View Account Details” (and “Trade” if you want to trade from here), " +
    "without “Withdraw” → submit that key.",
};

// ---------------------------------------------------------------------------------------------
// Scrubbing and reasons

/** Replaces every occurrence of the secrets (and long-enough fragments of the key) in `text`. */
export function scrubSecrets(text: string, secrets: Partial<ApiSecrets>): string {
  let out = text;
  for (const s of [secrets.apiKey, secrets.secretKey, secrets.passphrase]) {
    if (typeof s === "string" && s.length >= 4) out = out.split(s).join("[redacted]");
  }
  return out;
}

function firstJsonObject(text: string): Record<string, unknown> | null {
  for (let start = text.indexOf("{"); start !== -1; start = text.indexOf("{", start + 1)) {
    const end = text.lastIndexOf("}");
    if (end <= start) return null;
    try {
      const parsed = JSON.parse(text.slice(start, end + 1));
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // try the next brace
    }
  }
  return null;
}

const asText = (v: unknown): string | null =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : typeof v === "number" ? String(v) : null;

/**
 * The exchange's reason from a ccxt error message (`"<id> <body>"` or
 * `"<id> GET <url> <status> <text> <body>"`): message + code from the JSON body when there is
 * one, else the HTTP status, else a generic description of the transport failure.
 */
export function exchangeReason(err: unknown, secrets: Partial<ApiSecrets>): string | null {
  const message = err instanceof Error ? err.message : typeof err === "string" ? err : "";
  if (!message) return null;
  const body = firstJsonObject(message);
  let reason: string | null = null;
  if (body) {
    const text = asText(body.msg) ?? asText(body.message) ?? asText(body.error_description) ?? asText(body.error);
    const code = asText(body.code) ?? asText(body.label);
    if (text && code && !text.includes(code)) reason = `${text} (code ${code})`;
    else reason = text ?? (code ? `code ${code}` : null);
  }
  if (!reason) {
    if (err instanceof ccxt.RequestTimeout) reason = "the request timed out";
    else if (/fetch failed|Failed to fetch|ECONNREFUSED|ENOTFOUND|ECONNRESET|EAI_AGAIN|network/i.test(message)) {
      reason = "the connection to the exchange failed";
    } else {
      const status = message.match(/\s([1-5]\d\d)\s/);
      if (status) reason = `HTTP ${status[1]}${/<html|<!doctype/i.test(message) ? " (an HTML error page)" : ""}`;
    }
  }
  if (!reason) return null;
  reason = scrubSecrets(reason, secrets).replace(/\s+/g, " ");
  return reason.length > 200 ? `${reason.slice(0, 200)}…` : reason;
}

function errorClassName(err: unknown): string | null {
  return err instanceof Error ? err.constructor?.name ?? err.name : null;
}

/** MEXC answers a bad key with `10072` "Api key info invalid" as a BadRequest. */
function isMexcBadKey(exchange: ExchangeId, err: unknown): boolean {
  if (exchange !== "mexc" || !(err instanceof ccxt.BadRequest)) return false;
  const body = firstJsonObject(err.message);
  return asText(body?.code) === "10072" || /api key info invalid/i.test(err.message);
}

/** Classifies any error thrown while talking to an exchange. Exported for the sync and re-verify. */
export function classifyExchangeError(exchange: ExchangeId, err: unknown, secrets: Partial<ApiSecrets> = {}): VerifyFailure {
  const name = EXCHANGE_NAMES[exchange];
  const reason = exchangeReason(err, secrets);
  const quoted = reason ? `: “${reason}”` : "";
  const base = { ok: false as const, exchange, exchangeReason: reason, errorClass: errorClassName(err) };
  if (err instanceof ccxt.AuthenticationError || isMexcBadKey(exchange, err)) {
    return {
      ...base,
      status: "invalid_key",
      httpStatus: 422,
      message:
        `${name} rejected this API key${quoted}. Check that the API key and secret${exchange === "bitget" ? " and passphrase" : ""} ` +
        `were copied completely, that the key is still enabled, and that its IP whitelist (if any) allows this service.`,
    };
  }
  if (err instanceof ccxt.InvalidNonce) {
    return {
      ...base,
      status: "exchange_unavailable",
      httpStatus: 503,
      message: `${name} refused the request's timestamp${quoted} (a clock difference with ${name}). Please try again in a minute.`,
    };
  }
  if (err instanceof ccxt.NetworkError) {
    return {
      ...base,
      status: "exchange_unavailable",
      httpStatus: 503,
      message: `${name} could not be reached to check this key${quoted}. Please try again in a few minutes.`,
    };
  }
  return {
    ...base,
    status: "exchange_error",
    httpStatus: 502,
    message: `${name} returned an unexpected answer while checking this key${quoted}.`,
  };
}

// ---------------------------------------------------------------------------------------------
// Permission readers (one per exchange). Each returns null when the data is not available.

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => v !== null && typeof v === "object" && !Array.isArray(v);
const bool = (v: unknown): boolean | null =>
  typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : null;

/**
 * In the permission step (after fetchBalance proved the key), any refusal means "this exchange
 * will not tell us for this key" (e.g. a sub-account key on a main-account endpoint): the
 * permissions stay unknown. Only a transport failure stops the verification, since the
 * withdrawal check is a security gate that must not be skipped because of a timeout.
 */
function isSoftFailure(err: unknown): boolean {
  return !(err instanceof ccxt.NetworkError);
}

interface PermissionReading {
  permissions: Partial<KeyPermissions>;
  details: VerificationSummary["details"];
  checks: string[];
}

async function binancePermissions(ex: Exchange): Promise<PermissionReading | null> {
  const r = await (ex as unknown as { sapiGetAccountApiRestrictions(): Promise<unknown> }).sapiGetAccountApiRestrictions();
  if (!isDict(r)) return null;
  const flags = [
    "enableReading",
    "enableSpotAndMarginTrading",
    "enableFutures",
    "enableMargin",
    "enableWithdrawals",
    "enableInternalTransfer",
    "permitsUniversalTransfer",
    "enableVanillaOptions",
    "enablePortfolioMarginTrading",
    "ipRestrict",
  ];
  const details: VerificationSummary["details"] = {};
  for (const f of flags) if (bool(r[f]) !== null) details[f] = bool(r[f]);
  return {
    checks: ["apiRestrictions"],
    details,
    permissions: {
      read: bool(r.enableReading),
      spotTrade: bool(r.enableSpotAndMarginTrading),
      futuresTrade: bool(r.enableFutures),
      withdraw: bool(r.enableWithdrawals),
      ipRestricted: bool(r.ipRestrict),
    },
  };
}

/** Bitget authority codes (api/v2/spot/account/info). */
export function bitgetPermissionsFromAuthorities(authorities: readonly string[], ips: unknown): Partial<KeyPermissions> {
  const has = (...codes: string[]) => codes.some((c) => authorities.includes(c));
  const legacyTrade = has("trade");
  return {
    read: true,
    spotTrade: has("stow", "smow") || legacyTrade,
    futuresTrade: has("coow", "cpow") || legacyTrade,
    withdraw: has("wwow", "withdraw"),
    ipRestricted: typeof ips === "string" ? ips.trim() !== "" : Array.isArray(ips) ? ips.length > 0 : null,
  };
}

async function bitgetPermissions(ex: Exchange): Promise<PermissionReading | null> {
  const r = await (ex as unknown as { privateSpotGetV2SpotAccountInfo(): Promise<unknown> }).privateSpotGetV2SpotAccountInfo();
  const data = isDict(r) ? r.data : undefined;
  if (!isDict(data) || !Array.isArray(data.authorities)) return null;
  const authorities = data.authorities.filter((a): a is string => typeof a === "string").map((a) => a.toLowerCase());
  return {
    checks: ["accountInfo"],
    details: { authorities, traderType: asText(data.traderType) },
    permissions: bitgetPermissionsFromAuthorities(authorities, data.ips),
  };
}

async function gatePermissions(ex: Exchange, apiKey: string): Promise<PermissionReading | null> {
  const api = ex as unknown as { privateAccountGetDetail(): Promise<unknown>; privateAccountGetMainKeys(): Promise<unknown> };
  const out: PermissionReading = { checks: [], details: {}, permissions: {} };
  try {
    const detail = await api.privateAccountGetDetail();
    if (isDict(detail)) {
      out.checks.push("accountDetail");
      if (Array.isArray(detail.ip_whitelist)) {
        out.permissions.ipRestricted = detail.ip_whitelist.length > 0;
        out.details.ipWhitelistEntries = detail.ip_whitelist.length;
      }
      const mode = isDict(detail.key) ? detail.key.mode : undefined;
      if (typeof mode === "number") out.details.keyMode = mode === 2 ? "unified" : mode === 1 ? "classic" : String(mode);
    }
  } catch (err) {
    if (!isSoftFailure(err)) throw err;
  }
  try {
    const keys = await api.privateAccountGetMainKeys();
    const mine = Array.isArray(keys) ? keys.find((k) => isDict(k) && k.key === apiKey) : undefined;
    if (isDict(mine) && Array.isArray(mine.perms)) {
      out.checks.push("mainKeys");
      const perms = mine.perms.filter(isDict).map((p) => ({ name: String(p.name), readOnly: p.read_only === true }));
      const write = (name: string) => perms.some((p) => p.name === name && !p.readOnly);
      out.details.perms = perms.map((p) => `${p.name}:${p.readOnly ? "read" : "write"}`);
      out.permissions.read = true;
      out.permissions.spotTrade = write("spot");
      out.permissions.futuresTrade = write("futures") || write("delivery");
      out.permissions.withdraw = write("withdraw") || write("wallet");
      if (Array.isArray(mine.ip_whitelist)) out.permissions.ipRestricted = mine.ip_whitelist.length > 0;
    }
  } catch (err) {
    if (!isSoftFailure(err)) throw err;
  }
  return out.checks.length > 0 ? out : null;
}

// ---------------------------------------------------------------------------------------------

function countAssets(balance: unknown): number {
  if (!isDict(balance) || !isDict(balance.total)) return 0;
  return Object.values(balance.total).filter((v) => typeof v === "number" && v !== 0).length;
}

function mexcAccountDetails(balance: unknown): VerificationSummary["details"] {
  const info = isDict(balance) && isDict(balance.info) ? balance.info : {};
  const details: VerificationSummary["details"] = {};
  for (const f of ["canTrade", "canWithdraw", "canDeposit"]) {
    if (bool(info[f]) !== null) details[`account_${f}`] = bool(info[f]);
  }
  if (typeof info.accountType === "string") details.accountType = info.accountType;
  return details;
}

/**
 * Verifies a key. Never throws for exchange problems (returns a `VerifyFailure`); the returned
 * object never contains the key, the secret or the passphrase.
 */
export async function verifyExchangeKey(
  exchange: ExchangeId,
  secrets: ApiSecrets,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const now = options.now ?? (() => new Date());
  const make = options.createClient ?? createCcxtClient;
  let ex: Exchange;
  try {
    ex = make(exchange, secrets, {
      enableRateLimit: options.enableRateLimit,
      timeoutMs: options.timeoutMs,
      // Verification needs no market data: an empty preload stops ccxt from downloading every
      // market (and, on Binance, from a private currencies call) before fetchBalance.
      markets: options.markets ?? {},
    });
  } catch (err) {
    return classifyExchangeError(exchange, err, secrets);
  }

  const checks: string[] = [];
  let balance: unknown;
  try {
    balance = await ex.fetchBalance();
    checks.push("fetchBalance");
  } catch (err) {
    return classifyExchangeError(exchange, err, secrets);
  }

  let reading: PermissionReading | null = null;
  try {
    if (exchange === "binance") reading = await binancePermissions(ex);
    else if (exchange === "bitget") reading = await bitgetPermissions(ex);
    else if (exchange === "gateio") reading = await gatePermissions(ex, secrets.apiKey);
  } catch (err) {
    if (!isSoftFailure(err)) return classifyExchangeError(exchange, err, secrets);
    reading = null; // the exchange refused to tell: permissions stay unknown
  }

  const permissions: KeyPermissions = {
    read: true, // fetchBalance answered
    spotTrade: null,
    futuresTrade: null,
    withdraw: null,
    ipRestricted: null,
    ...(reading?.permissions ?? {}),
  };
  if (permissions.read === false) permissions.read = true; // it did read the balance
  const details = { ...(reading?.details ?? {}), ...(exchange === "mexc" ? mexcAccountDetails(balance) : {}) };
  const summary: VerificationSummary = {
    exchange,
    checks: [...checks, ...(reading?.checks ?? [])],
    permissionsSource: reading && Object.keys(reading.permissions).length > 0 ? "exchange" : "unavailable",
    assetsWithBalance: countAssets(balance),
    details: JSON.parse(scrubSecrets(JSON.stringify(details), secrets)),
  };

  if (permissions.withdraw === true && !options.allowWithdrawKeys) {
    const name = EXCHANGE_NAMES[exchange];
    return {
      ok: false,
      status: "withdraw_enabled",
      exchange,
      httpStatus: 422,
      exchangeReason: null,
      errorClass: null,
      permissions,
      summary,
      message:
        `This ${name} API key has withdrawal permission, so it was not saved. This service only needs to read your account ` +
        `(and to trade, if you trade from here); a key that cannot withdraw cannot be used to move funds off ${name} ` +
        `even if it leaked. ${HOW_TO_RESTRICT[exchange]}`,
    };
  }
  return { ok: true, status: "verified", exchange, permissions, summary, verifiedAt: now().toISOString() };
}

/**
 * Server settings for verification, from the environment (passed in as a record), validated by
 * the one configuration schema (config.ts): CREDENTIAL_ALLOW_WITHDRAW_KEYS = true | false
 * (default false), EXCHANGE_TIMEOUT_MS = per-request timeout (default ccxt's 10 000). Anything
 * else is a configuration error naming the variable.
 */
export function verifyOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): Pick<VerifyOptions, "allowWithdrawKeys" | "timeoutMs"> {
  const c = parseConfig(env);
  const out: Pick<VerifyOptions, "allowWithdrawKeys" | "timeoutMs"> = { allowWithdrawKeys: c.CREDENTIAL_ALLOW_WITHDRAW_KEYS };
  if (c.EXCHANGE_TIMEOUT_MS !== undefined) out.timeoutMs = c.EXCHANGE_TIMEOUT_MS;
  return out;
}
