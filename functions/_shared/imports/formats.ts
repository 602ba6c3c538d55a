/**
 * The export formats the importer understands: one entry per exact header. See FORMATS.md for
 * the table of columns, units, date formats, time zones and sign conventions.
 */
import type { ExchangeId, FeeEntry, MarketType, Side, TransferKind } from "../domain/types.ts";
import type { LedgerDraft, LedgerResult } from "./ledger.ts";
import {
  binanceConvert, binanceFuturesUid, binanceOrderFill, binanceOrderRow, binanceSpotGlued, binanceSpotLegacy, binanceFutures,
  binanceTransfer,
} from "./rows-binance.ts";
import { bitgetFutures, bitgetSpot, bitgetSpotFills } from "./rows-bitget.ts";
import { mexcDeposit, mexcSpot, mexcSpotUid, mexcWithdrawal } from "./rows-mexc.ts";
import { assembleBinanceStatement, binanceStatementRow } from "./ledger-binance.ts";
import { gateDeposit, gateSpotTrade, gateSpotTradeTsv, gateWithdrawal } from "./rows-gate.ts";
import {
  assembleGateBilling, assembleGateFutures, gateBillingRow, gateBillingRowUnits, gateFuturesRow,
} from "./ledger-gate.ts";
import {
  assembleBitgetFuturesLedger, assembleBitgetSpotLedger, bitgetFuturesLedgerRow, bitgetFuturesLedgerShortRow, bitgetSpotLedgerRow,
} from "./ledger-bitget.ts";

export type ImportKind = "spot-trades" | "futures-trades" | "deposits" | "withdrawals" | "statement";
export const IMPORT_KINDS: readonly ImportKind[] = ["spot-trades", "futures-trades", "deposits", "withdrawals", "statement"];

/** One problem with one cell (or row, or file) of an import. */
export interface ImportIssue {
  /** 1-based line in the file (header = 1); 0 for problems with the file as a whole. */
  line: number;
  column: string | null;
  value: string | null;
  problem: string;
}

/** A fill before its synthetic id is assigned (`trade_id` null when the export has none). */
export interface FillDraft {
  exchange: ExchangeId;
  market_type: MarketType;
  symbol: string;
  base: string;
  quote: string;
  trade_id: string | null;
  order_id: string | null;
  side: Side;
  price: string;
  amount: string;
  cost: string;
  fee_amount: string;
  fee_currency: string;
  taker_or_maker: "maker" | "taker" | null;
  exchange_realized_pnl: string | null;
  executed_at: string;
  /** Further fee entries in other currencies (ledger fills whose legs paid fees in two assets). */
  more_fees?: FeeEntry[];
}

export interface TransferDraft {
  exchange: ExchangeId;
  kind: TransferKind;
  transfer_id: string | null;
  asset: string;
  amount: string;
  fee: string | null;
  fee_currency: string | null;
  network: string | null;
  address: string | null;
  tx_id: string | null;
  status: string;
  occurred_at: string;
}

/** An order row of an order history: what its fill sub-rows inherit. */
export interface OrderDraft {
  order: true;
  symbol: string;
  base: string;
  quote: string;
  side: Side;
  order_id: string;
}

/** Access to one data row's cells, with error collection. */
export interface RowContext {
  line: number;
  /** Minutes east of UTC for formats whose timestamps carry no zone (option `utcOffset`). */
  utcOffsetMinutes: number;
  get(column: string): string;
  bad(column: string | null, problem: string, value?: string | null): void;
}

