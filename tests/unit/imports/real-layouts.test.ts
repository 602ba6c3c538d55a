// Each layout confirmed by real rows, over those rows (tests/fixtures/imports, sources in SOURCE.md):
// quantities, prices, fees and their currencies, sides, symbols, ids and UTC times, exactly.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { FillRow } from "../../../functions/_shared/domain/types.ts";
import { offsetFromFileName, parseExport } from "../../../functions/_shared/imports/parse.ts";

const dir = fileURLToPath(new URL("../../fixtures/imports/", import.meta.url));
const parse = async (file: string, extra: { utcOffset?: string } = {}) => {
  const r = await parseExport({ text: readFileSync(dir + file, "utf8"), fileName: file, ...extra });
  expect(r.errors).toEqual([]);
  return r;
};
/** The fields a trader checks, in one line per fill. */
const view = (f: FillRow) => [f.symbol, f.side, f.price, f.amount, f.cost, f.fees, f.executed_at];

describe("Binance spot trade history, today's `Time` layout (zone from the file name)", () => {
  it("a SELL paid in BNB, exported at UTC-6 (`(UTC--6)` in the name)", async () => {
    const r = await parse("Binance-Spot-Trade-History-202603230406(UTC--6).csv");
    expect(r.format?.id).toBe("binance-spot-trades-time");
    expect([r.utcOffsetMinutes, r.utcOffsetSource]).toEqual([-360, "file name"]);
    expect(r.fills.map(view)).toEqual([
      ["ALGO/USDT", "sell", "0.0997", "103", "10.2691", [{ currency: "BNB", amount: "0.00003593" }], "2023-09-21T00:20:55.000Z"],
    ]);
    expect(r.fills[0]).toMatchObject({ exchange: "binance", market_type: "spot", order_id: null, source: "import" });
    expect(r.fills[0].trade_id).toMatch(/^imp:[0-9a-f]{24}$/);
  });

  it("CRLF lines ending in empty cells, exported at UTC+9", async () => {
    const r = await parse("Binance-Spot-Trade-History-kr(UTC+9).csv");
    expect(r.fills.map(view)).toEqual([
      ["XAUT/USDT", "buy", "4000", "0.1234", "493.6", [{ currency: "BNB", amount: "0.00061" }], "2026-01-02T09:31:37.000Z"],
    ]);
  });

  it("a file without a zone in its name is read as UTC, or in the offset given", async () => {
    expect((await parse("binance-spot-trades-time.csv")).fills.map(view)).toEqual([
      ["SOL/USDC", "buy", "74.12", "9.434", "699.43676", [{ currency: "BNB", amount: "0.00081438" }], "2025-11-28T13:29:41.000Z"],
    ]);
    expect((await parse("binance-spot-trades-time.csv")).utcOffsetSource).toBe("assumed");
    const at8 = await parse("binance-spot-trades-time.csv", { utcOffset: "+08:00" });
    expect(at8.fills[0].executed_at).toBe("2025-11-28T05:29:41.000Z");
    expect(at8.utcOffsetSource).toBe("option");
    expect((await parse("binance-spot-trades-2018.csv")).utcOffsetSource).toBe("header");
  });

  it("an offset that contradicts the file name is an error; the same one is accepted", async () => {
    const text = readFileSync(dir + "Binance-Spot-Trade-History-kr(UTC+9).csv", "utf8");
    const clash = await parseExport({ text, fileName: "Binance-Spot-Trade-History-kr(UTC+9).csv", utcOffset: "+08:00" });
    expect(clash.fills).toEqual([]);
    expect(clash.errors[0].problem).toMatch(/file name says UTC\+09:00 but utcOffset is \+08:00/);
    const same = await parseExport({ text, fileName: "Binance-Spot-Trade-History-kr(UTC+9).csv", utcOffset: "+09:00" });
    expect(same.errors).toEqual([]);
  });

  it("reads the zone the way real download names write it", () => {
    expect(offsetFromFileName("Binance-Spot-Trade-History-202603230406(UTC--6)_abcd.csv")).toBe(-360);
    expect(offsetFromFileName("x(UTC-6).csv")).toBe(-360);
    expect(offsetFromFileName("x(UTC+8).csv")).toBe(480);
    expect(offsetFromFileName("x(UTC+05:30).csv")).toBe(330);
    expect(offsetFromFileName("x(UTC).csv")).toBe(0);
    expect(offsetFromFileName("export.csv")).toBeNull();
  });
});

