/**
 * Error classification for the sync: any thrown value → what to do about it.
 *
 * | kind         | from                                                                  | action                         |
 * | ------------ | --------------------------------------------------------------------- | ------------------------------ |
 * | auth         | AuthenticationError, PermissionDenied, AccountSuspended; mexc 10072   | stop, mark credential invalid  |
 * |              | (ccxt raises BadRequest for "Api key info invalid")                   |                                |
 * | rate_limit   | RateLimitExceeded (gate TOO_MANY_REQUESTS, mexc 429), DDoSProtection  | back off (Retry-After), retry  |
 * |              | (binance 429 -1003 / 418, bitget 429)                                 |                                |
 * | nonce        | InvalidNonce (binance -1021)                                          | resync time, retry             |
 * | unavailable  | ExchangeNotAvailable (binance 503 HTML, 5xx), OnMaintenance           | retry later with backoff       |
 * | network      | RequestTimeout, NetworkError (connection failure)                     | retry with backoff             |
 * | bad_response | BadResponse, NullResponse, malformed payload (our normalizers)        | fail the page, record reason   |
 * | bad_request  | other ExchangeError (BadRequest, BadSymbol, NotSupported, …)          | fail this call, no retry       |
 * | unknown      | anything else                                                         | fail, no retry                 |
 *
 * `Retry-After` is read from `ex.last_response_headers` (seconds or an HTTP date); gate's
 * `X-Gate-RateLimit-Reset-Timestamp` (ms) is used when there is no Retry-After. The headers are
 * those of the client's last response: use one client per credential, sequentially.
 */
import {
  AccountSuspended,
  AuthenticationError,
  BadRequest,
  BadResponse,
  DDoSProtection,
  ExchangeError,
  ExchangeNotAvailable,
  InvalidNonce,
  NetworkError,
  NullResponse,
  OnMaintenance,
  PermissionDenied,
  RateLimitExceeded,
  RequestTimeout,
} from "./ccxt.ts";
import { AmountFormatError } from "./amounts.ts";
import { MalformedPayloadError } from "./normalize/common.ts";

export type ErrorKind =
  | "auth"
  | "rate_limit"
  | "unavailable"
  | "network"
  | "nonce"
  | "bad_response"
  | "bad_request"
  | "unknown";

export interface ClassifiedError {
  kind: ErrorKind;
  retryable: boolean;
  retryAfterMs?: number;
  message: string;
  /** ccxt exception class name (or the JS error name). */
  errorClass: string;
}

/** What classifyError may look at on the client (ccxt keeps the last response's headers). */
export interface HeaderSource {
  last_response_headers?: Record<string, string> | undefined;
}

function header(h: Record<string, string> | undefined, name: string): string | undefined {
  if (!h) return undefined;
  const key = Object.keys(h).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : String(h[key]);
}

