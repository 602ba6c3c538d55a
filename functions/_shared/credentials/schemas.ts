/**
 * Request bodies of the `credentials` Edge Function, validated with zod.
 *
 * Save (POST) — the spec frontend's `ExchangeCredentials`, plus `verify`:
 *   { exchange, apiKey, secretKey, passphrase?, label?, verify? }
 *   - exchange: binance | bitget | gateio | mexc (database enum spelling; Gate is `gateio`),
 *     or alpha_vantage: the enum has it, but it is a market-data API key, not an exchange. It
 *     is accepted for storage only: no verification (`verify` defaults to false for it and
 *     `verify: true` is an error), `secretKey` optional (Alpha Vantage keys have none).
 *   - passphrase: required for bitget; refused for the others (their API keys have none);
 *     an empty string counts as absent.
 *   - label: ≤ 100 characters, optional; empty → null.
 *   - verify: default true (false for alpha_vantage).
 *   Unknown fields are errors naming the field (`.strict()`), with a hint for common mistakes
 *   (`api_key` → `apiKey`, …). Keys are trimmed (copy/paste); api keys may not contain spaces.
 *
 * Patch (PATCH) — { label?, isActive? (alias is_active), syncSymbols? (alias sync_symbols), apiKey?,
 *   secretKey?, passphrase?, verify? }:
 *   a new secret set replaces apiKey + secretKey together (+ passphrase for bitget) and is
 *   verified again unless `verify: false`. syncSymbols replaces the symbols the sync covers beside
 *   the discovered ones (binance, bitget and mexc need a symbol to list trades): ccxt symbols
 *   ("BTC/USDT", "BTC/USDT:USDT" for a USDT swap), at most 200, upper-cased, duplicates dropped;
 *   [] clears them.
 *
 * Errors become `{ code: "invalid_request", message, details: [{ path, message }] }`
 * (`toInvalidRequest`); no message ever quotes a submitted key, secret or passphrase.
 */
import { z } from "zod";
import { EXCHANGE_IDS, resolveExchange, TRADING_EXCHANGES } from "../domain/exchanges.ts";

export const CREDENTIAL_EXCHANGES = EXCHANGE_IDS;
export type CredentialExchange = (typeof CREDENTIAL_EXCHANGES)[number];
/** Exchanges whose keys are verified through ccxt. */
export const VERIFIABLE_EXCHANGES = TRADING_EXCHANGES;
export type VerifiableExchange = (typeof VERIFIABLE_EXCHANGES)[number];
/** Exchanges whose API keys have a passphrase (required there, refused elsewhere). */
export const PASSPHRASE_EXCHANGES: readonly CredentialExchange[] = ["bitget"];

export const LABEL_MAX = 100;
export const API_KEY_MAX = 256;
/** Room for an RSA-4096 / Ed25519 PEM private key (Binance accepts those as the "secret"). */
export const SECRET_KEY_MAX = 8192;
export const PASSPHRASE_MAX = 128;

export const SAVE_FIELDS = ["exchange", "apiKey", "secretKey", "passphrase", "label", "verify"] as const;
export const PATCH_FIELDS = ["label", "isActive", "is_active", "syncSymbols", "sync_symbols", "apiKey", "secretKey", "passphrase", "verify"] as const;

export function isVerifiable(exchange: string): exchange is VerifiableExchange {
  return (VERIFIABLE_EXCHANGES as readonly string[]).includes(exchange);
}

const EXCHANGE_LIST = CREDENTIAL_EXCHANGES.join(", ");

function describeInput(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "an array";
  return typeof input === "object" ? "an object" : `a ${typeof input}`;
}

const exchangeSchema = z.enum(CREDENTIAL_EXCHANGES, {
  error: (iss) => {
    if (iss.input === undefined) return `exchange is required: one of ${EXCHANGE_LIST}`;
    if (typeof iss.input !== "string") return `exchange must be text, one of ${EXCHANGE_LIST} (got ${describeInput(iss.input)})`;
    // Never echo the value: a user may have pasted a secret into the wrong field.
    const alias = resolveExchange(iss.input);
    return alias
      ? `exchange: use "${alias}" (the spelling this API expects)`
      : `exchange is not supported: use one of ${EXCHANGE_LIST}`;
  },
});

/** A secret text field: trimmed, non-empty, bounded; messages never quote the value. */
function secretText(name: string, max: number, opts: { noSpaces?: boolean } = {}) {
  let s = z
    .string({
      error: (iss) =>
        iss.input === undefined ? `${name} is required` : `${name} must be text (got ${describeInput(iss.input)})`,
    })
    .trim()
    .min(1, { error: `${name} is empty` })
    .max(max, { error: `${name} is longer than ${max} characters: check that only the ${name} was pasted` })
    // Exchanges issue keys in printable ASCII (PEM private keys add line breaks), and HTTP
    // headers carry nothing else.
    .regex(/^[\x20-\x7E\r\n\t]*$/, { error: `${name} contains characters an exchange key never has (only printable ASCII): check the copy/paste` });
  if (opts.noSpaces) {
    s = s.regex(/^\S+$/, { error: `${name} must not contain spaces or line breaks: check the copy/paste` });
  }
  return s;
}