describe("Binance spot trade history, the 2018 `Date(UTC)` layout", () => {
  it("a user's rows: quoted prices with thousands separators, two fills in one second, fees in BNB or the base", async () => {
    const r = await parse("binance-spot-trades-2018.csv");
    expect(r.format?.id).toBe("binance-spot-trades");
    expect(r.fills.map(view)).toEqual([
      ["TRX/BTC", "sell", "0.0000089", "299", "0.0026611", [{ currency: "BNB", amount: "0.00081795" }], "2018-04-28T14:26:05.000Z"],
      ["BTC/USDT", "buy", "11426.2", "0.052845", "603.817539", [{ currency: "BNB", amount: "0.0229201" }], "2018-01-29T09:13:15.000Z"],
      ["ETH/USDT", "sell", "1117.52", "0.42953", "480.0083656", [{ currency: "BNB", amount: "0.01783168" }], "2018-01-27T20:10:00.000Z"],
      ["BNB/USDT", "sell", "13.0469", "9.49", "123.815081", [{ currency: "BNB", amount: "0.00474041" }], "2018-01-26T21:05:14.000Z"],
      ["BNB/ETH", "sell", "0.012443", "5", "0.062215", [{ currency: "BNB", amount: "0.00249849" }], "2018-01-25T21:49:39.000Z"],
      ["BNB/ETH", "sell", "0.012443", "29.52", "0.36731736", [{ currency: "BNB", amount: "0.01475005" }], "2018-01-25T21:49:39.000Z"],
      ["LTC/BNB", "sell", "13.54", "3.40135", "46.054279", [{ currency: "BNB", amount: "0.02302714" }], "2018-01-25T17:37:00.000Z"],
      ["APPC/BTC", "buy", "0.00020217", "225", "0.04548825", [{ currency: "APPC", amount: "0.225" }], "2018-01-15T02:55:30.000Z"],
    ]);
    expect(new Set(r.fills.map((f) => f.trade_id)).size).toBe(8);
  });
});

describe("Binance spot trade history with order numbers (`Order No,Time,…,AOR Conversion Rate`)", () => {
  it("keeps the order number; the fee in the base asset", async () => {
    const r = await parse("binance-spot-trades-order-no.csv");
    expect(r.fills.map(view)).toEqual([
      ["PAXG/USDT", "buy", "4271.1", "0.075", "320.3325", [{ currency: "PAXG", amount: "0.000075" }], "2026-03-23T11:49:10.000Z"],
    ]);
    expect(r.fills[0].order_id).toBe("650006707");
  });
});

describe("Binance spot order history (fills as indented sub-rows)", () => {
  it("one fill per sub-row, with its order's pair, side and number", async () => {
    const r = await parse("binance-spot-orders.csv");
    expect(r.fills.map((f) => [f.order_id, ...view(f)])).toEqual([
      ["71345331", "AMP/USDT", "buy", "0.002558", "21354", "54.623532", [{ currency: "AMP", amount: "21.354" }], "2023-05-24T16:25:33.000Z"],
      ["2230857748", "ATOM/USDT", "buy", "10.341", "4.83", "49.94703", [{ currency: "ATOM", amount: "0.00483" }], "2023-05-24T16:24:19.000Z"],
      ["21238120332", "BTC/USDT", "buy", "26197.75", "0.0019", "49.775725", [{ currency: "BNB", amount: "0.00012233" }], "2023-05-24T16:19:27.000Z"],
      // a limit order filled two weeks after it was placed: the fill's own time
      ["331666579", "XEC/USDT", "buy", "0.0000253", "790513", "19.9999789", [{ currency: "BNB", amount: "0.00004743" }], "2023-05-22T00:46:44.000Z"],
      ["235998459", "MINA/USDT", "buy", "0.53", "14", "7.42", [{ currency: "BNB", amount: "0.00001778" }], "2023-05-08T18:36:04.000Z"],
      ["235998459", "MINA/USDT", "buy", "0.53", "23.7", "12.561", [{ currency: "BNB", amount: "0.0000301" }], "2023-05-08T18:36:09.000Z"],
      ["761204253", "1INCH/USDT", "buy", "0.4", "50", "20", [{ currency: "BNB", amount: "0.00004794" }], "2023-05-08T18:34:07.000Z"],
    ]);
  });

  it("a fill sub-row with no order above it is an error", async () => {
    const text = readFileSync(dir + "binance-spot-orders.csv", "utf8").split("\n");
    const r = await parseExport({ text: [text[0], text[3]].join("\n") });
    expect(r.errors).toEqual([expect.objectContaining({ line: 2, problem: "a fill sub-row before any order row" })]);
  });
});

