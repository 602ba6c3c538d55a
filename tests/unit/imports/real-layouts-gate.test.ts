// Gate.io's downloads over real rows (tests/fixtures/imports/gate-*, sources in SOURCE.md):
// quantities, prices, fees and their currencies, sides, symbols, ids and UTC times, exactly.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { FillRow } from "../../../functions/_shared/domain/types.ts";
import { decodeExport } from "../../../functions/_shared/imports/csv.ts";
import { parseExport } from "../../../functions/_shared/imports/parse.ts";

const dir = fileURLToPath(new URL("../../fixtures/imports/", import.meta.url));
const parse = async (file: string, extra: { utcOffset?: string } = {}) => {
  const r = await parseExport({ text: decodeExport(readFileSync(dir + file)), fileName: file, ...extra });
  expect(r.errors).toEqual([]);
  return r;
};
const view = (f: FillRow) => [f.symbol, f.side, f.price, f.amount, f.cost, f.fees, f.executed_at, f.trade_id, f.order_id];

describe("Gate.io spot trade history (`No,Time,Trade type,Role,Market,Deal price,Deal amount,Total,Fee`)", () => {
  it("a user's 2021 trades: units after a space, tabs after ids and prices, a fee in Gate's POINT", async () => {
    const r = await parse("gate-spot-trades.csv"); // UTF-8 with a BOM, as downloaded
    expect(r.format?.id).toBe("gate-spot-trades");
    expect(r.utcOffsetSource).toBe("assumed"); // no zone in Gate's files: the caller's, else UTC
    expect(r.fills.map(view)).toEqual([
      ["GT/USDT", "buy", "3.7459", "0.259", "0.9701881", [{ currency: "POINT", amount: "0.0019403762" }], "2021-04-13T18:29:01.000Z", "40982960158", null],
      ["NFTX/USDT", "sell", "98.69", "0.013", "1.28297", [{ currency: "USDT", amount: "0.00384891" }], "2021-11-28T10:00:27.000Z", "98156856334", null],
    ]);
    expect(r.fills.map((f) => f.taker_or_maker)).toEqual(["taker", "taker"]);
  });

  it("the Japanese interface's download (売却 = sell, 購入 = buy): the fee in the asset received", async () => {
    const r = await parse("gate-spot-trades-ja.csv", { utcOffset: "+09:00" });
    expect(r.format?.id).toBe("gate-spot-trades");
    expect(r.fills.map(view)).toEqual([
      ["ETH/USDT", "sell", "1604.3", "0.0104", "16.68472", [{ currency: "USDT", amount: "0.03336944" }], "2023-09-28T01:31:29.000Z", "406949971591", null],
      ["ETH/USDT", "buy", "1606.21", "0.0105", "16.865205", [{ currency: "ETH", amount: "0.000021" }], "2023-09-28T01:28:36.000Z", "406948512636", null],
    ]);
  });

  it("the older tab-separated layout with order ids: the same two fills, downloaded at UTC+8, are the same instants", async () => {
    const older = await parse("gate-spot-trades-order-id.csv", { utcOffset: "+08:00" });
    expect(older.format?.id).toBe("gate-spot-trades-order-id");
    const ja = await parse("gate-spot-trades-ja.csv", { utcOffset: "+09:00" });
    const same = (f: FillRow) => [f.symbol, f.side, f.price, f.amount, f.cost, f.fees, f.executed_at];
    expect(older.fills.map(same)).toEqual(ja.fills.map(same));
    // no trade id in this layout (`No` is the row number): synthetic ids; the order ids are kept
    expect(older.fills.map((f) => [f.trade_id.startsWith("imp:"), f.order_id])).toEqual([[true, "406950140354"], [true, "406949013577"]]);
  });
});