/** Optional secret: undefined, null or "" mean absent. */
function optionalSecret(name: string, max: number, opts: { noSpaces?: boolean } = {}) {
  return z.preprocess(
    (v) => (v === null || (typeof v === "string" && v.trim() === "") ? undefined : v),
    secretText(name, max, opts).optional(),
  );
}

const labelSchema = z
  .string({ error: (iss) => `label must be text (got ${describeInput(iss.input)})` })
  .trim()
  .max(LABEL_MAX, { error: `label is longer than ${LABEL_MAX} characters` })
  .nullable()
  .optional();

export const SYNC_SYMBOLS_MAX = 200;
const SYMBOL_PART = "[A-Z0-9][A-Z0-9._-]{0,29}";
const CCXT_SYMBOL = new RegExp(`^${SYMBOL_PART}/${SYMBOL_PART}(:${SYMBOL_PART})?$`);

const syncSymbolsSchema = (name: string) =>
  z
    .array(
      z
        .string({ error: (iss) => `each symbol must be text (got ${describeInput(iss.input)})` })
        .trim()
        .toUpperCase()
        .regex(CCXT_SYMBOL, { error: (iss) => `"${String(iss.input).slice(0, 40)}" is not a ccxt symbol: write BASE/QUOTE (spot, e.g. BTC/USDT) or BASE/QUOTE:SETTLE (USDT swap, e.g. BTC/USDT:USDT)` }),
      { error: (iss) => `${name} must be a list of symbols (got ${describeInput(iss.input)})` },
    )
    .max(SYNC_SYMBOLS_MAX, { error: `${name} has more than ${SYNC_SYMBOLS_MAX} symbols` })
    .optional();

const boolSchema = (name: string) =>
  z.boolean({ error: (iss) => `${name} must be true or false (got ${describeInput(iss.input)})` }).optional();

function rootError(iss: { code: string; input?: unknown }) {
  return iss.code === "invalid_type" ? `the request body must be a JSON object (got ${describeInput(iss.input)})` : undefined;
}

interface SecretSetDraft {
  apiKey?: string;
  secretKey?: string;
  passphrase?: string;
}

/** Per-exchange rules shared by save and patch. */
function checkSecretSet(exchange: CredentialExchange, v: SecretSetDraft, ctx: z.RefinementCtx, requireKey: boolean) {
  if (requireKey && v.apiKey === undefined) {
    ctx.addIssue({ code: "custom", path: ["apiKey"], message: "apiKey is required" });
  }
  if (exchange !== "alpha_vantage" && v.secretKey === undefined) {
    ctx.addIssue({ code: "custom", path: ["secretKey"], message: "secretKey is required" });
  }
  if (PASSPHRASE_EXCHANGES.includes(exchange)) {
    if (v.passphrase === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["passphrase"],
        message: `passphrase is required for ${exchange}: it is the passphrase you chose when you created the API key on ${exchange === "bitget" ? "Bitget" : exchange}`,
      });
    }
  } else if (v.passphrase !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["passphrase"],
      message: `passphrase is not used by ${exchange} API keys: remove it`,
    });
  }
}

export const saveCredentialsSchema = z
  .strictObject(
    {
      exchange: exchangeSchema,
      apiKey: secretText("apiKey", API_KEY_MAX, { noSpaces: true }),
      secretKey: optionalSecret("secretKey", SECRET_KEY_MAX),
      passphrase: optionalSecret("passphrase", PASSPHRASE_MAX),
      label: labelSchema,
      verify: boolSchema("verify"),
    },
    { error: rootError },
  )
  .superRefine((v, ctx) => {
    checkSecretSet(v.exchange, v, ctx, false);
    if (v.exchange === "alpha_vantage" && v.verify === true) {
      ctx.addIssue({
        code: "custom",
        path: ["verify"],
        message: "alpha_vantage keys cannot be verified (it is a market-data service, not an exchange): omit verify or send false",
      });
    }
  })
  .transform((v) => ({
    exchange: v.exchange,
    apiKey: v.apiKey,
    secretKey: v.secretKey ?? null,
    passphrase: v.passphrase ?? null,
    label: v.label ? v.label : null,
    verify: v.verify ?? v.exchange !== "alpha_vantage",
  }));

export type SaveCredentialsInput = z.output<typeof saveCredentialsSchema>;

