// Bitget's layouts over real rows (tests/fixtures/imports, sources in SOURCE.md): funding payments,
// the exchange's PnL per symbol, fills, transfers, unpaired rows with their reasons and skipped
// counts, exactly. Layouts confirmed by their header only are tested on constructed rows, each
// saying where its values come from.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { FillRow } from "../../../functions/_shared/domain/types.ts";
import { FORMATS } from "../../../functions/_shared/imports/formats.ts";
import { parseExport } from "../../../functions/_shared/imports/parse.ts";

const dir = fileURLToPath(new URL("../../fixtures/imports/", import.meta.url));
const read = (file: string) => readFileSync(dir + file, "utf8");
const parse = async (file: string, extra: { utcOffset?: string } = {}) => {
  const r = await parseExport({ text: read(file), fileName: file, ...extra });
  expect(r.errors).toEqual([]);
  return r;
};
const parseText = async (text: string, utcOffset?: string) => {
  const r = await parseExport({ text, utcOffset });
  expect(r.errors).toEqual([]);
  return r;
};
const view = (f: FillRow) => [f.symbol, f.side, f.price, f.amount, f.cost, f.fees, f.executed_at];
const PNL_WHY = "the exchange's realized PnL of a close (summed per symbol as a cross-check) and its commission (the fee of the fills export)";
const OPEN_WHY = "the opening commission: it is the fee of the fill in the futures fills export";
const INTERNAL_WHY = "a move between the user's own Bitget accounts, not a deposit or withdrawal";
const ZERO_WHY = "no balance change (a margin or leverage adjustment)";