describe("Gate.io deposits and withdrawals (tab-separated, UTF-16 with a BOM)", () => {
  it("mydeposits / mywithdrawals: Gate's record id is the transfer id; a withdrawal is what arrived plus its fee", async () => {
    const dep = await parse("gate-mydeposits.csv");
    expect(dep.format?.id).toBe("gate-deposits");
    expect(dep.transfers.map((t) => [t.kind, t.asset, t.amount, t.fee, t.status, t.occurred_at, t.transfer_id, t.tx_id])).toEqual([
      ["deposit", "FIRO", "0.837", null, "ok", "2023-12-28T09:36:34.000Z", "gate:168772221", "cafebabe"],
    ]);
    const wd = await parse("gate-mywithdrawals.csv");
    expect(wd.format?.id).toBe("gate-withdrawals");
    // Amount 22.55 left the account: 17.15 received + 5.4 fee
    expect(wd.transfers.map((t) => [t.kind, t.asset, t.amount, t.fee, t.fee_currency, t.network, t.status, t.transfer_id])).toEqual([
      ["withdrawal", "XLM", "17.15", "5.4", "XLM", "XLM", "ok", "gate:62675616"],
    ]);
  });

  it("the Japanese interface's withdrawals (完了しました = completed)", async () => {
    const r = await parse("gate-mywithdrawals-ja.csv", { utcOffset: "+09:00" });
    expect(r.transfers.map((t) => [t.asset, t.amount, t.fee, t.network, t.status, t.occurred_at, t.transfer_id])).toEqual([
      ["USDT", "2", "0.5", "ARBEVM", "ok", "2024-04-13T08:00:02.000Z", "gate:56279272"],
      ["USDT", "1.5", "0.5", "DOTSM", "ok", "2024-04-13T04:28:15.000Z", "gate:56270622"],
    ]);
  });

  it("a withdrawal whose Amount is not Amount Received + Trading Fee is an error, not a guess", async () => {
    const text = decodeExport(readFileSync(dir + "gate-mywithdrawals.csv")).replace("\t17.15\t", "\t17.16\t");
    const r = await parseExport({ text });
    expect(r.errors).toMatchObject([{ line: 2, column: "Amount Received", problem: expect.stringMatching(/is not Amount 22.55/) }]);
    expect(r.transfers).toEqual([]);
  });
});

describe("Gate.io billing details as a ledger (Japanese interface: amounts with their unit)", () => {
  it("an order's rows are one fill; deposits and withdrawals keep Gate's record id; dust swaps of many coins are unpaired", async () => {
    const r = await parse("gate-billing-ja.csv", { utcOffset: "+09:00" });
    expect(r.format?.id).toBe("gate-billing-units");
    // order 544346585814: 約定済み +33.22 MPC, 取引手数料 −0.029898 MPC (0.09 %), two 注文しました
    // debits of 32.384 and 8.40466 USDT (two fills). The source removed two rows of this order
    // (its lines 215–216), so this is what the file says, not necessarily the whole order.
    expect(r.fills.map(view)).toEqual([
      ["MPC/USDT", "buy", "1.227834437086092715", "33.22", "40.78866", [{ currency: "MPC", amount: "0.029898" }],
        "2024-04-13T20:15:04.000Z", r.fills[0].trade_id, "544346585814"],
    ]);
    expect(r.transfers.map((t) => [t.kind, t.asset, t.amount, t.occurred_at, t.transfer_id])).toEqual([
      ["withdrawal", "SAGA", "2", "2024-04-11T04:49:29.000Z", "gate:56141251"],
      ["deposit", "SAGA", "234.991962", "2024-04-09T09:44:08.000Z", "gate:187010014"],
    ]);
    // two dust swaps: PALM, UP, VENOM and CAF (one batch id, two days: the source edited batch ids) → USDT, and 81 coins → USDT
    expect(r.unpaired).toHaveLength(87);
    expect(new Set(r.unpaired.map((u) => u.reason))).toEqual(new Set([
      "a dust swap of 4 asset(s) into 1 asset(s): which part came from which coin is unknown",
      "a dust swap of 81 asset(s) into 1 asset(s): which part came from which coin is unknown",
    ]));
    expect(r.skipped).toEqual([
      { operation: "Airdrop", rows: 1, why: "not a trade or transfer" },
      { operation: "スポットからの振込", rows: 1, why: expect.stringMatching(/own accounts/) },
    ]);
  });

  it("the English billing header (confirmed by importers written against real files) pairs the same way", async () => {
    // BittyTax's parser (gateio.py) lists these action words; the numbers are the Japanese file's.
    const text = [
      "no,time,action_desc,action_data,type,change_amount,amount,total",
      "213,2024-04-14 05:15:04,Order Filled,544346585814,MPC,33.22000000,15315.04497320,15315.04497320",
      "214,2024-04-14 05:15:04,Trading Fees,544346585814,MPC,-0.02989800,15315.01507520,15315.01507520",
      "217,2024-04-14 05:15:04,Order Placed,544346585814,USDT,-8.40466000,502.96174788,502.96174788",
      "218,2024-04-14 05:15:04,Order Placed,544346585814,USDT,-32.38400000,511.36640788,511.36640788",
      "272,2024-04-11 13:49:29,Withdrawals,56141251,SAGA,-2.00000000,152.99196200,152.99196200",
    ].join("\n");
    const r = await parseExport({ text, utcOffset: "+09:00" });
    expect(r.errors).toEqual([]);
    expect(r.format?.id).toBe("gate-billing");
    const ja = await parse("gate-billing-ja.csv", { utcOffset: "+09:00" });
    expect(r.fills.map(view)).toEqual(ja.fills.map(view));
    expect(r.transfers.map((t) => t.transfer_id)).toEqual(["gate:56141251"]);
  });

  it("an order whose other side is outside the file, or a cancellation that moves a balance, is unpaired", async () => {
    const text = [
      "no,time,action_desc,action_data,type,change_amount,amount,total",
      "1,2024-04-14 05:15:04,Order Filled,700,MPC,33.22,33.22,33.22",
      "2,2024-04-14 05:15:04,Order Placed,701,USDT,-10,90,90",
      "3,2024-04-14 05:15:04,Order Filled,701,BTC,0.0001,0.0001,0.0001",
      "4,2024-04-14 05:16:04,Order Cancelled,701,USDT,5,95,95",
    ].join("\n");
    const r = await parseExport({ text });
    expect(r.errors).toEqual([]);
    expect(r.fills).toEqual([]);
    expect(r.unpaired.map((u) => [u.line, u.reason])).toEqual([
      [2, expect.stringMatching(/does not show exactly one asset received and one spent/)], // order 700: no spent row
      [3, expect.stringMatching(/cancellation row that changes a balance/)], // order 701, all its rows
      [4, expect.stringMatching(/cancellation row that changes a balance/)],
      [5, expect.stringMatching(/cancellation row that changes a balance/)],
    ]);
  });
});

