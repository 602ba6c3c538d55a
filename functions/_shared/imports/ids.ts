/**
 * Deterministic identifiers for imported rows. `syntheticTradeId`: for exports without a trade
 * id — the hash of the fill's key fields (fills/keys.ts) plus its occurrence index among
 * identical rows of the same file, so re-importing the same file yields the same ids (idempotent
 * upserts) while two genuinely identical rows of one file stay two fills. The fill keys and
 * fingerprints themselves are defined in fills/keys.ts (shared with the sync) and re-exported.
 */
import { type FillKeyFields, fillKeyText, sha256Hex, SHORT_HASH_HEX } from "../fills/keys.ts";

export { type FillKeyFields, fillKeyText, fingerprint, fingerprintFields, sha256Hex, SHORT_HASH_HEX, toSecond } from "../fills/keys.ts";

export function syntheticTradeId(f: FillKeyFields, occurrence: number): string {
  return "imp:" + sha256Hex(fillKeyText(f, occurrence)).slice(0, SHORT_HASH_HEX);
}

/** Counts identical keys in file order: the occurrence index that keeps identical rows of one file apart. */
export class Occurrences {
  private readonly seen = new Map<string, number>();
  next(key: string): number {
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    return n;
  }
}

/** A transfer's or funding payment's synthetic id: `imp:` + 24 hex of SHA-256 over [its key text, occurrence]. */
export function syntheticRowId(key: string, occurrence: number): string {
  return "imp:" + sha256Hex(JSON.stringify([key, occurrence])).slice(0, SHORT_HASH_HEX);
}
