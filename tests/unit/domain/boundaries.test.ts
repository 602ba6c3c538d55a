/**
 * Module boundaries of issue 16: the sync and the importers share fills/ (keys, fingerprints,
 * the fill + fee write) and never import each other; rules that had copies are defined once.
 * A source scan: it fails as soon as someone adds the import or pastes the copy back.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SHARED = resolve(__dirname, "../../../functions/_shared");
const ts = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? ts(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []);
const all = [...ts(SHARED), ...ts(resolve(__dirname, "../../../functions")).filter((f) => !f.startsWith(SHARED)), ...ts(resolve(__dirname, "../../../scripts"))];
// generated types (database.ts lists the enum) and the benchmarks' deliberately naive baselines are not definitions
const text = new Map(all.filter((f) => !f.endsWith("types/database.ts") && !f.includes("/scripts/bench/")).map((f) => [f, readFileSync(f, "utf8")]));

describe("sync and imports", () => {
  it("do not import each other (both use fills/)", () => {
    for (const [f, s] of text) {
      if (f.includes("/_shared/sync/")) expect(s, f).not.toMatch(/from "\.\.\/imports\//);
      if (f.includes("/_shared/imports/")) expect(s, f).not.toMatch(/from "\.\.\/sync\//);
    }
  });
});

describe("one definition", () => {
  const defining = (re: RegExp) => [...text].filter(([, s]) => re.test(s)).map(([f]) => f.slice(f.indexOf("functions/") >= 0 ? f.indexOf("functions/") : f.indexOf("scripts/")));
  it("of the exchange list, the gate alias and the stream key", () => {
    expect(defining(/\["binance", "bitget", "gateio", "mexc"/)).toEqual(["functions/_shared/domain/exchanges.ts"]);
    expect(defining(/gate: "gateio"/)).toEqual(["functions/_shared/domain/exchanges.ts"]);
    expect(defining(/\+ "\|" \+ market_type \+ "\|" \+|\$\{[a-z.]*exchange\}\|\$\{[a-z.]*market_type\}\|/)).toEqual(["functions/_shared/domain/keys.ts"]);
  });
  it("of the fee rows of fills and of funding, and the fingerprint", () => {
    // fills/write.ts: a fill's fee rows; fills/funding.ts: an imported funding payment's fee row
    // (fundingFeeRow, which the sync's funding write uses too).
    expect(defining(/insert into public\.fees_tracking/)).toEqual(["functions/_shared/fills/funding.ts", "functions/_shared/fills/write.ts"]);
    expect(defining(/fee_type: "FUNDING"/)).toEqual(["functions/_shared/fills/funding.ts"]);
    expect(defining(/export function fingerprint\(/)).toEqual(["functions/_shared/fills/keys.ts"]);
  });
});
