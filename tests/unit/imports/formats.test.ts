// Parser rules (units, splitting, signs, directions, statuses) exercised on constructed rows in the
// layouts whose real rows were not found or are few. These rows are test inputs, not exports:
// the tests over real published rows are in real-layouts.test.ts (sources: tests/fixtures/imports/SOURCE.md).
import { describe, expect, it } from "vitest";
import { parseExport } from "../../../functions/_shared/imports/parse.ts";

const file = (...lines: string[]) => lines.join("\n") + "\n";

describe("Binance spot trade history (units glued to numbers)", () => {
  const text = file(
    "Date(UTC),Pair,Side,Price,Executed,Amount,Fee",
    "2026-05-05 13:02:41,BTCUSDT,BUY,96500.1,0.05000000BTC,4825.00500000USDT,0.00565430BNB",
    "2026-05-08 08:47:19,ETHUSDT,BUY,3277.4,1.50000000ETH,4916.10000000USDT,0.00150000ETH",
    "2026-06-25 07:55:45,ETHBTC,SELL,0.03211,1.20000000ETH,0.03853200BTC,0.00003853BTC",
    '2026-07-01 00:00:00,SOLFDUSD,SELL,150,10.00000000SOL,"1,500.00000000FDUSD",1.50000000FDUSD',
  );

  it("maps every column exactly", async () => {
    const r = await parseExport({ text, exchange: "binance", kind: "spot-trades" });
    expect(r.errors).toEqual([]);
    expect(r.format?.id).toBe("binance-spot-trades");
    expect(r.fills).toHaveLength(4);
    const [btc, eth, ethbtc, sol] = r.fills;
    expect({ ...btc, trade_id: "x" }).toEqual({
      exchange: "binance", market_type: "spot", symbol: "BTC/USDT", base: "BTC", quote: "USDT",
      trade_id: "x", order_id: null, side: "buy", price: "96500.1", amount: "0.05", cost: "4825.005",
      fees: [{ currency: "BNB", amount: "0.0056543" }], taker_or_maker: null, exchange_realized_pnl: null,
      is_liquidation: false, executed_at: "2026-05-05T13:02:41.000Z", source: "import",
    });
    expect(btc.trade_id).toMatch(/^imp:[0-9a-f]{24}$/);
    expect(eth.fees).toEqual([{ currency: "ETH", amount: "0.0015" }]);
    expect([ethbtc.symbol, ethbtc.side, ethbtc.price, ethbtc.amount, ethbtc.cost]).toEqual([
      "ETH/BTC", "sell", "0.03211", "1.2", "0.038532",
    ]);
    expect(ethbtc.fees).toEqual([{ currency: "BTC", amount: "0.00003853" }]);
    expect([sol.symbol, sol.cost, sol.fees[0].amount]).toEqual(["SOL/FDUSD", "1500", "1.5"]);
  });

  it("splits assets whose names start with digits", async () => {
    const r = await parseExport({
      text: file(
        "Date(UTC),Pair,Side,Price,Executed,Amount,Fee",
        "2026-05-05 13:02:41,1INCHUSDT,BUY,0.25,100.000000001INCH,25.00000000USDT,0.100000001INCH",
        "2026-05-05 13:02:42,1000SATSUSDT,SELL,0.0003,10000.000000001000SATS,3.00000000USDT,0.00300000USDT",
      ),
    });
    expect(r.errors).toEqual([]);
    expect(r.fills.map((f) => [f.symbol, f.amount, f.fees])).toEqual([
      ["1INCH/USDT", "100", [{ currency: "1INCH", amount: "0.1" }]],
      ["1000SATS/USDT", "10000", [{ currency: "USDT", amount: "0.003" }]],
    ]);
  });

  it("rejects a unit that does not belong to the pair", async () => {
    const r = await parseExport({
      text: file(
        "Date(UTC),Pair,Side,Price,Executed,Amount,Fee",
        "2026-05-05 13:02:41,BTCUSDT,BUY,96500.1,0.05000000ETH,4825.00500000USDT,0.00565430BNB",
      ),
    });
    expect(r.fills).toEqual([]);
    expect(r.errors).toEqual([
      { line: 2, column: "Executed", value: "0.05000000ETH", problem: "unit ETH does not match the pair (expected BTC)" },
    ]);
  });

  it("a zero fee gives no fee entry", async () => {
    const r = await parseExport({
      text: file(
        "Date(UTC),Pair,Side,Price,Executed,Amount,Fee",
        "2026-05-05 13:02:41,BTCUSDT,BUY,96500,0.01000000BTC,965.00000000USDT,0.00000000BNB",
      ),
    });
    expect(r.fills[0].fees).toEqual([]);
  });
});

