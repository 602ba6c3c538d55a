/**
 * One stack per test run, on a fresh database rebuilt from the migrations (`stack reset`, ~1–2 s).
 * `npm test` resets once before the pgTAP and static checks and sets STACK_FRESH=1 so the
 * rebuild is not repeated here.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const stack = resolve(root, "scripts/stack.mjs");
  if (process.env.STACK_FRESH === "1") {
    execFileSync("node", [stack, "up"], { stdio: ["ignore", "ignore", "inherit"] });
  } else {
    execFileSync("node", [stack, "reset"], { stdio: ["ignore", "ignore", "inherit"] });
  }
}