/** JimItMy's bitget.csv: every funding row, [bill id, swap, amount, UTC time] (the file is at UTC+1). */
const FUNDING_1 = [
    ["1251011973939384330", "XRP/USDT:USDT", "-0.00606075", "2024-12-12T08:00:17.000Z"], // line 2
    ["1251011971489910826", "ETH/USDT:USDT", "-0.051986628", "2024-12-12T08:00:17.000Z"], // line 3
    ["1251011964518977537", "DOGE/USDT:USDT", "-0.0099782028", "2024-12-12T08:00:15.000Z"], // line 4
    ["1251011956281364564", "DOT/USDT:USDT", "-0.0074488", "2024-12-12T08:00:13.000Z"], // line 5
    ["1251011948068917259", "SOL/USDT:USDT", "-0.049679784", "2024-12-12T08:00:11.000Z"], // line 6
    ["1251011947376857099", "LINK/USDT:USDT", "-0.00749372", "2024-12-12T08:00:11.000Z"], // line 7
    ["1251011946579939391", "BTC/USDT:USDT", "-0.0675273984", "2024-12-12T08:00:11.000Z"], // line 8
    ["1251011939701280782", "POL/USDT:USDT", "-0.003245", "2024-12-12T08:00:09.000Z"], // line 9
    ["1251011933476933647", "MANA/USDT:USDT", "-0.00524514375", "2024-12-12T08:00:08.000Z"], // line 10
    ["1251011926824767501", "ADA/USDT:USDT", "-0.00497424", "2024-12-12T08:00:06.000Z"], // line 11
    ["1250891181486428174", "ETH/USDT:USDT", "-0.05286021", "2024-12-12T00:00:18.000Z"], // line 12
    ["1250891171046805509", "XRP/USDT:USDT", "-0.0059835", "2024-12-12T00:00:16.000Z"], // line 13
    ["1250891171000668168", "ADA/USDT:USDT", "-0.00467109", "2024-12-12T00:00:16.000Z"], // line 14
    ["1250891166621814828", "SOL/USDT:USDT", "-0.050455272", "2024-12-12T00:00:15.000Z"], // line 15
    ["1250891165535490060", "BTC/USDT:USDT", "-0.0746075196", "2024-12-12T00:00:14.000Z"], // line 16
    ["1250891156979109888", "LINK/USDT:USDT", "-0.0048124", "2024-12-12T00:00:12.000Z"], // line 17
    ["1250891156811337760", "DOGE/USDT:USDT", "-0.01008504", "2024-12-12T00:00:12.000Z"], // line 18
    ["1250891139413364752", "DOT/USDT:USDT", "-0.0071932", "2024-12-12T00:00:08.000Z"], // line 19
    ["1250891129435115531", "POL/USDT:USDT", "-0.003148", "2024-12-12T00:00:06.000Z"], // line 20
    ["1250891124464865281", "MANA/USDT:USDT", "-0.00583329075", "2024-12-12T00:00:05.000Z"], // line 21
    ["1250770385774497799", "ETH/USDT:USDT", "-0.04997916", "2024-12-11T16:00:18.000Z"], // line 22
    ["1250770381311758357", "DOGE/USDT:USDT", "-0.0099108", "2024-12-11T16:00:17.000Z"], // line 23
    ["1250770374202413079", "BTC/USDT:USDT", "-0.0770823936", "2024-12-11T16:00:16.000Z"], // line 24
    ["1250770373598433303", "XRP/USDT:USDT", "-0.00611675", "2024-12-11T16:00:15.000Z"], // line 25
    ["1250770373514547210", "SOL/USDT:USDT", "-0.048870966", "2024-12-11T16:00:15.000Z"], // line 26
    ["1250770363817316365", "DOT/USDT:USDT", "-0.004410096", "2024-12-11T16:00:13.000Z"], // line 27
    ["1250770342401200144", "ADA/USDT:USDT", "-0.00470592", "2024-12-11T16:00:08.000Z"], // line 28
    ["1250770338223673352", "LINK/USDT:USDT", "-0.0047784", "2024-12-11T16:00:07.000Z"], // line 29
    ["1250770328845209603", "POL/USDT:USDT", "-0.0031285", "2024-12-11T16:00:05.000Z"], // line 30
    ["1250770328182509599", "MANA/USDT:USDT", "-0.0057214365", "2024-12-11T16:00:05.000Z"], // line 31
    ["1250649585432055859", "BTC/USDT:USDT", "-0.0694992606", "2024-12-11T08:00:17.000Z"], // line 33
    ["1250649585260089359", "ETH/USDT:USDT", "-0.04820112", "2024-12-11T08:00:17.000Z"], // line 34
    ["1250649584261845017", "SOL/USDT:USDT", "-0.051965872", "2024-12-11T08:00:17.000Z"], // line 35
    ["1250649576510771256", "DOGE/USDT:USDT", "-0.0077302", "2024-12-11T08:00:15.000Z"], // line 36
    ["1250649567962779652", "ADA/USDT:USDT", "-0.0042785", "2024-12-11T08:00:13.000Z"], // line 37
    ["1250649558441709596", "XRP/USDT:USDT", "-0.005718", "2024-12-11T08:00:11.000Z"], // line 38
    ["1250649550069878836", "LINK/USDT:USDT", "-0.0044422", "2024-12-11T08:00:09.000Z"], // line 39
    ["1250649547972726787", "MANA/USDT:USDT", "-0.00490812", "2024-12-11T08:00:08.000Z"], // line 40
    ["1250649546525691940", "DOT/USDT:USDT", "-0.00660864", "2024-12-11T08:00:08.000Z"], // line 41
    ["1250649528435658782", "POL/USDT:USDT", "-0.002859", "2024-12-11T08:00:04.000Z"], // line 42
    ["1250528788038209539", "XRP/USDT:USDT", "-0.00592275", "2024-12-11T00:00:17.000Z"], // line 43
    ["1250528787992072225", "SOL/USDT:USDT", "-0.045713182", "2024-12-11T00:00:17.000Z"], // line 44
    ["1250528774771625994", "LINK/USDT:USDT", "-0.004422", "2024-12-11T00:00:14.000Z"], // line 45
    ["1250528771726561305", "DOT/USDT:USDT", "-0.00670984", "2024-12-11T00:00:13.000Z"], // line 46
    ["1250528759055568908", "ETH/USDT:USDT", "-0.0448485072", "2024-12-11T00:00:10.000Z"], // line 47
    ["1250528756308299810", "ADA/USDT:USDT", "-0.00439159", "2024-12-11T00:00:09.000Z"], // line 48
    ["1250528754152427537", "POL/USDT:USDT", "-0.0029", "2024-12-11T00:00:09.000Z"], // line 49
    ["1250528753498116112", "BTC/USDT:USDT", "-0.0649160736", "2024-12-11T00:00:09.000Z"], // line 50
    ["1250528739522695180", "DOGE/USDT:USDT", "-0.002992728", "2024-12-11T00:00:05.000Z"], // line 51
    ["1250528738423787535", "MANA/USDT:USDT", "-0.005157099", "2024-12-11T00:00:05.000Z"], // line 52
    ["1250408003516682259", "ETH/USDT:USDT", "-0.0436554288", "2024-12-10T16:00:20.000Z"], // line 59
    ["1250407996034043975", "BTC/USDT:USDT", "-0.07231707", "2024-12-10T16:00:18.000Z"], // line 60
    ["1250407992036872246", "SOL/USDT:USDT", "-0.03178252", "2024-12-10T16:00:17.000Z"], // line 61
    ["1250407978321498129", "DOGE/USDT:USDT", "-0.007113795", "2024-12-10T16:00:14.000Z"], // line 62
    ["1250407970721419294", "ADA/USDT:USDT", "-0.00806055", "2024-12-10T16:00:12.000Z"], // line 63
    ["1250407966564864002", "POL/USDT:USDT", "-0.002732", "2024-12-10T16:00:11.000Z"], // line 64
    ["1250407959925280786", "DOT/USDT:USDT", "-0.00630288", "2024-12-10T16:00:09.000Z"], // line 65
    ["1250407940891529238", "MANA/USDT:USDT", "-0.004474197", "2024-12-10T16:00:05.000Z"], // line 66
    ["1250287204302508041", "ETH/USDT:USDT", "-0.049748202", "2024-12-10T08:00:19.000Z"], // line 67
    ["1250287189702135865", "BTC/USDT:USDT", "-0.0717464412", "2024-12-10T08:00:15.000Z"], // line 68
    ["1250287182110445597", "SOL/USDT:USDT", "-0.030732583", "2024-12-10T08:00:14.000Z"], // line 69
    ["1250287172354494500", "DOT/USDT:USDT", "-0.0068596", "2024-12-10T08:00:11.000Z"], // line 70
    ["1250287166667018270", "DOGE/USDT:USDT", "-0.00839024", "2024-12-10T08:00:10.000Z"], // line 71
    ["1250287166063038470", "ADA/USDT:USDT", "-0.00863005", "2024-12-10T08:00:10.000Z"], // line 72
    ["1250287149336154138", "POL/USDT:USDT", "-0.002935", "2024-12-10T08:00:06.000Z"], // line 73
    ["1250287146987343883", "MANA/USDT:USDT", "-0.0049591575", "2024-12-10T08:00:05.000Z"], // line 74
    ["1250166406136909824", "ETH/USDT:USDT", "-0.0526002936", "2024-12-10T00:00:18.000Z"], // line 76
    ["1250166402496253962", "SOL/USDT:USDT", "-0.0342933304", "2024-12-10T00:00:18.000Z"], // line 77
    ["1250166401774833691", "BTC/USDT:USDT", "-0.0677835096", "2024-12-10T00:00:17.000Z"], // line 78
    ["1250166389212893206", "ADA/USDT:USDT", "-0.00853315", "2024-12-10T00:00:14.000Z"], // line 79
    ["1250166364047069185", "DOGE/USDT:USDT", "-0.007913512", "2024-12-10T00:00:08.000Z"], // line 80
    ["1250166355872370694", "MANA/USDT:USDT", "-0.00529281675", "2024-12-10T00:00:06.000Z"], // line 81
    ["1250166350914703361", "POL/USDT:USDT", "-0.002912", "2024-12-10T00:00:05.000Z"], // line 82
    ["1250045618180247552", "SOL/USDT:USDT", "-0.031861392", "2024-12-09T16:00:20.000Z"], // line 86
    ["1250045616838070294", "ETH/USDT:USDT", "-0.0955066944", "2024-12-09T16:00:20.000Z"], // line 87
    ["1250045613759451136", "DOGE/USDT:USDT", "-0.008725611", "2024-12-09T16:00:19.000Z"], // line 88
    ["1250045612094312490", "ADA/USDT:USDT", "-0.015738294", "2024-12-09T16:00:19.000Z"], // line 89
    ["1250045595661029381", "BTC/USDT:USDT", "-0.0769011396", "2024-12-09T16:00:15.000Z"], // line 90
    ["1249924850184278026", "SOL/USDT:USDT", "-0.044260239", "2024-12-09T08:00:27.000Z"], // line 92
    ["1249924849567715367", "ETH/USDT:USDT", "-0.0780864", "2024-12-09T08:00:27.000Z"], // line 93
    ["1249924830403940381", "DOGE/USDT:USDT", "-0.01280307", "2024-12-09T08:00:22.000Z"], // line 94
    ["1249924830039035922", "ADA/USDT:USDT", "-0.035231854", "2024-12-09T08:00:22.000Z"], // line 95
    ["1249924829430861887", "BTC/USDT:USDT", "-0.1542445776", "2024-12-09T08:00:22.000Z"], // line 96
    ["1249924773730504720", "MANA/USDT:USDT", "-0.01012896", "2024-12-09T08:00:09.000Z"], // line 97
    ["1248596085667713069", "BTC/USDT:USDT", "-0.2287126032", "2024-12-05T16:00:25.000Z"], // line 99
    ["1248475299103514643", "BTC/USDT:USDT", "-0.541247238", "2024-12-05T08:00:27.000Z"], // line 101
];

