/**
 * Exchange trouble → a clear HTTP answer (never a 500, never a secret):
 *
 * | classifyError kind                 | answer                                                       |
 * | ---------------------------------- | ------------------------------------------------------------ |
 * | auth (bad key, IP, permission)     | 422 `invalid_key`, the credential marked `invalid`           |
 * | rate_limit                         | 429 `rate_limited` + `Retry-After` (the exchange's, else 30 s) |
 * | unavailable, network, nonce        | 503 `exchange_unavailable` (+ `Retry-After` when known)      |
 * | bad_response (malformed body)      | 502 `bad_exchange_response`                                  |
 * | bad_request: ArgumentsRequired, BadSymbol | 400 `invalid_request`                                 |
 * | bad_request: NotSupported          | 501 `not_supported`                                          |
 * | bad_request (other), unknown       | 502 `exchange_error`                                         |
 *
 * Messages carry the exchange's own reason (code + text) scrubbed of the key, secret and
 * passphrase (`classifyExchangeError`). Logs get the exchange, the kind and the error class only.
 */
import * as ccxt from "../exchanges/ccxt.ts";
import type { ExchangeId } from "../domain/types.ts";
import { classifyExchangeError, EXCHANGE_NAMES, scrubSecrets } from "../credentials/verify.ts";
import type { ApiSecrets } from "../credentials/ccxt-client.ts";
import { classifyError, type HeaderSource } from "../exchanges/errors.ts";
import { HttpError } from "../http.ts";

export const DEFAULT_RATE_LIMIT_RETRY_S = 30;

/** A failed exchange call with the client that made it (its last response headers). */
export class ExchangeCallError extends Error {
  constructor(readonly original: unknown, readonly client: HeaderSource) {
    super(original instanceof Error ? original.message : String(original));
    this.name = "ExchangeCallError";
  }
}

export interface TranslateContext {
  exchange: ExchangeId;
  /** The client that made the failing call (its last response headers carry Retry-After). */
  client?: HeaderSource;
  secrets?: { apiKey?: string; secretKey?: string | null; passphrase?: string | null };
  now?: number;
  /** Called for an authentication failure before answering (marks the credential invalid). */
  onAuthFailure?: () => Promise<void>;
  /** For the log line. */
  route?: string;
  credentialId?: string;
}

function scrubList(s: TranslateContext["secrets"]): Partial<ApiSecrets> {
  return { apiKey: s?.apiKey, secretKey: s?.secretKey ?? undefined, passphrase: s?.passphrase ?? undefined };
}

function retryAfterSeconds(ms: number | undefined): number | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return undefined;
  return Math.max(1, Math.ceil(ms / 1000));
}

export async function translateExchangeError(failure: unknown, ctx: TranslateContext): Promise<HttpError> {
  let err = failure;
  let client = ctx.client;
  if (err instanceof ExchangeCallError) {
    client = err.client;
    err = err.original;
  }
  if (err instanceof HttpError) return err;
  const name = EXCHANGE_NAMES[ctx.exchange];
  const c = classifyError(err, client, ctx.now ?? Date.now());
  const secrets = scrubList(ctx.secrets);
  const said = classifyExchangeError(ctx.exchange, err, secrets);
  const reason = said.exchangeReason;
  const quoted = reason ? `: “${reason}”` : "";
  const details = { exchange: ctx.exchange, exchange_reason: reason };
  let out: HttpError;
  switch (c.kind) {
    case "auth": {
      let marked = false;
      if (ctx.onAuthFailure) {
        try {
          await ctx.onAuthFailure();
          marked = true;
        } catch {
          console.error(`exchange: could not mark the ${ctx.exchange} credential invalid`);
        }
      }
      out = new HttpError(422, "invalid_key", said.status === "invalid_key" ? said.message : `${name} rejected this API key${quoted}.`, {
        ...details,
        ...(ctx.credentialId ? { credential_id: ctx.credentialId } : {}),
        verification_status: marked ? "invalid" : undefined,
      });
      break;
    }
    case "rate_limit": {
      const s = retryAfterSeconds(c.retryAfterMs) ?? DEFAULT_RATE_LIMIT_RETRY_S;
      out = new HttpError(429, "rate_limited", `${name} is limiting requests right now${quoted}. Try again in ${s} s.`, { ...details, retry_after_seconds: s }, {
        "retry-after": String(s),
      });
      break;
    }
    case "unavailable":
    case "network":
    case "nonce": {
      const s = retryAfterSeconds(c.retryAfterMs);
      out = new HttpError(
        503,
        "exchange_unavailable",
        c.kind === "nonce"
          ? `${name} refused the request's timestamp${quoted} (a clock difference). Try again in a minute.`
          : `${name} could not be reached or is not answering${quoted}. Try again in a few minutes.`,
        details,
        s !== undefined ? { "retry-after": String(s) } : {},
      );
      break;
    }
    case "bad_response":
      out = new HttpError(502, "bad_exchange_response", `${name} sent an answer that could not be read (malformed or incomplete). Try again later.`, details);
      break;
    default: {
      // ccxt's own argument errors carry no exchange body: their text (ccxt's words) is the reason.
      const own = err instanceof Error && !reason ? `: “${scrubSecrets(err.message, secrets).slice(0, 200)}”` : quoted;
      if (err instanceof ccxt.ArgumentsRequired || err instanceof ccxt.BadSymbol) {
        out = new HttpError(400, "invalid_request", `${name} needs more or other parameters for this request${own}.`, details);
      } else if (err instanceof ccxt.NotSupported) {
        out = new HttpError(501, "not_supported", `${name} does not offer this through its API${own}.`, details);
      } else {
        out = new HttpError(502, "exchange_error", `${name} refused or failed the request${quoted}.`, details);
      }
    }
  }
  console.warn(`exchange: ${ctx.exchange} ${ctx.route ?? ""} → ${out.status} (${c.kind}, ${c.errorClass})`);
  return out;
}