describe("Binance Convert history", () => {
  it("a convert is a fill at its `Date Updated`, priced by its two amounts; the `x` price cells are not read", async () => {
    const r = await parse("Binance-Convert-Order-History-202603230441(UTC--6).csv");
    expect(r.fills.map(view)).toEqual([
      ["ETH/BUSD", "buy", "3945.449919651437645558", "0.03158115", "124.60184573", [], "2021-05-11T06:44:33.000Z"],
    ]);
  });

  it("a convert that did not succeed gives no fill", async () => {
    const text = readFileSync(dir + "Binance-Convert-Order-History-202603230441(UTC--6).csv", "utf8").replace("Successful", "Failed");
    const r = await parseExport({ text });
    expect(r.errors).toEqual([]);
    expect(r.fills).toEqual([]);
  });
});

describe("Binance USDⓈ-M futures trade history (`Uid,Time,…,Trade ID,Order ID`)", () => {
  it("fees written `0.29528919 USDC`, the exchange's ids and realized profit, Maker → maker/taker", async () => {
    const r = await parse("binance-futures-trades-uid.csv");
    expect(r.fills.map((f) => [...view(f), f.trade_id, f.order_id, f.taker_or_maker, f.exchange_realized_pnl])).toEqual([
      ["BTC/USDC:USDC", "buy", "73822.3", "0.01", "738.223", [{ currency: "USDC", amount: "0.29528919" }], "2026-03-17T09:34:12.000Z",
        "419925075", "49172439177", "taker", "0.28699999"],
      ["BTC/USDT:USDT", "buy", "80600.2", "0.007", "564.2014", [{ currency: "USDT", amount: "0.2821007" }], "2026-01-31T13:17:22.000Z",
        "7161708169", "896310121516", "taker", "97.84870666"],
      ["COMP/USDT:USDT", "sell", "25.23", "0.436", "11.00028", [{ currency: "USDT", amount: "0.00550014" }], "2026-01-19T11:52:00.000Z",
        "439592093", "12425682460", "taker", "-4.43848"],
    ]);
    expect(r.fills.every((f) => f.market_type === "swap")).toBe(true);
  });

  it("the fee's unit glued on is read the same", async () => {
    const text = readFileSync(dir + "binance-futures-trades-uid.csv", "utf8").replace("0.29528919 USDC", "0.29528919USDC");
    const r = await parseExport({ text });
    expect(r.fills[0].fees).toEqual([{ currency: "USDC", amount: "0.29528919" }]);
  });
});