describe("Bitget USDT-M futures ledger, `order,date,coin,futures,type,sum,fee` (a user's real file)", () => {
  it("funding rows → funding payments of their contract, the bill id as funding id; times at UTC+1", async () => {
    const r = await parse("bitget-futures-ledger-1.csv", { utcOffset: "+01:00" });
    expect(r.format?.id).toBe("bitget-futures-ledger-short");
    expect([r.utcOffsetMinutes, r.utcOffsetSource]).toEqual([60, "option"]);
    expect(r.funding.map((p) => [p.funding_id, p.symbol, p.amount, p.occurred_at])).toEqual(FUNDING_1);
    expect(r.funding.every((p) => p.exchange === "bitget" && p.currency === "USDT")).toBe(true);
    // Bitget settles USDT-M funding at 00:00, 08:00 and 16:00 UTC: read at UTC+1 every row falls
    // in the first minute after one of them (the file writes 01:00, 09:00 and 17:00).
    expect(r.funding.every((p) => ["00", "08", "16"].includes(p.occurred_at.slice(11, 13)) && p.occurred_at.slice(14, 16) === "00")).toBe(true);
    const utc = await parse("bitget-futures-ledger-1.csv");
    expect(utc.utcOffsetSource).toBe("assumed");
    expect(utc.funding[0].occurred_at).toBe("2024-12-12T09:00:17.000Z");
  });

  it("closes → the exchange's realized PnL per symbol (before fees); open and close fees are the fills export's; nothing else is imported", async () => {
    const r = await parse("bitget-futures-ledger-1.csv", { utcOffset: "+01:00" });
    expect(r.fills).toEqual([]);
    expect(r.transfers).toEqual([]);
    expect(r.unpaired).toEqual([]);
    expect(r.exchangePnl).toEqual([
      // 1250431692983422983,2024-12-10 18:34:28,USDT,ADAUSDT,close_long,14.868,-0.02355444
      { symbol: "ADA/USDT:USDT", currency: "USDT", amount: "14.868", rows: 1, from: "2024-12-10T17:34:28.000Z", to: "2024-12-10T17:34:28.000Z" },
      // 1248595183997210662,2024-12-05 16:56:50,USDT,BTCUSDT,close_long,35.255461871139,-0.12182148
      { symbol: "BTC/USDT:USDT", currency: "USDT", amount: "35.255461871139", rows: 1, from: "2024-12-05T15:56:50.000Z", to: "2024-12-05T15:56:50.000Z" },
      // 1249937722511642650,2024-12-09 09:51:36,USDT,MANAUSDT,close_long,2.84,-0.04071
      { symbol: "MANA/USDT:USDT", currency: "USDT", amount: "2.84", rows: 1, from: "2024-12-09T08:51:36.000Z", to: "2024-12-09T08:51:36.000Z" },
    ]);
    expect(r.skipped).toEqual([
      { operation: "open_long", rows: 10, why: OPEN_WHY },
      { operation: "close_long", rows: 3, why: PNL_WHY },
      { operation: "adjust_margin_ifm", rows: 1, why: ZERO_WHY },
    ]);
    // every row is accounted for: 86 funding + 14 skipped
    expect(r.funding.length + r.skipped.reduce((n, s) => n + s.rows, 0) + r.unpaired.length).toBe(r.rows);
    expect(r.rows).toBe(100);
  });

  it("the owner's filtered copy: transfers between the user's accounts, a bonus, a liquidation's risk-fund row, 2024's closes", async () => {
    const r = await parse("bitget-futures-ledger-2-filtered.csv", { utcOffset: "+01:00" });
    expect(r.format?.id).toBe("bitget-futures-ledger-short");
    expect([r.fills, r.transfers, r.funding]).toEqual([[], [], []]);
    expect(r.unpaired).toEqual([{
      line: 20, at: "2024-04-12T18:35:17.000Z", account: "futures SOLUSDT", operation: "risk_captital_user_transfer", asset: "USDT",
      change: "0.321605624542",
      reason: "a liquidation settlement with Bitget's risk fund: whether it belongs to the position's PnL is not documented",
    }]);
    expect(r.exchangePnl).toEqual([
      { symbol: "ADA/USDT:USDT", currency: "USDT", amount: "14.868", rows: 1, from: "2024-12-10T17:34:28.000Z", to: "2024-12-10T17:34:28.000Z" },
      // 44.221385613417 − 2.027042364787 − 170.219246979734 + 0.023 (close_short) − 120.382000000001
      { symbol: "BTC/USDT:USDT", currency: "USDT", amount: "-248.383903731105", rows: 5, from: "2024-04-13T20:09:09.000Z", to: "2024-11-17T21:22:08.000Z" },
      { symbol: "SOL/USDT:USDT", currency: "USDT", amount: "20.588500999998", rows: 1, from: "2024-12-03T13:55:34.000Z", to: "2024-12-03T13:55:34.000Z" },
    ]);
    expect(r.skipped).toEqual([
      { operation: "close_long", rows: 6, why: PNL_WHY },
      { operation: "open_long", rows: 5, why: OPEN_WHY },
      // +277.9933582, +65, +53 and −65: spot ↔ futures, not deposits or withdrawals
      { operation: "trans_from_exchange", rows: 3, why: INTERNAL_WHY },
      { operation: "adjust_down_leverage", rows: 1, why: ZERO_WHY },
      { operation: "adjust_margin_ifm", rows: 1, why: ZERO_WHY },
      { operation: "bonus_issue", rows: 1, why: "an exchange bonus (trial funds), not a trade, transfer or funding payment" },
      { operation: "close_short", rows: 1, why: PNL_WHY },
      { operation: "open_short", rows: 1, why: OPEN_WHY },
      { operation: "trans_to_exchange", rows: 1, why: INTERNAL_WHY },
    ]);
    expect(r.skipped.reduce((n, s) => n + s.rows, 0) + r.unpaired.length).toBe(21);
  });
});

