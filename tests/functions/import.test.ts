/**
 * The `import` function: every supported export format imports exactly through the real path
 * (parse → one transaction → PnL engine); re-importing adds nothing; one bad row writes nothing
 * and names the line; wrong format, empty and oversized uploads get clear 4xx answers; an
 * export overlapping API-synced fills does not double them. Over HTTP through supabase-js too.
 */
import { readFileSync } from "node:fs";
import Decimal from "decimal.js";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb } from "../../functions/_shared/db.ts";
import { fingerprint } from "../../functions/_shared/imports/ids.ts";
import { decodeExport } from "../../functions/_shared/imports/csv.ts";
import { parseExport } from "../../functions/_shared/imports/parse.ts";
import { FORMATS } from "../../functions/_shared/imports/formats.ts";
import { adminSql, closePools } from "../support/db.ts";
import { exportStackEnv, ROOT } from "../support/env.ts";
import { supabaseAs } from "../support/http.ts";
import { createUser, type TestUser } from "../support/users.ts";

const dir = resolve(ROOT, "tests/fixtures/imports");
const manifest = JSON.parse(readFileSync(resolve(dir, "manifest.json"), "utf8")).files as Array<{
  file: string; exchange: string; kind: string; format: string | null; fills: number; transfers: number; unpaired: number; errors: unknown[];
  funding?: number; utcOffset?: string;
}>;
let handler: (req: Request) => Promise<Response>;
let user: TestUser;

beforeAll(async () => {
  exportStackEnv();
  handler = (await import("../../functions/import/handler.ts")).default;
  user = await createUser("importer");
});
afterAll(async () => {
  await closeDb();
  await closePools();
});

async function upload(u: TestUser, query: string, body: BodyInit | null, headers: Record<string, string> = { "content-type": "text/csv" }) {
  const res = await handler(new Request(`http://localhost/functions/v1/import${query}`, {
    method: "POST", headers: { authorization: `Bearer ${u.token}`, ...headers }, body,
  }));
  return { status: res.status, body: await res.json() };
}
const count = async (table: string, u: TestUser) =>
  (await adminSql().unsafe(`select count(*)::int as n from public.${table} where user_id = $1`, [u.id]))[0].n as number;

describe("every supported format", () => {
  for (const f of manifest.filter((m) => m.errors.length === 0 && m.format)) {
    it(`${f.file} imports ${f.fills} fill(s) and ${f.transfers} transfer(s), and a second upload adds nothing`, async () => {
      const u = await createUser("fmt");
      // The file's bytes as downloaded (Gate's deposits and withdrawals are UTF-16): the function decodes them.
      const bytes = readFileSync(resolve(dir, f.file));
      const text = decodeExport(bytes);
      const q = `?exchange=${f.exchange}&kind=${f.kind}&file_name=${encodeURIComponent(f.file)}` +
        (f.utcOffset ? `&utc_offset=${encodeURIComponent(f.utcOffset)}` : "");
      const first = await upload(u, q, bytes);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.format.id).toBe(f.format);
      expect(first.body.fills.inserted).toBe(f.fills);
      expect(first.body.transfers.inserted).toBe(f.transfers);
      expect(first.body.funding.inserted).toBe(f.funding ?? 0);
      expect(first.body.unpaired.count).toBe(f.unpaired);
      expect(await count("fills", u)).toBe(f.fills);
      expect(await count("funding_payments", u)).toBe(f.funding ?? 0);
      // Exact amounts and times: what is stored equals what the parser read, digit for digit.
      const parsed = await parseExport({ text, exchange: f.exchange as never, kind: f.kind as never, fileName: f.file, utcOffset: f.utcOffset });
      const times = await adminSql()`select trade_id, executed_at from public.fills where user_id = ${u.id}`;
      for (const p of parsed.fills) {
        expect(new Date(times.find((r) => r.trade_id === p.trade_id)!.executed_at).toISOString()).toBe(p.executed_at);
      }
      const stored = await adminSql()`select trade_id, price::text, amount::text, fees from public.fills where user_id = ${u.id}`;
      for (const p of parsed.fills) {
        const s = stored.find((r) => r.trade_id === p.trade_id)!;
        expect(new Decimal(s.price).eq(p.price), `price ${s.price} vs ${p.price}`).toBe(true);
        expect(new Decimal(s.amount).eq(p.amount), `amount ${s.amount} vs ${p.amount}`).toBe(true);
        expect(s.fees).toEqual(p.fees);
      }
      // Every fee entry is in fees_tracking too (one row per fill and currency, amounts summed).
      const expectedFees = new Map<string, Decimal>();
      for (const p of parsed.fills) {
        for (const e of p.fees) {
          const k = `fill:${p.market_type}:${p.symbol}:${p.trade_id}:${e.currency}`;
          expectedFees.set(k, (expectedFees.get(k) ?? new Decimal(0)).plus(e.amount));
        }
      }
      // A ledger's funding payments are stored with one fee row each (paid funding = a positive fee).
      expect(first.body.funding.inserted).toBe(parsed.funding.length);
      expect(await count("funding_payments", u)).toBe(parsed.funding.length);
      for (const p of parsed.funding) expectedFees.set(`funding:${p.symbol}:${p.funding_id}`, new Decimal(p.amount).negated());
      const feeRows = await adminSql()`select source_key, fee_amount::text, transaction_type from public.fees_tracking where user_id = ${u.id}`;
      expect(feeRows.length).toBe(expectedFees.size);
      for (const r of feeRows) {
        expect(r.transaction_type).toBe(r.source_key.startsWith("funding:") ? "FUNDING" : "ORDER_FILL");
        expect(new Decimal(r.fee_amount).eq(expectedFees.get(r.source_key)!), `${r.source_key}: ${r.fee_amount}`).toBe(true);
      }
      const again = await upload(u, q, bytes);
      expect(again.status).toBe(200);
      expect(again.body.fills.inserted).toBe(0);
      expect(again.body.transfers.inserted).toBe(0);
      expect(again.body.funding.inserted).toBe(0);
      expect(await count("fills", u)).toBe(f.fills);
      expect(await count("funding_payments", u)).toBe(parsed.funding.length);
      expect((await adminSql()`select count(*)::int as n from public.fees_tracking where user_id = ${u.id}`)[0].n).toBe(expectedFees.size);
    });
  }
});