describe("Gate.io perpetual futures account book", () => {
  it("funding rows become funding payments of their contract; realized PnL is the exchange's, per contract; transfers are skipped", async () => {
    // The funding rows fall at 09:00 and 01:00 local: 00:00 and 16:00 UTC at UTC+9, Gate's funding times.
    const r = await parse("gate-futures-book-ja.csv", { utcOffset: "+09:00" });
    expect(r.format?.id).toBe("gate-futures-book");
    expect(r.funding.map((p) => [p.symbol, p.currency, p.amount, p.occurred_at, p.funding_id.startsWith("imp:")])).toEqual([
      ["ETH/USDT:USDT", "USDT", "-0.03861112", "2024-02-28T16:00:00.000Z", true],
      ["ETH/USDT:USDT", "USDT", "1.39281", "2024-02-18T00:00:00.000Z", true],
    ]);
    expect(r.exchangePnl).toEqual([{
      currency: "USDT", amount: "112.1484", rows: 1, symbol: "BTC/USDT:USDT",
      from: "2024-02-13T15:29:49.000Z", to: "2024-02-13T15:29:49.000Z",
    }]);
    expect(r.skipped.map((s) => [s.operation, s.rows])).toEqual([["入出金", 3], ["先物トライアル資金の入出金", 2], ["先物トライアル資金のクレジット", 1]]);
    expect(r.fills).toEqual([]);
    // re-reading gives the same funding ids (re-importing adds nothing)
    const again = await parse("gate-futures-book-ja.csv", { utcOffset: "+09:00" });
    expect(again.funding.map((p) => p.funding_id)).toEqual(r.funding.map((p) => p.funding_id));
  });

  it("an action type not in the table is listed, never guessed", async () => {
    const text = ["No,Time,Contacts,Action Type,Change,Balance,Remarks", "9,2024-02-29 01:00:00,ETH_USDT,Funding Fee,-0.03861112 USDT,2665.79752266 USDT,"].join("\n");
    const r = await parseExport({ text });
    expect(r.errors).toEqual([]);
    expect(r.funding).toEqual([]);
    expect(r.unpaired.map((u) => u.reason)).toEqual([expect.stringMatching(/does not know \("Funding Fee"\)/)]);
  });
});