describe("Bitget USDT-M futures ledger, the web download's header (header confirmed; constructed rows)", () => {
  // The amounts, fees, ids and times are real rows of JimItMy's file above; the web layout adds
  // Margin Mode and Wallet balance (values made up here) and the other spelling of the funding
  // type seen in robin13901/Cryptax's real files (`contract_main_settle_fee`).
  const text = [
    "Order,Date,Coin,Futures,Margin Mode,Type,Amount,Fee,Wallet balance",
    "\t1251011946579939391,2024-12-12 09:00:11,USDT,BTCUSDT,crossed,contract_main_settle_fee,-0.0675273984,0,100",
    "\t1248595183997210662,2024-12-05 16:56:50,USDT,BTCUSDT,crossed,close_long,35.255461871139,-0.12182148,100",
    "\t1248693685569900565,2024-12-05 23:28:14,USDT,BTCUSDT,crossed,open_long,0,-0.038,100",
    "\t1242160704898342926,2024-11-17 22:48:30,USDT,,crossed,trans_from_exchange,277.9933582,0,100",
    "\t1,2024-11-17 22:48:31,USDT,,crossed,transfer_from_future_copytrade,5,0,100",
    "\t2,2024-11-17 22:48:32,USDT,BTCPERP,crossed,contract_main_settle_fee,-0.01,0,100",
  ].join("\n");

  it("the same rules; a contract that is not a pair is unpaired", async () => {
    const r = await parseText(text, "+01:00");
    expect(r.format?.id).toBe("bitget-futures-ledger");
    expect(r.funding.map((p) => [p.funding_id, p.symbol, p.currency, p.amount, p.occurred_at])).toEqual([
      ["1251011946579939391", "BTC/USDT:USDT", "USDT", "-0.0675273984", "2024-12-12T08:00:11.000Z"],
    ]);
    expect(r.exchangePnl).toEqual([
      { symbol: "BTC/USDT:USDT", currency: "USDT", amount: "35.255461871139", rows: 1, from: "2024-12-05T15:56:50.000Z", to: "2024-12-05T15:56:50.000Z" },
    ]);
    expect(r.skipped.map((s) => [s.operation, s.rows])).toEqual([
      ["close_long", 1], ["open_long", 1], ["trans_from_exchange", 1], ["transfer_from_future_copytrade", 1],
    ]);
    expect(r.unpaired.map((u) => [u.line, u.operation, u.reason])).toEqual([
      [7, "contract_main_settle_fee", expect.stringMatching(/^the contract "BTCPERP" does not end in a known quote asset.*: the funding cannot be booked to a swap$/)],
    ]);
  });

  it("an unknown type that moves money is unpaired, never guessed", async () => {
    const r = await parseText("Order,Date,Coin,Futures,Margin Mode,Type,Amount,Fee,Wallet balance\n9,2024-12-05 16:56:50,USDT,BTCUSDT,crossed,mystery,1,0,1\n");
    expect(r.unpaired).toEqual([expect.objectContaining({ line: 2, reason: "the type mystery is not one this importer knows, so the row is not booked" })]);
  });
});