describe("the same fills downloaded in two layouts", () => {
  it("Gate's trade history with trade ids and the older one without: stored once, whichever comes first", async () => {
    for (const order of [["ja", "tsv"], ["tsv", "ja"]]) {
      const u = await createUser("gate-twice");
      const files = {
        ja: { q: "?exchange=gateio&kind=spot-trades&utc_offset=%2B09:00", body: readFileSync(resolve(dir, "gate-spot-trades-ja.csv")) },
        tsv: { q: "?exchange=gateio&kind=spot-trades&utc_offset=%2B08:00", body: readFileSync(resolve(dir, "gate-spot-trades-order-id.csv")) },
      } as const;
      const first = await upload(u, files[order[0] as "ja"].q, files[order[0] as "ja"].body);
      const second = await upload(u, files[order[1] as "ja"].q, files[order[1] as "ja"].body);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(first.body.fills.inserted).toBe(2);
      // other trade ids, same fingerprints (stream, second, side, price, amount, fee): twins
      expect(second.body.fills).toEqual({ in_file: 2, inserted: 0, already_present: 2 });
      expect(await count("fills", u)).toBe(2);
    }
  });
});

describe("GET /import/formats", () => {
  const get = async (query: string, token: string | null = user.token, method = "GET") => {
    const res = await handler(new Request(`http://localhost/functions/v1/import/formats${query}`, {
      method, headers: token ? { authorization: `Bearer ${token}` } : {},
    }));
    return { status: res.status, body: await res.json() };
  };

  it("lists every accepted layout with its exact header, delimiter, zone and how it is confirmed", async () => {
    const r = await get("");
    expect(r.status).toBe(200);
    expect(r.body.formats.map((f: { id: string }) => f.id)).toEqual(FORMATS.map((f) => f.id));
    expect(r.body.formats.find((f: { id: string }) => f.id === "gate-deposits")).toEqual({
      id: "gate-deposits", exchange: "gateio", kind: "deposits", label: "Gate.io deposit history (mydeposits)",
      header: ["Order ID", "Time", "Address", "TxID", "Coin", "Amount", "Status"], delimiter: "\t", times: "export zone",
      confirmed: "rows", source: expect.stringContaining("GiacenzeCrypto"),
    });
  });

  it("filters by exchange and kind; refuses what is not a filter, other methods and anonymous callers", async () => {
    const r = await get("?exchange=gateio&kind=statement");
    expect(r.body.formats.map((f: { id: string }) => f.id)).toEqual(["gate-billing", "gate-billing-units", "gate-futures-book"]);
    expect((await get("?kind=ledger")).status).toBe(400);
    expect((await get("?utc_offset=%2B08:00")).status).toBe(400);
    expect((await get("", user.token, "POST")).status).toBe(405);
    expect((await get("", null)).status).toBe(401);
  });
});

