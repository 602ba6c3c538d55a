/**
 * ccxt fetchBalance → BalanceRow per asset. Raw strings where the structure is known (binance
 * spot `balances[]`, bitget `data[]` / UTA `data.assets[]`, gate spot `[]`, mexc `balances[]`),
 * else ccxt's free/used/total through numberToString. All-zero assets are dropped unless
 * `includeZero`; the caller replaces the whole snapshot of (credential, account_type).
 */
import type { Balances, Exchange } from "ccxt";
import type { BalanceRow } from "../../domain/types.ts";
import { add, exact, isZero, sub } from "../amounts.ts";
import { ctxOf, currencyCode, MalformedPayloadError, type Raw } from "./common.ts";

export interface BalanceOptions {
  /** "spot", "swap", "funding", "margin_cross", "unified", … */
  accountType: string;
  /** Snapshot (fetch) time, ISO. */
  asOf: string;
  includeZero?: boolean;
}

interface RawBal {
  asset: string;
  free: string | null;
  locked: string | null;
  total: string | null;
}

function rawRows(ex: Exchange, exchange: string, info: unknown): RawBal[] | null {
  const i = info as Raw;
  const code = (v: unknown) => currencyCode(ex, v);
  const out: RawBal[] = [];
  if (exchange === "binance" || exchange === "mexc") {
    if (!Array.isArray(i?.balances)) return null;
    for (const b of i.balances as Raw[]) {
      const free = exact(ex, b.free);
      const locked = exact(ex, b.locked);
      out.push({ asset: code(b.asset)!, free, locked, total: free !== null && locked !== null ? add(free, locked) : null });
    }
    return out;
  }
  if (exchange === "bitget") {
    const data = i?.data;
    if (Array.isArray(data)) {
      for (const b of data as Raw[]) {
        const free = exact(ex, b.available);
        let locked = exact(ex, b.frozen) ?? "0";
        if (b.totalAmount === undefined) locked = add(locked, exact(ex, b.locked) ?? "0");
        const total = exact(ex, b.totalAmount) ?? (free !== null ? add(free, locked) : null);
        out.push({ asset: code(b.coin)!, free, locked, total });
      }
      return out;
    }
    if (data && Array.isArray(data.assets)) {
      for (const b of data.assets as Raw[]) {
        out.push({ asset: code(b.coin)!, free: exact(ex, b.available), locked: exact(ex, b.locked), total: exact(ex, b.balance) });
      }
      return out;
    }
    return null;
  }
  if (exchange === "gateio") {
    if (!Array.isArray(i)) return null;
    for (const b of i as Raw[]) {
      if (b.currency === undefined || b.available === undefined) return null;
      const free = exact(ex, b.available);
      const locked = exact(ex, b.locked) ?? "0";
      out.push({ asset: code(b.currency)!, free, locked, total: free !== null ? add(free, locked) : null });
    }
    return out;
  }
  return null;
}

function fromCcxt(ex: Exchange, b: Balances): RawBal[] {
  const out: RawBal[] = [];
  const skip = new Set(["info", "free", "used", "total", "debt", "timestamp", "datetime"]);
  for (const [asset, acc] of Object.entries(b)) {
    if (skip.has(asset) || !acc || typeof acc !== "object") continue;
    const a = acc as { free?: number; used?: number; total?: number };
    out.push({ asset, free: exact(ex, a.free), locked: exact(ex, a.used), total: exact(ex, a.total) });
  }
  return out;
}

/** Fills the missing one of free/locked/total from the two others (bitget cross gives only total). */
function complete(r: RawBal): { free: string; locked: string; total: string } {
  let { free, locked, total } = r;
  if (total === null && free !== null) total = add(free, locked ?? "0");
  if (total === null) throw new MalformedPayloadError(`balance ${r.asset} without amounts`);
  if (free === null && locked === null) locked = "0";
  if (free === null) free = sub(total, locked!);
  if (locked === null) locked = sub(total, free);
  return { free, locked, total };
}

export function normalizeBalance(ex: Exchange, b: Balances, o: BalanceOptions): BalanceRow[] {
  if (!b || typeof b !== "object") throw new MalformedPayloadError(`${ex.id}: balance is not an object`);
  const { exchange } = ctxOf(ex);
  const rows = rawRows(ex, exchange, b.info) ?? fromCcxt(ex, b);
  const asOf = o.asOf; // snapshot (fetch) time; binance `updateTime` is the last account change
  const out: BalanceRow[] = [];
  for (const r of rows) {
    if (!r.asset) throw new MalformedPayloadError(`${ex.id}: balance without asset`);
    const c = complete(r);
    if (!o.includeZero && isZero(c.total) && isZero(c.free) && isZero(c.locked)) continue;
    out.push({ exchange, account_type: o.accountType, asset: r.asset, ...c, as_of: asOf });
  }
  return out;
}