export interface ImportFormat {
  id: string;
  exchange: ExchangeId;
  kind: ImportKind;
  label: string;
  header: readonly string[];
  /**
   * "utc": the file's times are UTC; "local": the zone chosen at export (option `utcOffset`, or
   * the `(UTC+8)` in the downloaded file's name).
   */
  zone: "utc" | "local";
  /** Where the layout was confirmed (FORMATS.md cites it in full). */
  source: string;
  /** "rows": real rows seen and tested; "header": only the header is confirmed by a public parser; "none": unconfirmed. */
  confirmed: "rows" | "header" | "none";
  /**
   * The layout's delimiter when it is not the comma: Gate.io's deposit, withdrawal and older trade
   * downloads are tab-separated. A file is read with the delimiter under which its header line is
   * exactly such a layout's header; otherwise with the comma.
   */
  delimiter?: "\t" | ";";
  /** How many last columns a row may leave out (real statements end some rows before `Remark`). */
  trailingOptional?: number;
  row(ctx: RowContext): FillDraft | TransferDraft | LedgerDraft | OrderDraft | null;
  /**
   * Order histories whose fills follow each order row as indented sub-rows (first cell empty),
   * under a sub-header of their own: each sub-row is one fill of the order above it.
   */
  subRows?: { header: readonly string[]; row(ctx: RowContext, order: OrderDraft): FillDraft | null };
  /** Ledger formats: turns the file's entries into fills, transfers and funding (see ledger.ts). */
  assemble?(entries: readonly LedgerDraft[]): LedgerResult;
}

const h = (s: string): readonly string[] => s.split(",");

/** Short citations; FORMATS.md gives each source in full. */
const SRC = {
  bittyBinance: "BittyTax src/bittytax/conv/parsers/binance.py",
  bittyMexc: "BittyTax src/bittytax/conv/parsers/mexc.py",
  issue141: "a user's download quoted in BittyTax/BittyTax issue #141 (2021-07-01)",
  tallylot: "tax-tool test with Binance downloads (index file 63096320890)",
  krDoc: "importer notes measured on a real download (index file 60562904456)",
  paxg: "desktop tax app test, anonymised PAXG export (index files 70357727178, 70250956056)",
  futuresUid: "Rails importer test with a user's USDⓈ-M export (index file 52437968707)",
  rotki: "rotki rotkehlchen/tests/data/binance_history.csv",
  metko: "metko21neon/application src/assets/withdraws.ts",
  metkoOrders: "metko21neon/application src/assets/orders.ts",
  mexcUid: "Rust importer tests with MEXC downloads (index file 59671868324)",
  bitty98: "a user's statement quoted in BittyTax/BittyTax issue #98 (2021-04-08)",
  giacenze: "Lucapasselli/GiacenzeCrypto ImportazioneGenericaGateIoTest (its author's own Gate.io downloads)",
  torchGate: "0xtorch/datasource tests/csv/gate-*.csv (a user's Gate.io downloads, Japanese interface)",
  bittyGate: "BittyTax src/bittytax/conv/parsers/gateio.py (written against users' real files in BittyTax issue #152)",
  arStatement: "a portfolio app's statement-parser tests (index file 55055467608); its rows were partly edited by their author",
  bitgetSpec042: "a project's spec \"042 — Exchange operations from CSV exports\", read from its owner's downloads of 2026-10-08/09 (index file 71535865713)",
  cryptax: "robin13901/Cryptax docs on its owner's real Bitget files (index files 67045826616, 66971704904)",
  cryptaxSpotRows: "robin13901/Cryptax: a real row quoted in its docs (index file 66942996078) and the \"real CSV fixture rows\" of spot-tx.test.ts (index file 66778623240)",
  bitgetImporter: "an importer's expected columns (index file 55428828960)",
  jimItMy: "JimItMy/bitget-cointracking-funding-fees bitget.csv and transactions.csv (commit 72e6f4fb51eb8ddf3035d936ee0f4d1df5d7d06a)",
};

