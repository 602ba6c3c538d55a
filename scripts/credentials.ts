// `npm run credentials -- rotate [--batch N] | status`: re-encrypt every stored credential onto
// the active key (CREDENTIAL_ACTIVE_KID), migrating legacy CBC values when
// CREDENTIAL_ENCRYPTION_KEY / CREDENTIAL_IV_KEY are set, and say which keys can be retired.
// Connects with SUPABASE_DB_URL (default: the local stack) and the keys in the environment
// (default: the local stack's keyring).
import { execFileSync } from "node:child_process";
import postgres from "postgres";
import { loadCredentialCrypto } from "../functions/_shared/crypto/setup.ts";
import { keyUsage, retirementReport } from "../functions/_shared/crypto/rotation.ts";
import { rotateAllCredentials } from "../functions/_shared/credentials/rotate-all.ts";

function localEnv(): Record<string, string> {
  const out = execFileSync("node", ["scripts/stack.mjs", "env", "--secrets"], { encoding: "utf8" });
  return Object.fromEntries(out.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd !== "rotate" && cmd !== "status") {
  console.error("usage: npm run credentials -- rotate [--batch N] | status");
  process.exit(2);
}
const env: Record<string, string | undefined> = process.env.SUPABASE_DB_URL ? process.env : { ...localEnv(), ...process.env };
const batchArg = args.indexOf("--batch");
const batchSize = batchArg >= 0 ? Number(args[batchArg + 1]) : 200;
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
  console.error("--batch must be a whole number from 1 to 10000");
  process.exit(2);
}
let crypto;
try {
  crypto = await loadCredentialCrypto(env);
} catch (err) {
  console.error(`credentials: ${(err as Error).message}`);
  process.exit(1);
}
const sql = postgres(env.SUPABASE_DB_URL!, { max: 2, prepare: false, onnotice: () => {} });
try {
  if (cmd === "status") {
    const rows = await sql`select api_key_ct, secret_key_ct, passphrase_ct from public.api_credentials`;
    console.log(JSON.stringify(retirementReport(crypto.keyring, keyUsage(rows as never)), null, 2));
  } else {
    const t0 = performance.now();
    const { progress, report } = await rotateAllCredentials(sql, crypto, {
      batchSize,
      onBatch: (p) => { process.stderr.write(`\rrotating: ${p.scanned} rows scanned, ${p.rotated} re-encrypted`); },
    });
    process.stderr.write("\n");
    console.log(JSON.stringify({ ...progress, failures: progress.failures, seconds: +((performance.now() - t0) / 1000).toFixed(2), report }, null, 2));
    if (report.retirable.length) console.error(`key(s) ${report.retirable.join(", ")} are no longer used: remove them from CREDENTIAL_KEYS`);
    if (!report.complete) console.error("some values are not on the active key yet (see failures / legacyValues)");
  }
} finally {
  await sql.end();
}
