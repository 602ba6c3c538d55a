/**
 * ccxt fetchPositions → ExchangePositionRow (open positions as the exchange reports them, for
 * reconciliation). Amount in base units (gate/mexc contracts × contractSize); zero positions and
 * markets the domain does not store (inverse/coin-margined, dated futures) are skipped.
 * A liquidation price of "0" means "none" on all four exchanges → null.
 * Note: ccxt 4.5.84 reads mexc's margin mode from a field that does not exist (always "cross");
 * we read `openType` (1 isolated, 2 cross) ourselves.
 */
import type { Exchange, Position } from "ccxt";
import type { ExchangePositionRow } from "../../domain/types.ts";
import { abs, exact, firstExact, isNegative, isZero } from "../amounts.ts";
import {
  ctxOf,
  infoOf,
  MalformedPayloadError,
  marketOf,
  nonZero,
  type NormalizeResult,
  type Raw,
  type Skipped,
  supportedMarketType,
  toBase,
} from "./common.ts";

interface RawPos {
  amount: string | null; // exchange units, may be signed
  side: "long" | "short" | null;
  entry: string | null;
  mark: string | null;
  upnl: string | null;
  leverage: string | null;
  marginMode: "isolated" | "cross" | null;
  liq: string | null;
}

function mm(v: unknown): "isolated" | "cross" | null {
  if (v === "isolated") return "isolated";
  if (v === "cross" || v === "crossed") return "cross";
  return null;
}

function rawOf(ex: Exchange, exchange: string, i: Raw): RawPos {
  switch (exchange) {
    case "binance":
      return {
        amount: exact(ex, i.positionAmt),
        side: i.positionSide === "LONG" ? "long" : i.positionSide === "SHORT" ? "short" : null,
        entry: nonZero(ex, i.entryPrice),
        mark: nonZero(ex, i.markPrice),
        upnl: firstExact(ex, i.unRealizedProfit, i.unrealizedProfit),
        leverage: nonZero(ex, i.leverage),
        marginMode: mm(i.marginType),
        liq: nonZero(ex, i.liquidationPrice),
      };
    case "bitget":
      return {
        amount: exact(ex, i.total),
        side: i.holdSide === "long" || i.posSide === "long" ? "long" : i.holdSide === "short" || i.posSide === "short" ? "short" : null,
        entry: nonZero(ex, i.openPriceAvg ?? i.avgPrice),
        mark: nonZero(ex, i.markPrice),
        upnl: firstExact(ex, i.unrealizedPL, i.unrealisedPnl),
        leverage: nonZero(ex, i.leverage),
        marginMode: mm(i.marginMode),
        liq: nonZero(ex, i.liquidationPrice),
      };
    case "gateio": {
      const lev = nonZero(ex, i.leverage);
      return {
        amount: exact(ex, i.size),
        side: null,
        entry: nonZero(ex, i.entry_price),
        mark: nonZero(ex, i.mark_price),
        upnl: exact(ex, i.unrealised_pnl),
        // gate: leverage "0" = cross margin, effective leverage in cross_leverage_limit
        leverage: lev ?? nonZero(ex, i.cross_leverage_limit),
        marginMode: i.leverage === undefined ? null : lev === null ? "cross" : "isolated",
        liq: nonZero(ex, i.liq_price),
      };
    }
    case "mexc":
      return {
        amount: exact(ex, i.holdVol),
        side: String(i.positionType) === "1" ? "long" : String(i.positionType) === "2" ? "short" : null,
        entry: nonZero(ex, i.holdAvgPrice ?? i.openAvgPrice),
        mark: null,
        upnl: null,
        leverage: nonZero(ex, i.leverage),
        marginMode: String(i.openType) === "1" ? "isolated" : String(i.openType) === "2" ? "cross" : null,
        liq: nonZero(ex, i.liquidatePrice),
      };
  }
  throw new Error(`unsupported exchange ${exchange}`);
}

export function normalizePositions(ex: Exchange, positions: Position[], asOf: string): NormalizeResult<ExchangePositionRow> {
  if (!Array.isArray(positions)) throw new MalformedPayloadError(`${ex.id}: positions is not an array`);
  const ctx = ctxOf(ex);
  const rows: ExchangePositionRow[] = [];
  const skipped: Skipped[] = [];
  for (const p of positions) {
    const market = marketOf(ex, p.symbol);
    if (supportedMarketType(market) !== "swap") {
      skipped.push({ id: p.id ?? null, symbol: p.symbol ?? null, reason: "not a linear swap" });
      continue;
    }
    const r = rawOf(ex, ctx.exchange, infoOf(p));
    const units = r.amount ?? exact(ex, p.contracts);
    if (units === null) throw new MalformedPayloadError(`${ex.id}: position ${p.symbol} without size`);
    if (isZero(units)) continue;
    const side = r.side ?? (isNegative(units) ? "short" : p.side === "short" ? "short" : "long");
    rows.push({
      exchange: ctx.exchange,
      symbol: market.symbol,
      side,
      amount: toBase(ctx, market, abs(units)),
      entry_price: r.entry ?? exact(ex, p.entryPrice),
      mark_price: r.mark ?? exact(ex, p.markPrice),
      unrealized_pnl: r.upnl ?? exact(ex, p.unrealizedPnl),
      leverage: r.leverage ?? exact(ex, p.leverage),
      margin_mode: r.marginMode ?? mm(p.marginMode),
      liquidation_price: r.liq,
      as_of: asOf, // snapshot time (the exchange timestamp is the last position update)
    });
  }
  return { rows, skipped };
}