export const FORMATS: readonly ImportFormat[] = [
  {
    id: "binance-spot-trades-time", exchange: "binance", kind: "spot-trades", zone: "local",
    label: "Binance spot trade history", source: `${SRC.tallylot}; ${SRC.krDoc}`, confirmed: "rows",
    header: h("Time,Pair,Side,Price,Executed,Amount,Fee"), row: binanceSpotGlued("Time", null),
  },
  {
    id: "binance-spot-trades-order-no", exchange: "binance", kind: "spot-trades", zone: "local",
    label: "Binance spot trade history (with order numbers)", source: SRC.paxg, confirmed: "rows",
    header: h("Order No,Time,Pair,Side,Price,Executed,Amount,Fee,AOR Conversion Pair,AOR Conversion Rate"),
    row: binanceSpotGlued("Time", "Order No"),
  },
  {
    id: "binance-spot-trades", exchange: "binance", kind: "spot-trades", zone: "utc",
    label: "Binance spot trade history (Date(UTC) layout)", source: `${SRC.issue141}; ${SRC.bittyBinance}`, confirmed: "rows",
    header: h("Date(UTC),Pair,Side,Price,Executed,Amount,Fee"), row: binanceSpotGlued("Date(UTC)", null),
  },
  {
    id: "binance-spot-trades-legacy", exchange: "binance", kind: "spot-trades", zone: "utc",
    label: "Binance spot trade history (older layout)", source: SRC.bittyBinance, confirmed: "header",
    header: h("Date(UTC),Market,Type,Price,Amount,Total,Fee,Fee Coin"), row: binanceSpotLegacy,
  },
  {
    id: "binance-spot-orders", exchange: "binance", kind: "spot-trades", zone: "utc",
    label: "Binance spot order history (fills as sub-rows)", source: SRC.metkoOrders, confirmed: "rows",
    header: h("Date(UTC),OrderNo,Pair,Type,Order Price,Order Amount,AvgTrading Price,Filled,Total,status"),
    row: binanceOrderRow, subRows: { header: h("Date(UTC),Trading Price,Filled,Total,Fee"), row: binanceOrderFill },
  },
  {
    id: "binance-convert-history", exchange: "binance", kind: "spot-trades", zone: "local",
    label: "Binance Convert history", source: SRC.tallylot, confirmed: "rows",
    header: h("Time,Wallet,Pair,Type,Sell,Buy,Price,Inverse Price,Date Updated,Status"), row: binanceConvert,
  },
  {
    id: "binance-futures-trades-uid", exchange: "binance", kind: "futures-trades", zone: "local",
    label: "Binance USDⓈ-M futures trade history", source: SRC.futuresUid, confirmed: "rows",
    header: h("Uid,Time,Symbol,Side,Price,Quantity,Amount,Fee,Realized Profit,Buyer,Maker,Trade ID,Order ID"),
    row: binanceFuturesUid,
  },
  {
    id: "binance-futures-trades", exchange: "binance", kind: "futures-trades", zone: "utc",
    label: "Binance USDⓈ-M futures trade history (Date(UTC) layout)",
    source: "header recognised by public importers' tests (index file 71644974290); no real rows found",
    confirmed: "header",
    header: h("Date(UTC),Symbol,Side,Price,Quantity,Amount,Fee,Fee Coin,Realized Profit,Quote Asset"),
    row: binanceFutures(false),
  },
  {
    id: "binance-futures-trades-ids", exchange: "binance", kind: "futures-trades", zone: "utc",
    label: "Binance USDⓈ-M futures trade history (Date(UTC) layout with ids)", source: "unconfirmed", confirmed: "none",
    header: h("Date(UTC),Order ID,Trade ID,Symbol,Side,Price,Quantity,Amount,Fee,Fee Coin,Realized Profit,Quote Asset"),
    row: binanceFutures(true),
  },
  {
    id: "binance-deposits-time", exchange: "binance", kind: "deposits", zone: "local",
    label: "Binance deposit history", source: SRC.tallylot, confirmed: "rows",
    header: h("Time,Coin,Network,Amount,Address,TXID,Status"), row: binanceTransfer("deposit", "Time", null),
  },
  {
    id: "binance-withdrawals-time", exchange: "binance", kind: "withdrawals", zone: "local",
    label: "Binance withdrawal history", source: SRC.tallylot, confirmed: "rows",
    header: h("Time,Coin,Network,Amount,Fee,Address,TXID,Status"), row: binanceTransfer("withdrawal", "Time", "Fee"),
  },
  {
    id: "binance-deposits", exchange: "binance", kind: "deposits", zone: "utc",
    label: "Binance deposit history (Date(UTC+0) layout)", source: SRC.bittyBinance, confirmed: "header",
    header: h("Date(UTC+0),Coin,Network,Amount,Address,TXID,Status"),
    row: binanceTransfer("deposit", "Date(UTC+0)", null),
  },
  {
    id: "binance-withdrawals", exchange: "binance", kind: "withdrawals", zone: "utc",
    label: "Binance withdrawal history (Date(UTC+0) layout)", source: SRC.bittyBinance, confirmed: "header",
    header: h("Date(UTC+0),Coin,Network,Amount,Fee,Address,TXID,Status"),
    row: binanceTransfer("withdrawal", "Date(UTC+0)", "Fee"),
  },
  {
    id: "binance-withdrawals-2023", exchange: "binance", kind: "withdrawals", zone: "utc",
    label: "Binance withdrawal history (2023 layout)", source: SRC.metko, confirmed: "rows",
    header: h("Date(UTC),Coin,Network,Amount,TransactionFee,Address,TXID,Status"),
    row: binanceTransfer("withdrawal", "Date(UTC)", "TransactionFee"),
  },
  {
    id: "binance-deposits-legacy", exchange: "binance", kind: "deposits", zone: "utc",
    label: "Binance deposit history (older layout, shared with withdrawals)", source: SRC.bittyBinance,
    confirmed: "header",
    header: h("Date(UTC),Coin,Network,Amount,TransactionFee,Address,TXID,SourceAddress,PaymentID,Status"),
    row: binanceTransfer("deposit", "Date(UTC)", "TransactionFee"),
  },
  {
    id: "binance-withdrawals-legacy", exchange: "binance", kind: "withdrawals", zone: "utc",
    label: "Binance withdrawal history (older layout, shared with deposits)", source: SRC.bittyBinance,
    confirmed: "header",
    header: h("Date(UTC),Coin,Network,Amount,TransactionFee,Address,TXID,SourceAddress,PaymentID,Status"),
    row: binanceTransfer("withdrawal", "Date(UTC)", "TransactionFee"),
  },
  {
    id: "binance-statement", exchange: "binance", kind: "statement", zone: "utc",
    label: "Binance transaction history statement", source: `${SRC.rotki}; ${SRC.bittyBinance}`, confirmed: "rows",
    header: h("User_ID,UTC_Time,Account,Operation,Coin,Change,Remark"),
    row: binanceStatementRow("UTC_Time"), assemble: assembleBinanceStatement, trailingOptional: 1,
  },
  {
    id: "binance-statement-time", exchange: "binance", kind: "statement", zone: "local",
    label: "Binance transaction history statement (local-time layout)", source: SRC.tallylot, confirmed: "rows",
    header: h("User ID,Time,Account,Operation,Coin,Change,Remark"),
    row: binanceStatementRow("Time"), assemble: assembleBinanceStatement, trailingOptional: 1,
  },
  {
    id: "binance-statement-user-id-time", exchange: "binance", kind: "statement", zone: "local",
    label: "Binance transaction history statement (`User_ID,Time` layout)", source: SRC.arStatement, confirmed: "header",
    header: h("User_ID,Time,Account,Operation,Coin,Change,Remark"),
    row: binanceStatementRow("Time"), assemble: assembleBinanceStatement, trailingOptional: 1,
  },
  {
    id: "binance-statement-no-user", exchange: "binance", kind: "statement", zone: "utc",
    label: "Binance transaction history statement (without user id)", source: `${SRC.bitty98}; ${SRC.bittyBinance}`, confirmed: "rows",
    header: h("UTC_Time,Account,Operation,Coin,Change,Remark"),
    row: binanceStatementRow("UTC_Time"), assemble: assembleBinanceStatement, trailingOptional: 1,
  },
  {
    id: "bitget-spot-fills", exchange: "bitget", kind: "spot-trades", zone: "local",
    label: "Bitget spot order details (fills)", source: SRC.bitgetSpec042, confirmed: "header",
    header: h("Date,Trading pair,Base Asset,Quote Asset,Direction,Price,Amount,Total,Fee,Fee Coin"), row: bitgetSpotFills,
  },
  {
    id: "bitget-spot-trades", exchange: "bitget", kind: "spot-trades", zone: "local",
    label: "Bitget spot fills (sample-account layout, unconfirmed)",
    source: "unconfirmed: written from memory (the real download is bitget-spot-fills); kept because the shipped sample account is written in it",
    confirmed: "none",
    header: h("Date,Order ID,Trade ID,Trading pair,Direction,Price,Amount,Total,Fee,Fee coin"), row: bitgetSpot,
  },
  {
    id: "bitget-futures-trades", exchange: "bitget", kind: "futures-trades", zone: "local",
    label: "Bitget USDT-M futures fills (sample-account layout, unconfirmed)",
    source: "unconfirmed: written from memory, no public header found; kept because the shipped sample account is written in it",
    confirmed: "none",
    header: h("Date,Order ID,Trade ID,Futures,Direction,Price,Amount,Total,Fee,Fee coin,Realized P/L"),
    row: bitgetFutures,
  },
  {
    id: "bitget-futures-ledger", exchange: "bitget", kind: "statement", zone: "local",
    label: "Bitget USDT-M futures transactions (ledger)", source: `${SRC.cryptax}; ${SRC.bitgetImporter}`, confirmed: "header",
    header: h("Order,Date,Coin,Futures,Margin Mode,Type,Amount,Fee,Wallet balance"),
    row: bitgetFuturesLedgerRow, assemble: assembleBitgetFuturesLedger,
  },
  {
    id: "bitget-futures-ledger-short", exchange: "bitget", kind: "statement", zone: "local",
    label: "Bitget USDT-M futures transactions (ledger, `order,date,…,sum,fee` file; maybe made through the tax API)",
    source: SRC.jimItMy, confirmed: "rows",
    header: h("order,date,coin,futures,type,sum,fee"), row: bitgetFuturesLedgerShortRow, assemble: assembleBitgetFuturesLedger,
  },
  {
    id: "bitget-spot-ledger", exchange: "bitget", kind: "statement", zone: "local",
    label: "Bitget spot transactions (ledger)", source: SRC.cryptaxSpotRows, confirmed: "rows",
    header: h("order,Date,Coin,Type,Amount,Fee,Available"), row: bitgetSpotLedgerRow, assemble: assembleBitgetSpotLedger,
  },
  {
    id: "bitget-spot-ledger-semicolon", exchange: "bitget", kind: "statement", zone: "local",
    label: "Bitget spot transactions (ledger, 2024 semicolon-separated file)", source: SRC.cryptaxSpotRows, confirmed: "rows",
    header: h("order,Date,Coin,Type,Amount,Fee,Available"), delimiter: ";", row: bitgetSpotLedgerRow,
    assemble: assembleBitgetSpotLedger,
  },
  {
    id: "gate-spot-trades", exchange: "gateio", kind: "spot-trades", zone: "local",
    label: "Gate.io spot trade history", source: `${SRC.giacenze}; ${SRC.torchGate}`, confirmed: "rows",
    header: h("No,Time,Trade type,Role,Market,Deal price,Deal amount,Total,Fee"), row: gateSpotTrade,
  },
  {
    id: "gate-spot-trades-order-id", exchange: "gateio", kind: "spot-trades", zone: "local", delimiter: "\t",
    label: "Gate.io spot trade history (older, tab-separated, with order ids)", source: SRC.torchGate, confirmed: "rows",
    header: h("No,Order Id,Time,Trade type,Role,Pair,Price,Amount,Total,Fee"), row: gateSpotTradeTsv,
  },
  {
    id: "gate-deposits", exchange: "gateio", kind: "deposits", zone: "local", delimiter: "\t",
    label: "Gate.io deposit history (mydeposits)", source: SRC.giacenze, confirmed: "rows",
    header: h("Order ID,Time,Address,TxID,Coin,Amount,Status"), row: gateDeposit,
  },
  {
    id: "gate-withdrawals", exchange: "gateio", kind: "withdrawals", zone: "local", delimiter: "\t",
    label: "Gate.io withdrawal history (mywithdrawals)", source: `${SRC.giacenze}; ${SRC.torchGate}`, confirmed: "rows",
    header: h("Order ID,Time,Network,Address,Address Name,TxID,Coin,Amount,Trading Fee,Amount Received,Status"),
    row: gateWithdrawal,
  },
  {
    id: "gate-billing", exchange: "gateio", kind: "statement", zone: "local",
    label: "Gate.io billing details", source: SRC.bittyGate, confirmed: "header",
    header: h("no,time,action_desc,action_data,type,change_amount,amount,total"),
    row: gateBillingRow, assemble: assembleGateBilling,
  },
  {
    id: "gate-billing-units", exchange: "gateio", kind: "statement", zone: "local",
    label: "Gate.io billing details (amounts with their unit)", source: SRC.torchGate, confirmed: "rows",
    header: h("no,time,action_desc,action_data,change_amount,amount,additional_info"),
    row: gateBillingRowUnits, assemble: assembleGateBilling,
  },
  {
    id: "gate-futures-book", exchange: "gateio", kind: "statement", zone: "local",
    label: "Gate.io perpetual futures account book", source: SRC.torchGate, confirmed: "rows",
    header: h("No,Time,Contacts,Action Type,Change,Balance,Remarks"),
    row: gateFuturesRow, assemble: assembleGateFutures,
  },
  {
    id: "mexc-spot-trades-uid", exchange: "mexc", kind: "spot-trades", zone: "local",
    label: "MEXC spot trade history", source: SRC.mexcUid, confirmed: "rows",
    header: h("UID,Pairs,Time,Side,Filled Price,Executed Amount,Total,Fee,Role"), row: mexcSpotUid,
  },
  {
    id: "mexc-spot-trades", exchange: "mexc", kind: "spot-trades", zone: "local",
    label: "MEXC spot trade history (older layout without UID)", source: SRC.bittyMexc, confirmed: "header",
    header: h("Pairs,Time,Side,Filled Price,Executed Amount,Total,Fee,Role"), row: mexcSpot,
  },
  {
    id: "mexc-deposits-uid", exchange: "mexc", kind: "deposits", zone: "local",
    label: "MEXC deposit history", source: SRC.mexcUid, confirmed: "rows",
    header: h("UID,Status,Time,Crypto,Network,Deposit Amount,TxID,Progress"), row: mexcDeposit,
  },
  {
    id: "mexc-deposits", exchange: "mexc", kind: "deposits", zone: "local",
    label: "MEXC deposit history (older layout without UID)", source: SRC.bittyMexc, confirmed: "header",
    header: h("Status,Time,Crypto,Network,Deposit Amount,TxID,Progress"), row: mexcDeposit,
  },
  {
    id: "mexc-withdrawals-uid", exchange: "mexc", kind: "withdrawals", zone: "local",
    label: "MEXC withdrawal history", source: SRC.mexcUid, confirmed: "rows",
    header: h(
      "UID,Status,Time,Crypto,Network,Request Amount,Withdrawal Address,memo,TxID,Trading Fee,Settlement Amount,Withdrawal Descriptions",
    ),
    row: mexcWithdrawal,
  },
  {
    id: "mexc-withdrawals", exchange: "mexc", kind: "withdrawals", zone: "local",
    label: "MEXC withdrawal history (older layout without UID)", source: SRC.bittyMexc, confirmed: "header",
    header: h(
      "Status,Time,Crypto,Network,Request Amount,Withdrawal Address,TxID,Trading Fee,Settlement Amount,Withdrawal Descriptions",
    ),
    row: mexcWithdrawal,
  },
];

export function describeFormats(list: readonly ImportFormat[]): string {
  const sep = (f: ImportFormat) => (f.delimiter === "\t" ? " (tab-separated)" : f.delimiter === ";" ? " (semicolon-separated)" : "");
  return list.map((f) => `${f.label} [${f.exchange} ${f.kind}]: ${f.header.join(",")}${sep(f)}`).join("; ");
}