describe("Binance deposits and withdrawals", () => {
  it("today's `Time` layouts, zone from the name", async () => {
    const d = await parse("Binance-Deposit-History-202603230411(UTC--6).csv");
    expect(d.transfers).toEqual([{
      exchange: "binance", kind: "deposit", transfer_id: "tx-dep", asset: "USDT", amount: "125.564991", fee: null, fee_currency: null,
      network: "MATIC", address: "addr", tx_id: "tx-dep", status: "ok", occurred_at: "2023-05-07T05:05:55.000Z",
    }]);
    const w = await parse("Binance-Withdraw-History-202603230412(UTC--6).csv");
    expect(w.transfers.map((t) => [t.kind, t.asset, t.amount, t.fee, t.fee_currency, t.network, t.status, t.occurred_at])).toEqual([
      ["withdrawal", "HNT", "12.013", "0.11", "HNT", "SOL", "ok", "2023-09-21T04:25:57.000Z"],
    ]);
  });

  it("the 2023 `Date(UTC),…,TransactionFee,…` withdrawal layout, Processing → pending", async () => {
    const r = await parse("binance-withdrawals-2023.csv");
    expect(r.transfers.map((t) => [t.asset, t.amount, t.fee, t.fee_currency, t.network, t.status, t.occurred_at])).toEqual([
      ["MINA", "462.0939369", "0.5", "MINA", "MINA", "pending", "2023-06-10T16:26:30.000Z"],
      ["OP", "57.86", "0.09", "OP", "OPTIMISM", "ok", "2023-06-10T16:22:40.000Z"],
      ["APT", "11.59364233", "0.01", "APT", "APT", "ok", "2023-06-10T16:18:46.000Z"],
      ["MINA", "2", "0.5", "MINA", "MINA", "pending", "2023-06-10T16:11:59.000Z"],
      ["AAVE", "0.9989", "0.0011", "AAVE", "BSC", "ok", "2023-06-10T15:56:57.000Z"],
      ["SOL", "5.782", "0.008", "SOL", "SOL", "ok", "2023-06-10T12:44:25.000Z"],
    ]);
    expect(r.transfers[1].transfer_id).toBe("0xea8195ff20d74477d9d4ef6369635d05a57065e5c20fa997ef5d972626a0a2d8");
  });
});

describe("Binance Transaction History statement as a ledger", () => {
  it("rotki's statement: trade legs of one second → one fill with its fees; converts → fills; deposits and withdrawals → transfers", async () => {
    const r = await parse("binance-statement-rotki.csv");
    expect(r.format?.id).toBe("binance-statement");
    expect(r.fills.map(view)).toEqual([
      // Fee ETH -3.605E-05 (written with an exponent), Buy EUR -134.4719075, Buy ETH 0.03605
      ["ETH/EUR", "buy", "3730.15", "0.03605", "134.4719075", [{ currency: "ETH", amount: "0.00003605" }], "2020-10-30T14:21:20.000Z"],
      // two partial fills of one order, fees in BNB and ETH
      ["ETH/EUR", "buy", "3992.865770992366412214", "0.09825", "392.299062",
        [{ currency: "BNB", amount: "0.00009009" }, { currency: "ETH", amount: "0.00008345" }], "2020-11-03T21:12:59.000Z"],
      ["IOTA/BTC", "sell", "0.00002025", "67.5", "0.001366875", [{ currency: "BNB", amount: "0.0001057" }], "2020-11-12T08:21:54.000Z"],
      ["DAR/USDT", "sell", "3.44", "336.5", "1157.56", [{ currency: "USDT", amount: "1.15756" }], "2020-11-20T22:18:01.000Z"],
      ["IOTA/USDT", "buy", "1.2997", "882", "1146.3354", [{ currency: "IOTA", amount: "0.882" }], "2020-11-20T22:30:01.000Z"],
      // Binance Convert BUSD → MATIC
      ["MATIC/BUSD", "buy", "0.896569659810124183", "140.1195285", "125.626918", [], "2023-06-05T19:47:00.000Z"],
      ["USDC/USDT", "sell", "1.0001", "2641", "2641.2641", [], "2023-07-25T05:18:04.000Z"],
      ["SOL/USDT", "sell", "25.07", "1.07", "26.8249", [{ currency: "BNB", amount: "0.00008316" }], "2023-07-28T18:48:58.000Z"],
      ["ETH/USDT", "buy", "1674.18", "0.017", "28.46106", [{ currency: "BNB", amount: "0.00009883" }], "2023-09-29T09:56:26.000Z"],
      // 93 legs of one market order: 31 Buy, 31 Spend and 31 Fee rows
      ["HIGH/BTC", "buy", "0.000074564602287245", "2011.678", "0.14999997", [{ currency: "HIGH", amount: "2.011678" }], "2024-05-16T12:57:55.000Z"],
    ]);
    expect(r.transfers.map((t) => [t.kind, t.asset, t.amount, t.occurred_at])).toEqual([
      ["deposit", "EUR", "245.25", "2020-10-28T22:03:03.000Z"],
      ["withdrawal", "KNC", "0.16", "2020-12-01T20:06:44.000Z"],
      ["deposit", "EUR", "2435.34", "2023-06-12T12:09:22.000Z"],
    ]);
    // internal moves are not deposits: none of the 8 "Transfer Between …" rows became a transfer
    expect(r.skipped.filter((s) => s.operation.startsWith("Transfer Between")).reduce((n, s) => n + s.rows, 0)).toBe(8);
    expect(r.exchangePnl).toEqual([{ currency: "USDT", amount: "1.24066", rows: 2 }]);
  });

  it("what cannot be paired without guessing is listed per row, never imported", async () => {
    const r = await parse("binance-statement-rotki.csv");
    const why = (op: string) => r.unpaired.filter((u) => u.operation === op).map((u) => u.line);
    expect(why("Transaction Related")).toEqual([2, 4, 6, 7, 40, 42]);
    // two dust coins into two BNB credits at one second: which BNB came from which coin is unknown
    expect(why("Small assets exchange BNB")).toEqual([26, 27, 28, 29, 30, 31, 32]);
    expect(r.unpaired.find((u) => u.line === 41)).toMatchObject({ operation: "Buy", asset: "BTC", change: "0.10680859385" });
    expect(r.unpaired.find((u) => u.operation === "Funding Fee")).toMatchObject({
      line: 75, asset: "USDT", change: "-0.07779065", reason: expect.stringMatching(/names no symbol/),
    });
    expect(r.unpaired).toHaveLength(18);
  });

  it("today's `User ID,Time,…` statement: local times, a dust convert, an unmatched convert leg", async () => {
    const r = await parse("Binance-Transaction-History-202603230400(UTC--6).csv");
    expect(r.format?.id).toBe("binance-statement-time");
    expect(r.fills.map(view)).toEqual([
      ["BNB/ETH", "buy", "0.135106663155122465", "0.00041767", "0.00005643", [], "2023-09-21T00:46:46.000Z"],
    ]);
    expect(r.unpaired.map((u) => [u.line, u.operation, u.asset, u.change])).toEqual([[7, "Binance Convert", "ETH", "0.03158115"]]);
    expect(r.skipped).toEqual([
      { operation: "Transfer Between Spot Account and UM Futures Account", rows: 2, why: expect.any(String) },
      { operation: "ETH 2.0 Staking Rewards", rows: 1, why: expect.any(String) },
    ]);
  });
});