describe("bad files", () => {
  it("one bad row → 422 naming line, column and problem; nothing written", async () => {
    const text = readFileSync(resolve(dir, "binance-spot-trades.bad-row.csv"), "utf8");
    const r = await upload(user, "?exchange=binance&kind=spot-trades", text);
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe("invalid_export");
    const e = r.body.error.details.errors[0];
    expect(e.line).toBeGreaterThan(1);
    expect(e.column).toBeTruthy();
    expect(e.problem).toBeTruthy();
    expect(await count("fills", user)).toBe(0);
  });

  it("wrong format → 422 naming the expected formats", async () => {
    const r = await upload(user, "?exchange=binance&kind=spot-trades", readFileSync(resolve(dir, "unknown-format.csv"), "utf8"));
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/Date\(UTC\),Pair,Side,Price,Executed,Amount,Fee/);
  });

  it("an empty file, a header-only file, a 0-byte upload", async () => {
    expect((await upload(user, "", readFileSync(resolve(dir, "empty.csv"), "utf8"))).status).toBeGreaterThanOrEqual(400);
    const header = await upload(user, "?exchange=binance", readFileSync(resolve(dir, "binance-spot-trades.header-only.csv"), "utf8"));
    expect(header.status).toBe(422);
    const zero = await upload(user, "", new Uint8Array(0));
    expect(zero.status).toBe(400);
    expect(zero.body.error.code).toBe("empty_upload");
  });

  it("an upload over 10 MB → 413 pointing to the CLI; a 50 MB one too, without reading it all", async () => {
    const big = "x".repeat(10 * 1024 * 1024 + 1);
    const r = await upload(user, "", big);
    expect(r.status).toBe(413);
    expect(r.body.error.message).toMatch(/npm run import/);
    let pulled = 0;
    const fifty = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled >= 50 * 1024 * 1024) return c.close();
        pulled += 1024 * 1024;
        c.enqueue(new Uint8Array(1024 * 1024).fill(65));
      },
    });
    const r50 = await handler(new Request("http://localhost/functions/v1/import", {
      method: "POST", headers: { authorization: `Bearer ${user.token}`, "content-type": "text/csv" }, body: fifty, duplex: "half",
    } as RequestInit));
    expect(r50.status).toBe(413);
    expect(pulled).toBeLessThan(50 * 1024 * 1024);
  });

  it("unknown query parameters, kinds and exchanges → 400; wrong method → 405; no token → 401", async () => {
    expect((await upload(user, "?exchange=kraken", "a")).status).toBe(400);
    expect((await upload(user, "?kind=margin", "a")).status).toBe(400);
    expect((await upload(user, "?foo=1", "a")).status).toBe(400);
    const get = await handler(new Request("http://localhost/functions/v1/import", { headers: { authorization: `Bearer ${user.token}` } }));
    expect(get.status).toBe(405);
    const anon = await handler(new Request("http://localhost/functions/v1/import", { method: "POST", body: "x" }));
    expect(anon.status).toBe(401);
  });
});

