import process from "node:process";
/** Loads recorded (ccxt) and handwritten exchange bodies for the credential tests. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const HANDWRITTEN = resolve(here, "../../fixtures/credentials");
/** Recorded ccxt fixtures: a copy in the repo if there is one, else the shared read-only set. */
// The project expects ../shared beside its root (as CI lays it out).
const CCXT_DIRS = [process.env.CCXT_FIXTURES_DIR, resolve(here, "../../fixtures/ccxt"), resolve(here, "../../../../shared/fixtures/ccxt")].filter(
  (d): d is string => typeof d === "string" && existsSync(join(d, "markets")),
);
export const CCXT_FIXTURES = CCXT_DIRS[0];
if (!CCXT_FIXTURES) throw new Error("ccxt fixtures not found (set CCXT_FIXTURES_DIR)");

// deno-lint-ignore no-explicit-any
type Json = any;

export function handwritten(name: "binance" | "bitget" | "gate" | "mexc"): Json {
  const data = JSON.parse(readFileSync(join(HANDWRITTEN, `${name}.json`), "utf8"));
  if (data.source !== "handwritten") throw new Error(`${name}.json must say "source": "handwritten"`);
  return data;
}

export function markets(ccxtId: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(CCXT_FIXTURES, "markets", `${ccxtId}.json`), "utf8"));
}

/** The raw exchange body of a recorded ccxt case. */
export function recorded(ccxtId: string, method: string, description: string): Json {
  const data = JSON.parse(readFileSync(join(CCXT_FIXTURES, `${ccxtId}.json`), "utf8"));
  const found = (data.methods[method] as Json[]).find((c) => c.description === description);
  if (!found) throw new Error(`no ${ccxtId}.${method} case "${description}"`);
  return found.httpResponse;
}