describe("Binance statement: futures rows of a user's 2021 download (`UTC_Time,…` without User_ID)", () => {
  it("realized profit (2021 spelling `Realize profit and loss`) is summed as the exchange's PnL; funding is unpaired; futures fees are in the trade history", async () => {
    const r = await parse("binance-statement-futures-2021.csv");
    expect(r.format?.id).toBe("binance-statement-no-user");
    expect(r.utcOffsetSource).toBe("header");
    expect(r.fills).toEqual([]);
    expect(r.transfers).toEqual([]);
    // 0.03366 + 0.1337 + 0.3292
    expect(r.exchangePnl).toEqual([{ currency: "USDT", amount: "0.49656", rows: 3 }]);
    // three positions' funding at the 00:00 UTC settlement, one second late: no symbol on the row
    expect(r.unpaired.map((u) => [u.line, u.operation, u.change, u.at])).toEqual([
      [9, "Funding Fee", "-0.066839", "2021-04-07T00:00:01.000Z"],
      [10, "Funding Fee", "-0.29142054", "2021-04-07T00:00:01.000Z"],
      [11, "Funding Fee", "-0.06011536", "2021-04-07T00:00:01.000Z"],
    ]);
    expect(r.skipped).toEqual([{ operation: "Fee (futures)", rows: 7, why: expect.stringMatching(/futures trade history/) }]);
  });

  it("the `User_ID,Time,…` header of newer statements is read in the export's zone (its source's rows, not all of them real)", async () => {
    // Rows of index file 55055467608's funding and futures tests (2025, an account at UTC-3:
    // funding at 13:00 and 21:00 local = 16:00 and 00:00 UTC). The same source edited other rows,
    // so this layout counts as header-confirmed only.
    const text = [
      "User_ID,Time,Account,Operation,Coin,Change,Remark",
      "1,25-11-22 16:25:18,USD-M Futures,Realized Profit and Loss,USDT,37.2224,TradeID - 6927444047",
      "1,25-11-22 16:25:18,USD-M Futures,Fee,USDT,-0.6769608,TradeID - 6927444047",
      "1,25-11-12 17:37:06,Spot,Withdraw,USDT,-79,Withdraw fee is included",
      "1,25-11-22 22:22:53,Spot,Deposit,USDT,1655.90,",
      "1,25-11-12 13:00:00,USD-M Futures,Funding Fee,USDT,0.39940,",
      "1,25-11-23 11:56:10,Funding,P2P Trading,USDT,-280,P2P - 22825",
      "1,25-11-13 10:28:49,Spot,Transfer Between Main and Funding Wallet,USDT,-40,",
    ].join("\n");
    const r = await parseExport({ text, utcOffset: "-03:00" });
    expect(r.errors).toEqual([]);
    expect(r.format?.id).toBe("binance-statement-user-id-time");
    expect(r.transfers.map((t) => [t.kind, t.asset, t.amount, t.occurred_at])).toEqual([
      ["withdrawal", "USDT", "79", "2025-11-12T20:37:06.000Z"],
      ["deposit", "USDT", "1655.9", "2025-11-23T01:22:53.000Z"],
    ]);
    expect(r.unpaired.map((u) => [u.operation, u.at])).toEqual([["Funding Fee", "2025-11-12T16:00:00.000Z"]]);
    expect(r.exchangePnl).toEqual([{ currency: "USDT", amount: "37.2224", rows: 1 }]);
    expect(r.skipped.map((s) => s.operation).sort()).toEqual(["Fee (futures)", "P2P Trading", "Transfer Between Main and Funding Wallet"]);
  });
});