/** Retry-After (delta-seconds or HTTP date) → ms from `now`; undefined when absent/unusable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export function retryAfterFromHeaders(h: Record<string, string> | undefined, now = Date.now()): number | undefined {
  const ra = parseRetryAfter(header(h, "retry-after"), now);
  if (ra !== undefined) return ra;
  const gateReset = header(h, "x-gate-ratelimit-reset-timestamp");
  if (gateReset && /^\d+$/.test(gateReset)) return Math.max(0, Number(gateReset) - now);
  return undefined;
}

const MEXC_INVALID_KEY = /\b10072\b|api key info invalid/i;

function msgOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === "string" ? e : JSON.stringify(e);
}

export function classifyError(e: unknown, ex?: HeaderSource, now = Date.now()): ClassifiedError {
  const message = msgOf(e).slice(0, 2000);
  const errorClass = e instanceof Error ? e.constructor.name : typeof e;
  const base = { message, errorClass };
  if (e instanceof MalformedPayloadError || e instanceof AmountFormatError) {
    return { ...base, kind: "bad_response", retryable: false };
  }
  if (e instanceof AuthenticationError || e instanceof PermissionDenied || e instanceof AccountSuspended) {
    return { ...base, kind: "auth", retryable: false };
  }
  if (e instanceof BadRequest && MEXC_INVALID_KEY.test(message)) {
    return { ...base, kind: "auth", retryable: false };
  }
  if (e instanceof RateLimitExceeded || e instanceof DDoSProtection) {
    const retryAfterMs = retryAfterFromHeaders(ex?.last_response_headers, now);
    return { ...base, kind: "rate_limit", retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (e instanceof InvalidNonce) return { ...base, kind: "nonce", retryable: true };
  if (e instanceof OnMaintenance || e instanceof ExchangeNotAvailable) {
    const retryAfterMs = retryAfterFromHeaders(ex?.last_response_headers, now);
    return { ...base, kind: "unavailable", retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (e instanceof BadResponse || e instanceof NullResponse) {
    return { ...base, kind: "bad_response", retryable: false };
  }
  if (e instanceof RequestTimeout || e instanceof NetworkError) {
    return { ...base, kind: "network", retryable: true };
  }
  if (e instanceof ExchangeError) return { ...base, kind: "bad_request", retryable: false };
  // A payload ccxt could not parse (e.g. a truncated JSON body) surfaces as a SyntaxError/TypeError.
  if (e instanceof SyntaxError || e instanceof TypeError) return { ...base, kind: "bad_response", retryable: false };
  return { ...base, kind: "unknown", retryable: false };
}

export interface BackoffOptions {
  /** First delay ceiling (attempt 0). Default 500 ms. */
  baseMs?: number;
  /** Ceiling of the exponential part. Default 60 s. */
  capMs?: number;
}

/**
 * Delay before retry number `attempt` (0-based): "full jitter" — uniform in
 * [0, min(cap, base·2^attempt)). With a server `Retry-After`, waits at least that long
 * (+ up to `baseMs` of jitter so many workers do not return at the same instant); it is not
 * capped: the caller compares it with its own time budget and gives up if it is too long.
 */
export function backoffDelay(attempt: number, retryAfterMs?: number, rng: () => number = Math.random, o: BackoffOptions = {}): number {
  const base = o.baseMs ?? 500;
  const cap = o.capMs ?? 60_000;
  const r = Math.min(Math.max(rng(), 0), 0.999999);
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.ceil(retryAfterMs + r * base);
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.floor(r * ceiling);
}

export interface RetryOptions {
  /** Attempts in all (first call included). Default 5. */
  maxAttempts?: number;
  /** Longest single wait accepted; a longer Retry-After (e.g. a binance 418 ban) gives up at once. Default 120 s. */
  maxDelayMs?: number;
  rng?: () => number;
  /** Injected in tests; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  backoff?: BackoffOptions;
  /** Called before each wait (count retries, log). */
  onRetry?: (c: ClassifiedError, attempt: number, delayMs: number) => void;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs one exchange call with the table above: retries `retryable` kinds with `backoffDelay`
 * (Retry-After honoured), resyncs the clock once on `nonce`, and rethrows everything else at once
 * (auth: no retry storm). The last error is rethrown when attempts or the wait budget run out;
 * `classifyError` on it tells the caller what to record.
 */
export async function withRetry<T>(
  ex: HeaderSource & { options?: Record<string, unknown>; loadTimeDifference?: () => Promise<unknown> },
  fn: () => Promise<T>,
  o: RetryOptions = {},
): Promise<T> {
  const maxAttempts = o.maxAttempts ?? 5;
  const maxDelay = o.maxDelayMs ?? 120_000;
  const sleep = o.sleep ?? defaultSleep;
  const rng = o.rng ?? Math.random;
  let resynced = false;
  for (let attempt = 0;; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const c = classifyError(e, ex, o.now ? o.now() : Date.now());
      if (!c.retryable || attempt + 1 >= maxAttempts) throw e;
      if (c.kind === "nonce") {
        if (resynced || !ex.loadTimeDifference) throw e;
        if (ex.options) ex.options.adjustForTimeDifference = true;
        await ex.loadTimeDifference();
        resynced = true;
        o.onRetry?.(c, attempt, 0);
        continue;
      }
      const delay = backoffDelay(attempt, c.retryAfterMs, rng, o.backoff);
      if (delay > maxDelay) throw e;
      o.onRetry?.(c, attempt, delay);
      await sleep(delay);
    }
  }
}
