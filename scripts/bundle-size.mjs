#!/usr/bin/env node
// Bundles every Edge Function (functions/<name>/index.ts) as one ES module with esbuild and prints
// its size (unminified, node builtins external, as issue 15 measured); exits 1 naming each function whose bundle exceeds Supabase's limit for functions
// bundled server-side (`supabase functions deploy --use-api`: 5 MB; 20 MB when the CLI bundles
// locally with Docker). Unminified, as deployed; `node:` builtins stay external (the runtime has
// them). Type-only imports vanish, as in Deno's bundle.
//
//   node scripts/bundle-size.mjs [--json] [name …]
import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "esbuild";
import { ROOT } from "./lib/paths.mjs";

export const LIMIT_BYTES = 5 * 1024 * 1024; // "5MB" in Supabase's function limits (binary megabytes, the stricter reading)

export function functionNames() {
  return readdirSync(resolve(ROOT, "functions"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith("_") && existsSync(resolve(ROOT, "functions", d.name, "index.ts")))
    .map((d) => d.name).sort();
}

/** { name, bytes, modules, largest: [[path, bytes] × 3] } of one function's bundle. */
export async function bundleSize(name) {
  const r = await build({
    entryPoints: [resolve(ROOT, "functions", name, "index.ts")],
    bundle: true, write: false, format: "esm", platform: "node", target: "es2022",
    // platform node: builtins (node:net, …) stay external. protobufjs is reached only by ccxt's
    // dynamic imports for MEXC websockets and dYdX (not installed: ccxt does not depend on it).
    external: ["protobufjs", "protobufjs/*"],
    metafile: true, logLevel: "silent",
  });
  const bytes = r.outputFiles.reduce((s, f) => s + f.contents.byteLength, 0);
  const inputs = Object.entries(r.metafile.inputs);
  const byPackage = new Map();
  for (const [path, v] of inputs) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = m ? m[1] : "project";
    byPackage.set(key, (byPackage.get(key) ?? 0) + v.bytes);
  }
  const largest = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 3);
  return { name, bytes, modules: inputs.length, largest };
}

const mb = (b) => `${(b / 1024 / 1024).toFixed(2)} MB`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const wanted = args.filter((a) => !a.startsWith("-"));
  const names = wanted.length ? wanted : functionNames();
  const results = [];
  for (const n of names) results.push(await bundleSize(n));
  if (args.includes("--json")) console.log(JSON.stringify(results));
  else {
    for (const r of results) {
      console.log(`${r.bytes > LIMIT_BYTES ? "✗" : "✓"} ${r.name.padEnd(16)} ${mb(r.bytes).padStart(9)}  ${String(r.modules).padStart(4)} modules; largest inputs: ${r.largest.map(([k, b]) => `${k} ${mb(b)}`).join(", ")}`);
    }
  }
  const over = results.filter((r) => r.bytes > LIMIT_BYTES);
  if (over.length) {
    console.error(`over the ${mb(LIMIT_BYTES)} limit of server-side bundling (supabase functions deploy --use-api): ${over.map((r) => `${r.name} (${mb(r.bytes)})`).join(", ")}`);
    process.exit(1);
  }
}