describe("file names and ledgers", () => {
  it("a multipart upload's file name sets the zone; an offset that contradicts it is refused", async () => {
    const u = await createUser("zone");
    const name = "Binance-Spot-Trade-History-202603230406(UTC--6).csv";
    const form = () => {
      const fd = new FormData();
      fd.set("file", new File([readFileSync(resolve(dir, name))], name, { type: "text/csv" }));
      return fd;
    };
    const clash = await upload(u, "?utc_offset=%2B08:00", form(), {});
    expect(clash.status).toBe(422);
    expect(clash.body.error.message).toMatch(/file name says UTC-06:00 but utcOffset is \+08:00/);
    const ok = await upload(u, "", form(), {});
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.utc_offset_minutes).toBe(-360);
    const [row] = await adminSql()`select executed_at from public.fills where user_id = ${u.id}`;
    expect(new Date(row.executed_at).toISOString()).toBe("2023-09-21T00:20:55.000Z");
  });

  it("a statement reports its unpaired rows per row and what it skipped; nothing of them is written", async () => {
    const u = await createUser("statement");
    const r = await upload(u, "?exchange=binance", readFileSync(resolve(dir, "binance-statement-rotki.csv"), "utf8"));
    expect(r.status).toBe(200);
    expect(r.body.unpaired.count).toBe(18);
    expect(r.body.unpaired.rows[0]).toMatchObject({ line: 2, operation: "Transaction Related", asset: "BNB" });
    expect(r.body.skipped.find((s: { operation: string }) => s.operation === "Transfer Between Main and Funding Wallet").rows).toBe(2);
    expect(r.body.exchange_pnl_totals).toEqual([{ currency: "USDT", amount: "1.24066", rows: 2 }]);
    expect(await count("fills", u)).toBe(10);
    expect(await count("transfers", u)).toBe(3);
  });

  it("a Bitget futures ledger: its closes' realized PnL per symbol in pnl_check beside the engine's; funding stored per contract", async () => {
    const u = await createUser("bitget-ledger");
    const r = await upload(u, "?exchange=bitget&utc_offset=%2B01:00", readFileSync(resolve(dir, "bitget-futures-ledger-2-filtered.csv"), "utf8"));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.format.id).toBe("bitget-futures-ledger-short");
    // no fills in this user's account: the engine has no closes, so the whole figure is the difference
    expect(r.body.pnl_check.find((c: { symbol: string }) => c.symbol === "BTC/USDT:USDT")).toEqual({
      exchange: "bitget", symbol: "BTC/USDT:USDT", fills: 5, from: "2024-04-13T20:09:09.000Z", to: "2024-11-17T21:22:08.000Z",
      exchange_pnl: "-248.383903731105", engine_gross: "0", engine_net: "0", difference: "248.383903731105",
    });
    expect(r.body.pnl_check.map((c: { symbol: string }) => c.symbol)).toEqual(["ADA/USDT:USDT", "BTC/USDT:USDT", "SOL/USDT:USDT"]);
    expect(r.body.unpaired.count).toBe(1);
    const funding = await upload(u, "?exchange=bitget&utc_offset=%2B01:00", readFileSync(resolve(dir, "bitget-futures-ledger-1.csv"), "utf8"));
    expect(funding.body.funding).toEqual({ in_file: 86, inserted: 86, already_present: 0 });
    const [btc] = await adminSql()`select count(*)::int as n, sum(amount)::text as total from public.funding_payments
                                    where user_id = ${u.id} and symbol = 'BTC/USDT:USDT'`;
    // the 12 BTCUSDT funding rows of the file
    expect(btc.n).toBe(12);
    expect(new Decimal(btc.total).eq("-1.566585225"), btc.total).toBe(true);
  });
});

describe("overlap with API-synced fills", () => {
  it("an export of fills the sync already stored adds none of them", async () => {
    const u = await createUser("overlap");
    const text = readFileSync(resolve(dir, "binance-spot-orders.csv"), "utf8");
    const parsed = await parseExport({ text, exchange: "binance", kind: "spot-trades" });
    // The sync stored two of these executions with their real exchange trade ids.
    for (const [i, f] of parsed.fills.slice(0, 2).entries()) {
      await adminSql()`insert into public.fills (user_id, exchange, market_type, symbol, base, quote, trade_id, order_id, side, price,
                         amount, cost, fees, executed_at, source, fingerprint)
                       values (${u.id}, ${f.exchange}, ${f.market_type}, ${f.symbol}, ${f.base}, ${f.quote}, ${`api-${i}`}, null, ${f.side},
                               ${f.price}, ${f.amount}, ${f.cost}, ${adminSql().json(f.fees as never)}, ${f.executed_at}, 'api', ${await fingerprint(f)})`;
    }
    const r = await upload(u, "?exchange=binance&kind=spot-trades", text);
    expect(r.status).toBe(200);
    expect(r.body.fills.inserted).toBe(parsed.fills.length - 2);
    expect(await count("fills", u)).toBe(parsed.fills.length);
  });
});

describe("over HTTP (supabase-js)", () => {
  it("a user uploads an export with functions.invoke and gets the counts", async () => {
    const u = await createUser("http-import");
    const text = readFileSync(resolve(dir, "mexc-spot-trades-uid.csv"), "utf8");
    const { data, error } = await supabaseAs(u.token).functions.invoke("import?exchange=mexc&kind=spot-trades", {
      body: text, headers: { "content-type": "text/csv" },
    });
    expect(error).toBeNull();
    expect(data.fills.inserted).toBeGreaterThan(0);
  });
});