describe("Binance spot trade history, older layout", () => {
  it("maps plain numbers and the Fee Coin column", async () => {
    const r = await parseExport({
      text: file(
        "Date(UTC),Market,Type,Price,Amount,Total,Fee,Fee Coin",
        "2021-03-04 05:06:07,ETHBTC,SELL,0.0321,2.5,0.08025,0.00008025,BTC",
      ),
    });
    expect(r.errors).toEqual([]);
    expect(r.format?.id).toBe("binance-spot-trades-legacy");
    expect(r.fills.map((f) => [f.symbol, f.side, f.price, f.amount, f.cost, f.fees, f.executed_at])).toEqual([
      ["ETH/BTC", "sell", "0.0321", "2.5", "0.08025", [{ currency: "BTC", amount: "0.00008025" }], "2021-03-04T05:06:07.000Z"],
    ]);
  });
});

describe("Binance USDⓈ-M futures trade history", () => {
  it("without ids: synthetic trade ids, realized profit kept for reconciliation", async () => {
    const r = await parseExport({
      text: file(
        "Date(UTC),Symbol,Side,Price,Quantity,Amount,Fee,Fee Coin,Realized Profit,Quote Asset",
        "2026-05-22 09:12:40,BTCUSDT,SELL,104356.3,0.090,9392.06700000,1.87841340,USDT,590.12345678,USDT",
        "2026-05-22 09:12:41,ETHUSDC,BUY,3400.5,1.000,3400.50000000,0.00102345BNB,BNB,-12.5,USDC",
      ),
    });
    expect(r.errors).toEqual([]);
    expect(r.format?.id).toBe("binance-futures-trades");
    const [a, b] = r.fills;
    expect({ ...a, trade_id: "x" }).toEqual({
      exchange: "binance", market_type: "swap", symbol: "BTC/USDT:USDT", base: "BTC", quote: "USDT",
      trade_id: "x", order_id: null, side: "sell", price: "104356.3", amount: "0.09", cost: "9392.067",
      fees: [{ currency: "USDT", amount: "1.8784134" }], taker_or_maker: null,
      exchange_realized_pnl: "590.12345678", is_liquidation: false, executed_at: "2026-05-22T09:12:40.000Z",
      source: "import",
    });
    expect(a.trade_id).toMatch(/^imp:/);
    expect([b.symbol, b.fees, b.exchange_realized_pnl]).toEqual([
      "ETH/USDC:USDC", [{ currency: "BNB", amount: "0.00102345" }], "-12.5",
    ]);
  });

  it("with order and trade ids: the exchange's ids are kept", async () => {
    const r = await parseExport({
      text: file(
        "Date(UTC),Order ID,Trade ID,Symbol,Side,Price,Quantity,Amount,Fee,Fee Coin,Realized Profit,Quote Asset",
        "2026-06-09 03:27:16,8389765490000039595,505000012,BTCUSDT,SELL,101378.2,0.030,3041.34600000,1.52067300,USDT,105.0,USDT",
      ),
      exchange: "binance",
      kind: "futures-trades",
    });
    expect(r.errors).toEqual([]);
    expect(r.fills.map((f) => [f.trade_id, f.order_id, f.symbol, f.amount, f.fees[0].amount])).toEqual([
      ["505000012", "8389765490000039595", "BTC/USDT:USDT", "0.03", "1.520673"],
    ]);
  });

  it("rejects a Quote Asset that contradicts the symbol", async () => {
    const r = await parseExport({
      text: file(
        "Date(UTC),Symbol,Side,Price,Quantity,Amount,Fee,Fee Coin,Realized Profit,Quote Asset",
        "2026-05-22 09:12:40,BTCUSDT,SELL,104356.3,0.090,9392.067,1.8784134,USDT,0,USDC",
      ),
    });
    expect(r.fills).toEqual([]);
    expect(r.errors[0]).toMatchObject({ line: 2, column: "Quote Asset" });
  });
});