describe("MEXC, today's `UID,…` layouts", () => {
  it("spot trades: the fee's unit is read, and a real BUY pays it in the quote asset", async () => {
    const r = await parse("mexc-spot-trades-uid.csv");
    expect(r.fills.map((f) => [...view(f), f.taker_or_maker])).toEqual([
      ["LTC/USDT", "buy", "78.04", "0.315", "24.5886", [{ currency: "USDT", amount: "0.0122943" }], "2025-12-18T22:13:41.000Z", "taker"],
    ]);
  });

  it("deposits and withdrawals", async () => {
    const d = await parse("mexc-deposits-uid.csv");
    expect(d.transfers.map((t) => [t.kind, t.transfer_id, t.asset, t.amount, t.network, t.status, t.occurred_at])).toEqual([
      ["deposit", "0xa1b2:0", "USDT", "27", "Polygon(MATIC)", "ok", "2025-12-19T21:39:59.000Z"],
    ]);
    const w = await parse("mexc-withdrawals-uid.csv");
    expect(w.transfers.map((t) => [t.kind, t.asset, t.amount, t.fee, t.fee_currency, t.address, t.status, t.occurred_at])).toEqual([
      ["withdrawal", "LTC", "0.322", "0.0001", "LTC", "addr_ltc_test", "ok", "2025-03-14T09:27:31.000Z"],
    ]);
  });
});

describe("robust, still strict", () => {
  it("tab-prefixed ids (spreadsheet-safe exports) read as the id", async () => {
    const text = readFileSync(dir + "binance-futures-trades-uid.csv", "utf8").replace(",419925075,", ",\t419925075,");
    const r = await parseExport({ text });
    expect(r.fills[0].trade_id).toBe("419925075");
  });

  it("a semicolon-separated re-save is refused at its header, never half-read", async () => {
    const text = readFileSync(dir + "binance-spot-trades-time.csv", "utf8").replaceAll(",", ";").replace("74.12", "74,12");
    const r = await parseExport({ text });
    expect(r.fills).toEqual([]);
    expect(r.errors).toEqual([expect.objectContaining({ line: 1, problem: expect.stringMatching(/separated by semicolons/) })]);
  });

  it("an unknown header names the closest known layouts first", async () => {
    const r = await parseExport({ text: "Time,Pair,Side,Price,Executed,Amount\n1,2,3,4,5,6\n" });
    expect(r.errors[0].problem).toMatch(/^Unknown export format: the header must be exactly one of the known layouts\. Closest: Binance spot trade history \[binance spot-trades\]: Time,Pair,Side,Price,Executed,Amount,Fee;/);
  });
});