describe("Bitget spot ledger `order,Date,Coin,Type,Amount,Fee,Available`", () => {
  it("2025 (comma-separated): a Buy and a Sell row of one second are one fill; the fee in the row's coin", async () => {
    // The source's owner reads these files as Europe/Berlin: UTC+1 in December.
    const r = await parse("bitget-spot-ledger-2025.csv", { utcOffset: "+01:00" });
    expect(r.format?.id).toBe("bitget-spot-ledger");
    expect(r.fills.map(view)).toEqual([
      // BTC +0.0005 (fee −0.0000005 BTC, 0.1 %), EUR −37.06153: 37.06153 / 0.0005 = 74,123.06 EUR
      ["BTC/EUR", "buy", "74123.06", "0.0005", "37.06153", [{ currency: "BTC", amount: "0.0000005" }], "2025-12-29T21:41:54.000Z"],
    ]);
    expect(r.fills[0]).toMatchObject({ exchange: "bitget", market_type: "spot", order_id: null, taker_or_maker: null, source: "import" });
    expect(r.fills[0].trade_id).toMatch(/^imp:[0-9a-f]{24}$/);
    expect([r.transfers, r.unpaired, r.skipped, r.funding, r.exchangePnl]).toEqual([[], [], [], [], []]);
  });

  it("2024 (semicolon-separated): an hourly interest row is skipped; the real file's BOM and tab before the id are read", async () => {
    for (const text of [read("bitget-spot-ledger-2024.csv"), "\uFEFF" + read("bitget-spot-ledger-2024.csv").replace("\n1258", "\n\t1258")]) {
      const r = await parseText(text);
      expect(r.format?.id).toBe("bitget-spot-ledger-semicolon");
      expect([r.fills, r.transfers, r.unpaired]).toEqual([[], [], []]);
      expect(r.skipped).toEqual([{ operation: "Interest", rows: 1, why: "not a trade or transfer (interest, earn products, rewards, …)" }]);
    }
  });

  it("the 2025 file re-saved by a spreadsheet with `;` and decimal commas is refused at the number, never read as thousands", async () => {
    const text = read("bitget-spot-ledger-2025.csv").replaceAll(",", ";").replace("-37.06153", "-37,061");
    const r = await parseExport({ text });
    expect(r.format?.id).toBe("bitget-spot-ledger-semicolon");
    expect(r.fills).toEqual([]);
    expect(r.errors).toEqual([{
      line: 3, column: "Amount", value: "-37,061",
      problem: "a number with a comma: Bitget writes plain decimals (a spreadsheet's re-save with decimal commas?)",
    }]);
  });

  it("pairing rules on constructed rows (the real rows' shape): a sell, a fee-deduct row, transfers, what is not paired", async () => {
    const header = "order,Date,Coin,Type,Amount,Fee,Available";
    const r = await parseText([
      header,
      // a sell of BTC for EUR: the BTC leg is spent (Sell, −), the EUR leg received (Buy, +) with its fee
      "11,2025-12-30 10:00:00,BTC,Sell,-0.0005,0,0",
      "12,2025-12-30 10:00:00,EUR,Buy,37.5,-0.0375,37.4625",
      // a trade whose fee is written on a row of its own, paid in BGB
      "21,2025-12-30 11:00:00,BGB,Buy,10,0,10",
      "22,2025-12-30 11:00:00,USDT,Sell,-50,0,0",
      "23,2025-12-30 11:00:00,BGB,Transaction fee deduct,-0.01,0,9.99",
      // the source's makeRow() default: a Buy with no leg spent at its second
      "1252628755991928841,2024-12-16 20:04:48,USDT,Buy,160,-0.16,163.73784613735",
      // two trades in one second: which asset paid for which is unknown
      "31,2025-12-30 12:00:00,BTC,Buy,0.001,0,0",
      "32,2025-12-30 12:00:00,ETH,Buy,0.01,0,0",
      "33,2025-12-30 12:00:00,USDT,Sell,-100,0,0",
      "34,2025-12-30 12:00:00,EUR,Sell,-10,0,0",
      "41,2025-12-31 09:00:00,USDT,Deposit,500,0,500",
      "42,2025-12-31 10:00:00,USDT,Ordinary Withdrawal,-100,-1,399",
      "43,2025-12-31 11:00:00,USDT,Transfer out,-50,0,349",
      "44,2025-12-31 12:00:00,USDT,Deposit credited,20,0,369",
      "45,2025-12-31 13:00:00,USDE,Interest,0.00067825,0,0",
    ].join("\n"));
    expect(r.fills.map(view)).toEqual([
      ["BTC/EUR", "sell", "75000", "0.0005", "37.5", [{ currency: "EUR", amount: "0.0375" }], "2025-12-30T10:00:00.000Z"],
      ["BGB/USDT", "buy", "5", "10", "50", [{ currency: "BGB", amount: "0.01" }], "2025-12-30T11:00:00.000Z"],
    ]);
    expect(r.transfers.map((t) => [t.transfer_id, t.kind, t.asset, t.amount, t.fee, t.fee_currency, t.status, t.occurred_at])).toEqual([
      ["41", "deposit", "USDT", "500", null, null, "ok", "2025-12-31T09:00:00.000Z"],
      ["42", "withdrawal", "USDT", "100", "1", "USDT", "ok", "2025-12-31T10:00:00.000Z"],
    ]);
    expect(r.unpaired.map((u) => [u.line, u.operation, u.asset, u.change, u.reason])).toEqual([
      [7, "Buy", "USDT", "160", "the rows of this second do not name exactly one asset received and one spent (several trades at once?)"],
      ...[8, 9, 10, 11].map((line, i) => [line, ["Buy", "Buy", "Sell", "Sell"][i], ["BTC", "ETH", "USDT", "EUR"][i], ["0.001", "0.01", "-100", "-10"][i],
        "the rows of this second do not name exactly one asset received and one spent (several trades at once?)"]),
      [15, "Deposit credited", "USDT", "20", "no real `Deposit credited` row has been seen: whether it repeats a `Deposit` row is not known"],
    ]);
    expect(r.skipped).toEqual([
      { operation: "Interest", rows: 1, why: "not a trade or transfer (interest, earn products, rewards, …)" },
      { operation: "Transfer out", rows: 1, why: INTERNAL_WHY },
    ]);
  });

  it("swaps (`Exchange spending` / `Exchange income`): one asset into one is a fill; dust of several coins into BGB is unpaired", async () => {
    // Cryptax's notes on its owner's 2025 file: TRUMP, MOZ and 0X0 leave at the timestamp BGB arrives.
    const r = await parseText([
      "order,Date,Coin,Type,Amount,Fee,Available",
      "1,2025-06-01 10:00:00,TRUMP,Exchange spending,-0.5,0,0",
      "2,2025-06-01 10:00:00,MOZ,Exchange spending,-100,0,0",
      "3,2025-06-01 10:00:00,BGB,Exchange income,0.3,0,0.3",
      "4,2025-06-01 11:00:00,USDT,Exchange spending,-5,0,0",
      "5,2025-06-01 11:00:00,BGB,Exchange income,1,0,1.3",
      // a Buy and a Sell at the same second as a swap stay apart from it
      "6,2025-06-01 11:00:00,BTC,Buy,0.001,0,0.001",
      "7,2025-06-01 11:00:00,USDT,Sell,-100,0,0",
    ].join("\n"));
    expect(r.fills.map(view)).toEqual([
      ["BGB/USDT", "buy", "5", "1", "5", [], "2025-06-01T11:00:00.000Z"],
      ["BTC/USDT", "buy", "100000", "0.001", "100", [], "2025-06-01T11:00:00.000Z"],
    ]);
    expect(r.unpaired.map((u) => [u.line, u.operation, u.asset])).toEqual([
      [2, "Exchange spending", "TRUMP"], [3, "Exchange spending", "MOZ"], [4, "Exchange income", "BGB"],
    ]);
  });

  it("a leg with the wrong sign, or a pair of two unknown quotes, is unpaired", async () => {
    const r = await parseText([
      "order,Date,Coin,Type,Amount,Fee,Available",
      "1,2025-12-30 10:00:00,BTC,Buy,-0.0005,0,0",
      "2,2025-12-30 10:00:00,EUR,Sell,37.5,0,0",
      "3,2025-12-30 11:00:00,RMSTR,Buy,1,0,0",
      "4,2025-12-30 11:00:00,RSPCX,Sell,-1,0,0",
    ].join("\n"));
    expect(r.fills).toEqual([]);
    expect(r.unpaired.map((u) => [u.line, u.reason])).toEqual([
      [2, "a Buy row of BTC with a negative amount"], [3, "a Buy row of BTC with a negative amount"],
      [4, "neither RMSTR nor RSPCX is a known quote asset, so the market of this trade is unknown"],
      [5, "neither RMSTR nor RSPCX is a known quote asset, so the market of this trade is unknown"],
    ]);
  });
});