/** The PATCH body for a stored credential of `exchange` (the rules depend on it). */
export function patchCredentialsSchema(exchange: CredentialExchange) {
  return z
    .strictObject(
      {
        label: labelSchema,
        isActive: boolSchema("isActive"),
        is_active: boolSchema("is_active"),
        syncSymbols: syncSymbolsSchema("syncSymbols"),
        sync_symbols: syncSymbolsSchema("sync_symbols"),
        apiKey: optionalSecret("apiKey", API_KEY_MAX, { noSpaces: true }),
        secretKey: optionalSecret("secretKey", SECRET_KEY_MAX),
        passphrase: optionalSecret("passphrase", PASSPHRASE_MAX),
        verify: boolSchema("verify"),
      },
      { error: rootError },
    )
    .superRefine((v, ctx) => {
      const replacing = v.apiKey !== undefined || v.secretKey !== undefined || v.passphrase !== undefined;
      const symbols = v.syncSymbols ?? v.sync_symbols;
      if (!replacing && v.label === undefined && v.isActive === undefined && v.is_active === undefined && symbols === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [],
          message: "nothing to change: send label, isActive, syncSymbols, or a new apiKey and secretKey",
        });
      }
      if (v.syncSymbols !== undefined && v.sync_symbols !== undefined) {
        ctx.addIssue({ code: "custom", path: ["sync_symbols"], message: "syncSymbols and sync_symbols are the same field: send only one" });
      }
      if (v.isActive !== undefined && v.is_active !== undefined && v.isActive !== v.is_active) {
        ctx.addIssue({ code: "custom", path: ["is_active"], message: "isActive and is_active disagree: send only one" });
      }
      if (replacing) {
        checkSecretSet(exchange, v, ctx, true);
        if (exchange === "alpha_vantage" && v.verify === true) {
          ctx.addIssue({ code: "custom", path: ["verify"], message: "alpha_vantage keys cannot be verified: omit verify or send false" });
        }
      } else if (v.verify !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["verify"],
          message: "verify applies only when replacing the key (apiKey + secretKey); to test the stored key use POST …/verify",
        });
      }
    })
    .transform((v) => {
      const out: {
        label?: string | null;
        isActive?: boolean;
        syncSymbols?: string[];
        secrets?: { apiKey: string; secretKey: string | null; passphrase: string | null };
        verify: boolean;
      } = { verify: false };
      const symbols = v.syncSymbols ?? v.sync_symbols;
      if (symbols !== undefined) out.syncSymbols = [...new Set(symbols)].sort();
      if (v.label !== undefined) out.label = v.label ? v.label : null;
      const active = v.isActive ?? v.is_active;
      if (active !== undefined) out.isActive = active;
      if (v.apiKey !== undefined) {
        out.secrets = { apiKey: v.apiKey, secretKey: v.secretKey ?? null, passphrase: v.passphrase ?? null };
        out.verify = v.verify ?? exchange !== "alpha_vantage";
      }
      return out;
    });
}

export type PatchCredentialsInput = z.output<ReturnType<typeof patchCredentialsSchema>>;

// ---------------------------------------------------------------------------------------------
// Errors

export interface InvalidRequestDetail {
  /** Dotted path of the field ("" for the body itself). */
  path: string;
  message: string;
}

export interface InvalidRequest {
  code: "invalid_request";
  message: string;
  details: InvalidRequestDetail[];
}

const FIELD_HINTS: Record<string, string> = {
  api_key: "apiKey",
  apikey: "apiKey",
  key: "apiKey",
  secret_key: "secretKey",
  secretkey: "secretKey",
  secret: "secretKey",
  apisecret: "secretKey",
  api_secret: "secretKey",
  password: "passphrase",
  pass_phrase: "passphrase",
  name: "label",
};

function unknownFieldMessage(key: string, allowed: readonly string[] | undefined): string {
  const shown = JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key);
  const hint = FIELD_HINTS[key.toLowerCase()];
  let msg = `unknown field ${shown}`;
  if (hint && (!allowed || allowed.includes(hint))) msg += `: did you mean "${hint}"?`;
  else if (allowed && (key === "isActive" || key === "is_active") && !allowed.includes(key)) {
    msg += ": new credentials are always active; change it later with PATCH";
  } else if (key === "id" || key === "userId" || key === "user_id") {
    msg += ": the credential's owner and id come from your session and the URL, not the body";
  }
  if (allowed) msg += ` (allowed fields: ${allowed.join(", ")})`;
  return msg;
}

/** Turns a ZodError into the API's `invalid_request` error body. */
export function toInvalidRequest(error: z.ZodError, allowedFields?: readonly string[]): InvalidRequest {
  const details: InvalidRequestDetail[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        details.push({ path: path ? `${path}.${key}` : key, message: unknownFieldMessage(key, allowedFields) });
      }
    } else {
      details.push({ path, message: issue.message });
    }
  }
  const message =
    details.length === 1
      ? capitalize(details[0].message)
      : `The request body has ${details.length} problems: ${details.map((d) => d.message).join("; ")}`;
  return { code: "invalid_request", message, details };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export type ParseResult<T> = { ok: true; data: T } | { ok: false; error: InvalidRequest };

export function parseSaveBody(body: unknown): ParseResult<SaveCredentialsInput> {
  const r = saveCredentialsSchema.safeParse(body);
  return r.success ? { ok: true, data: r.data } : { ok: false, error: toInvalidRequest(r.error, SAVE_FIELDS) };
}

export function parsePatchBody(body: unknown, exchange: CredentialExchange): ParseResult<PatchCredentialsInput> {
  const r = patchCredentialsSchema(exchange).safeParse(body);
  return r.success ? { ok: true, data: r.data } : { ok: false, error: toInvalidRequest(r.error, PATCH_FIELDS) };
}
