/**
 * Configuration (issue 16): the functions' tunables are parsed once with zod; a typo is a clear
 * error naming the variable (Number("9o000") used to be NaN, which turned the sync's time budget
 * off), and every variable is in the README's configuration table.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_SCHEMA, parseConfig } from "../../functions/_shared/config.ts";

describe("configuration", () => {
  it("defaults when unset or empty", () => {
    expect(parseConfig({})).toEqual({
      DB_POOL_MAX: 8, EXCHANGE_SYNC_JOB_BUDGET_MS: 90_000, EXCHANGE_SYNC_DRAIN_BUDGET_MS: 100_000,
      MARKET_DATA_BUDGET_MS: 100_000, CREDENTIAL_ALLOW_WITHDRAW_KEYS: false, DEBUG_INTERNAL_ERRORS: false,
    });
    expect(parseConfig({ DB_POOL_MAX: " ", EXCHANGE_TIMEOUT_MS: "" }).DB_POOL_MAX).toBe(8);
  });

  it("reads valid values", () => {
    expect(parseConfig({ DB_POOL_MAX: "20", EXCHANGE_SYNC_JOB_BUDGET_MS: "45000", EXCHANGE_TIMEOUT_MS: "8000", CREDENTIAL_ALLOW_WITHDRAW_KEYS: "YES", DEBUG_INTERNAL_ERRORS: "1" }))
      .toMatchObject({ DB_POOL_MAX: 20, EXCHANGE_SYNC_JOB_BUDGET_MS: 45_000, EXCHANGE_TIMEOUT_MS: 8_000, CREDENTIAL_ALLOW_WITHDRAW_KEYS: true, DEBUG_INTERNAL_ERRORS: true });
  });

  it("a typo is an error naming the variable, never NaN", () => {
    expect(() => parseConfig({ EXCHANGE_SYNC_JOB_BUDGET_MS: "9o000" }))
      .toThrow("configuration: EXCHANGE_SYNC_JOB_BUDGET_MS must be a whole number of milliseconds between 1000 and 3600000");
    expect(() => parseConfig({ DB_POOL_MAX: "0" })).toThrow(/DB_POOL_MAX must be a whole number between 1 and 100/);
    expect(() => parseConfig({ DB_POOL_MAX: "8.5" })).toThrow(/DB_POOL_MAX/);
    expect(() => parseConfig({ CREDENTIAL_ALLOW_WITHDRAW_KEYS: "ture" })).toThrow(/CREDENTIAL_ALLOW_WITHDRAW_KEYS must be true or false/);
    // several bad variables: all named in one message
    expect(() => parseConfig({ DB_POOL_MAX: "x", EXCHANGE_TIMEOUT_MS: "1" })).toThrow(/DB_POOL_MAX.*; EXCHANGE_TIMEOUT_MS/);
  });

  it("every variable is documented in the README's configuration table", () => {
    const readme = readFileSync(resolve(__dirname, "../../README.md"), "utf8");
    const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Choices"));
    for (const key of Object.keys(CONFIG_SCHEMA.shape)) expect(table, key).toContain(`\`${key}\``);
    for (const key of ["SUPABASE_DB_URL", "SUPABASE_JWT_SECRET", "CREDENTIAL_KEYS", "CREDENTIAL_ACTIVE_KID"]) expect(table, key).toContain(key);
  });
});
