/**
 * Server configuration from the environment, validated once with zod (issue 16): a typo is a
 * clear error naming the variable and what it accepts — never NaN silently switching a limit off
 * (`Number("9o000")` used to disable the sync's time budget). Every variable is documented in
 * the README's "Configuration" table; tests/unit/config.test.ts keeps the two in step.
 *
 * Secrets (CREDENTIAL_KEYS, …) are validated by crypto/setup.ts, the JWT settings by auth.ts;
 * this module holds the tunables. Each function's index.ts calls config() before serving, so a
 * bad value stops the function at start; handlers and tests read the same parsed object.
 */
import { z } from "zod";
import { envRecord } from "./env.ts";

const whole = (name: string, min: number, max: number, unit = "") => {
  const message = `${name} must be a whole number${unit} between ${min} and ${max}`;
  return z.string().trim().regex(/^\d+$/, message).transform(Number).pipe(z.number().int().min(min, message).max(max, message));
};
const wholeMs = (name: string, min: number, max: number) => whole(name, min, max, " of milliseconds");

const flag = (name: string) =>
  z.string().trim().toLowerCase()
    .refine((s) => ["true", "false", "1", "0", "yes", "no", ""].includes(s), `${name} must be true or false`)
    .transform((s) => s === "true" || s === "1" || s === "yes");

/** Every tunable the functions read: name → schema (input: the raw string or undefined). */
export const CONFIG_SCHEMA = z.object({
  /** postgres.js pool size per function instance. */
  DB_POOL_MAX: whole("DB_POOL_MAX", 1, 100).default(8),
  /** Time one sync job may run before it yields (the rest continues in the next job). */
  EXCHANGE_SYNC_JOB_BUDGET_MS: wholeMs("EXCHANGE_SYNC_JOB_BUDGET_MS", 1_000, 3_600_000).default(90_000),
  /** Time one `POST exchange-sync` drain call may spend on jobs. */
  EXCHANGE_SYNC_DRAIN_BUDGET_MS: wholeMs("EXCHANGE_SYNC_DRAIN_BUDGET_MS", 1_000, 3_600_000).default(100_000),
  /** Per-request exchange timeout (unset: ccxt's 10 000). */
  EXCHANGE_TIMEOUT_MS: wholeMs("EXCHANGE_TIMEOUT_MS", 1_000, 120_000).optional(),
  /** Accept API keys that can withdraw (default: refused). */
  CREDENTIAL_ALLOW_WITHDRAW_KEYS: flag("CREDENTIAL_ALLOW_WITHDRAW_KEYS").default(false),
  /** Time one `POST market-data/candles` call spends fetching candle series. */
  MARKET_DATA_BUDGET_MS: wholeMs("MARKET_DATA_BUDGET_MS", 1_000, 3_600_000).default(100_000),
  /** Log unexpected errors' stacks on the server (never in responses). */
  DEBUG_INTERNAL_ERRORS: flag("DEBUG_INTERNAL_ERRORS").default(false),
});

export type Config = z.infer<typeof CONFIG_SCHEMA>;

/** Parses the tunables of `env`; throws one Error naming every bad variable. Empty = unset. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(CONFIG_SCHEMA.shape)) {
    const v = env[key];
    if (v !== undefined && v.trim() !== "") input[key] = v;
  }
  const r = CONFIG_SCHEMA.safeParse(input);
  if (!r.success) {
    throw new Error(`configuration: ${r.error.issues.map((i) => i.message).join("; ")}`);
  }
  return r.data;
}

let cached: Config | null = null;

/** The process's configuration, parsed from the environment on first use. */
export function config(): Config {
  cached ??= parseConfig(envRecord());
  return cached;
}