describe("Binance deposits and withdrawals", () => {
  it("deposit history", async () => {
    const r = await parseExport({
      text: file(
        "Date(UTC+0),Coin,Network,Amount,Address,TXID,Status",
        "26-05-01 08:02:11,USDT,TRX,25000,TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL,5b3c7d0e6a4f,Completed",
        "26-05-02 09:00:00,BNB,BSC,1.5,0xabc,Internal transfer,Completed",
        "2026-05-03 10:00:00,USDT,TRX,10,TNPee,77aa,Pending",
      ),
    });
    expect(r.errors).toEqual([]);
    expect(r.format?.id).toBe("binance-deposits");
    expect(r.transfers[0]).toEqual({
      exchange: "binance", kind: "deposit", transfer_id: "5b3c7d0e6a4f", asset: "USDT", amount: "25000", fee: null,
      fee_currency: null, network: "TRX", address: "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL", tx_id: "5b3c7d0e6a4f",
      status: "ok", occurred_at: "2026-05-01T08:02:11.000Z",
    });
    expect(r.transfers[1].transfer_id).toMatch(/^imp:[0-9a-f]{24}$/);
    expect(r.transfers[1].tx_id).toBe("Internal transfer");
    expect(r.transfers[2].status).toBe("pending");
  });

  it("withdrawal history", async () => {
    const r = await parseExport({
      text: file(
        "Date(UTC+0),Coin,Network,Amount,Fee,Address,TXID,Status",
        "26-09-25 16:45:09,USDT,TRX,3000,1,TXk8P2mQ3rS7vW9yZ1aB4cD6eF8gH2jK4L,9a8b7c6d,Completed",
        "26-09-26 16:45:09,USDT,TRX,50,1,TXk8P,,Cancelled",
      ),
    });
    expect(r.errors).toEqual([]);
    expect(r.transfers.map((t) => [t.kind, t.amount, t.fee, t.fee_currency, t.status, t.tx_id])).toEqual([
      ["withdrawal", "3000", "1", "USDT", "ok", "9a8b7c6d"],
      ["withdrawal", "50", "1", "USDT", "canceled", null],
    ]);
  });

  it("the older shared deposit/withdrawal layout needs kind", async () => {
    const text = file(
      "Date(UTC),Coin,Network,Amount,TransactionFee,Address,TXID,SourceAddress,PaymentID,Status",
      "2021-01-02 03:04:05,BTC,BTC,0.5,0.0005,bc1qxyz,abcdef,,,Completed",
    );
    const ambiguous = await parseExport({ text });
    expect(ambiguous.transfers).toEqual([]);
    expect(ambiguous.errors[0].problem).toMatch(/pass kind \(deposits or withdrawals\)/);
    const w = await parseExport({ text, kind: "withdrawals" });
    expect(w.errors).toEqual([]);
    expect(w.transfers.map((t) => [t.kind, t.amount, t.fee, t.transfer_id])).toEqual([["withdrawal", "0.5", "0.0005", "abcdef"]]);
  });
});