describe("Bitget spot order details `Date,Trading pair,Base Asset,Quote Asset,…,Fee Coin` (header confirmed)", () => {
  // No raw row of this download was found. These rows carry the real values of three spot fills
  // of bitget-journal's `data/import-history.json` (research file spot-fills-derived-1.json),
  // which its owner's script made from a different Bitget download (the unified-account fills
  // file, Chinese header): its ms times are written back at UTC+8 (the zone the script read them
  // in), its fees (made positive by the script) negative, as Bitget's web exports write them.
  const text = [
    "Date,Trading pair,Base Asset,Quote Asset,Direction,Price,Amount,Total,Fee,Fee Coin",
    "2026-07-20 22:34:52,rMSTRUSDT,rMSTR,USDT,Buy,96.67,0.150095424,14.50972463808,-0.000075047712,rMSTR",
    "2026-07-20 21:38:28,rMSTRUSDT,rMSTR,USDT,Buy,96.378,0.215392282,20.759077354596,-0.000107696141,rMSTR",
    "2026-07-08 17:47:56,rSPCXUSDT,rSPCX,USDT,Sell,149.5522,0.68,101.695496,-0.050847748,USDT",
  ];

  it("fills with the fee in the coin the file names (the base on these buys), times in the export's zone", async () => {
    const r = await parseText(text.join("\n"), "+08:00");
    expect(r.format?.id).toBe("bitget-spot-fills");
    expect(r.fills.map(view)).toEqual([
      ["RMSTR/USDT", "buy", "96.67", "0.150095424", "14.50972463808", [{ currency: "RMSTR", amount: "0.000075047712" }], "2026-07-20T14:34:52.000Z"],
      ["RMSTR/USDT", "buy", "96.378", "0.215392282", "20.759077354596", [{ currency: "RMSTR", amount: "0.000107696141" }], "2026-07-20T13:38:28.000Z"],
      ["RSPCX/USDT", "sell", "149.5522", "0.68", "101.695496", [{ currency: "USDT", amount: "0.050847748" }], "2026-07-08T09:47:56.000Z"],
    ]);
    expect(r.fills.every((f) => f.exchange === "bitget" && f.market_type === "spot" && f.order_id === null)).toBe(true);
  });

  it("identical rows stay separate fills with stable ids; a fee written positive is still a fee paid; the pair must match its assets", async () => {
    // the third row writes the fee positive: read as the same fee, so all three rows are identical
    const twice = await parseText([text[0], text[3], text[3], text[3].replace("-0.050847748", "0.050847748")].join("\n"));
    expect(new Set(twice.fills.map((f) => f.trade_id)).size).toBe(3);
    expect(twice.fills.map((f) => f.fees)).toEqual(Array(3).fill([{ currency: "USDT", amount: "0.050847748" }]));
    expect((await parseText([text[0], text[3], text[3]].join("\n"))).fills.map((f) => f.trade_id))
      .toEqual(twice.fills.slice(0, 2).map((f) => f.trade_id));
    const bad = await parseExport({ text: [text[0], text[3].replace("rSPCXUSDT", "rSPCX/USDC")].join("\n") });
    expect(bad.errors).toEqual([expect.objectContaining({ line: 2, column: "Trading pair", problem: "does not name RSPCX and USDT (Base Asset, Quote Asset)" })]);
  });
});

describe("Bitget layouts without a public source", () => {
  it("the two layouts written from memory stay marked unconfirmed (the sample account is written in them)", () => {
    const bitget = FORMATS.filter((f) => f.exchange === "bitget").map((f) => [f.id, f.confirmed]);
    expect(bitget).toEqual([
      ["bitget-spot-fills", "header"],
      ["bitget-spot-trades", "none"],
      ["bitget-futures-trades", "none"],
      ["bitget-futures-ledger", "header"],
      ["bitget-futures-ledger-short", "rows"],
      ["bitget-spot-ledger", "rows"],
      ["bitget-spot-ledger-semicolon", "rows"],
    ]);
  });
});
