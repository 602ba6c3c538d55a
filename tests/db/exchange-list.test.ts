/**
 * Exchanges, listed once (issue 16): functions/_shared/domain/exchanges.ts is the TypeScript
 * list every zod enum derives from; it must equal the database enum, in order, or a new exchange
 * would be accepted on one side and refused (or mis-cast) on the other.
 */
import { afterAll, describe, expect, it } from "vitest";
import { adminSql, closePools } from "../support/db.ts";
import { CCXT_ID, EXCHANGE_IDS, resolveExchange, resolveTradingExchange, TRADING_EXCHANGES } from "../../functions/_shared/domain/exchanges.ts";
import { EXCHANGES } from "../../functions/_shared/types/api.ts";
import { CREDENTIAL_EXCHANGES, VERIFIABLE_EXCHANGES } from "../../functions/_shared/credentials/schemas.ts";
import { LIVE_EXCHANGES } from "../../functions/_shared/live/params.ts";
import { Constants } from "../../functions/_shared/types/database.ts";

afterAll(closePools);

describe("one exchange list", () => {
  it("equals enum_range(null::public.exchange_id), in order", async () => {
    const [{ ids }] = await adminSql()`select enum_range(null::public.exchange_id)::text[] as ids`;
    expect([...EXCHANGE_IDS]).toEqual(ids);
  });

  it("the trading exchanges are the enum without data providers, and every derived list is that list", async () => {
    expect([...TRADING_EXCHANGES]).toEqual(EXCHANGE_IDS.filter((e) => e !== "alpha_vantage"));
    expect(EXCHANGES).toBe(TRADING_EXCHANGES);
    expect(VERIFIABLE_EXCHANGES).toBe(TRADING_EXCHANGES);
    expect(LIVE_EXCHANGES).toBe(TRADING_EXCHANGES);
    expect(CREDENTIAL_EXCHANGES).toBe(EXCHANGE_IDS);
    expect([...Constants.public.Enums.exchange_id]).toEqual([...EXCHANGE_IDS]);
    expect(Object.keys(CCXT_ID)).toEqual([...TRADING_EXCHANGES]);
  });

  it("ccxt's gate and the other spellings resolve to gateio in one place", () => {
    for (const s of ["gate", "GATE", "gate.io", "gate_io", "gateio"]) expect(resolveExchange(s)).toBe("gateio");
    expect(resolveTradingExchange("alphavantage")).toBeUndefined();
    expect(resolveExchange("alphavantage")).toBe("alpha_vantage");
    expect(resolveExchange("kraken")).toBeUndefined();
  });
});