describe("Bitget", () => {
  it("spot fills: negative fee is a fee paid, the time zone comes from utcOffset", async () => {
    const r = await parseExport({
      text: file(
        "Date,Order ID,Trade ID,Trading pair,Direction,Price,Amount,Total,Fee,Fee coin",
        "2026-05-18 15:15:00,1201345678901234567,1201345678900000001,BTCUSDT,Buy,96890.12,0.0100,968.9012,-0.00001,BTC",
        "2026-05-18 15:16:00,1201345678901234568,1201345678900000002,ETH/USDT,Sell,3300,0.5,1650,-1.65,USDT",
        "2026-05-18 15:17:00,1201345678901234569,1201345678900000003,SOLUSDT_SPBL,Sell,170,1,170,0.017,USDT",
      ),
      exchange: "bitget",
      utcOffset: "+08:00",
    });
    expect(r.errors).toEqual([]);
    expect(r.format?.id).toBe("bitget-spot-trades");
    expect(r.fills[0]).toEqual({
      exchange: "bitget", market_type: "spot", symbol: "BTC/USDT", base: "BTC", quote: "USDT",
      trade_id: "1201345678900000001", order_id: "1201345678901234567", side: "buy", price: "96890.12",
      amount: "0.01", cost: "968.9012", fees: [{ currency: "BTC", amount: "0.00001" }], taker_or_maker: null,
      exchange_realized_pnl: null, is_liquidation: false, executed_at: "2026-05-18T07:15:00.000Z", source: "import",
    });
    expect(r.fills[1].symbol).toBe("ETH/USDT");
    // A positive Bitget fee is a rebate: stored as a negative fee.
    expect([r.fills[2].symbol, r.fills[2].fees]).toEqual(["SOL/USDT", [{ currency: "USDT", amount: "-0.017" }]]);
  });

  it("USDT-M futures fills: Direction gives the side", async () => {
    const r = await parseExport({
      text: file(
        "Date,Order ID,Trade ID,Futures,Direction,Price,Amount,Total,Fee,Fee coin,Realized P/L",
        "2026-06-20 10:10:10,11,101,SOLUSDT,Open short,158.42,30,4752.6,-2.85156,USDT,0",
        "2026-06-28 23:48:31,12,102,SOLUSDT_UMCBL,Close short,166.1,30,4983,-2.9898,USDT,-230.4",
        "2026-06-29 01:00:00,13,103,BTCUSDT,Open long,101000,0.01,1010,-0.606,USDT,",
        "2026-06-29 02:00:00,14,104,BTCUSDT,Close long,101500,0.01,1015,-0.609,USDT,5",
      ),
      exchange: "bitget",
      kind: "futures-trades",
    });
    expect(r.errors).toEqual([]);
    expect(r.fills.map((f) => [f.symbol, f.side, f.amount, f.cost, f.fees[0].amount, f.exchange_realized_pnl])).toEqual([
      ["SOL/USDT:USDT", "sell", "30", "4752.6", "2.85156", "0"],
      ["SOL/USDT:USDT", "buy", "30", "4983", "2.9898", "-230.4"],
      ["BTC/USDT:USDT", "buy", "0.01", "1010", "0.606", null],
      ["BTC/USDT:USDT", "sell", "0.01", "1015", "0.609", "5"],
    ]);
  });
});

describe("MEXC", () => {
  it("spot trade history: fee in the received asset, role kept", async () => {
    const r = await parseExport({
      text: file(
        "Pairs,Time,Side,Filled Price,Executed Amount,Total,Fee,Role",
        "BTC_USDT,2026-07-01 10:00:00,BUY,107000.5,0.002,214.001,0.000002,Taker",
        "ETH_USDC,2026-07-01 11:00:00,SELL,3500,0.1,350,0.35,Maker",
      ),
      exchange: "mexc",
      kind: "spot-trades",
    });
    expect(r.errors).toEqual([]);
    expect(r.fills.map((f) => [f.exchange, f.symbol, f.side, f.price, f.amount, f.cost, f.fees, f.taker_or_maker])).toEqual([
      ["mexc", "BTC/USDT", "buy", "107000.5", "0.002", "214.001", [{ currency: "BTC", amount: "0.000002" }], "taker"],
      ["mexc", "ETH/USDC", "sell", "3500", "0.1", "350", [{ currency: "USDC", amount: "0.35" }], "maker"],
    ]);
    expect(r.fills[0].trade_id).toMatch(/^imp:/);
  });

  it("deposits and withdrawals", async () => {
    const d = await parseExport({
      text: file(
        "Status,Time,Crypto,Network,Deposit Amount,TxID,Progress",
        "Credited Successfully,2026-07-02 10:00:00,USDT,Tron(TRC20),1000,abc123,20/20",
      ),
    });
    expect(d.errors).toEqual([]);
    expect(d.transfers.map((t) => [t.exchange, t.kind, t.asset, t.amount, t.status, t.transfer_id, t.network])).toEqual([
      ["mexc", "deposit", "USDT", "1000", "ok", "abc123", "Tron(TRC20)"],
    ]);
    const w = await parseExport({
      text: file(
        "Status,Time,Crypto,Network,Request Amount,Withdrawal Address,TxID,Trading Fee,Settlement Amount,Withdrawal Descriptions",
        "Withdrawal Successful,2026-07-03 10:00:00,USDT,Tron(TRC20),500,TXyz,def456,1,499,",
      ),
    });
    expect(w.errors).toEqual([]);
    expect(w.transfers.map((t) => [t.kind, t.amount, t.fee, t.fee_currency, t.address])).toEqual([
      ["withdrawal", "500", "1", "USDT", "TXyz"],
    ]);
  });
});
