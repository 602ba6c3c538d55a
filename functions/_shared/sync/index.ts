/** The exchange sync (worker core, queue, storage). See README.md in this folder. */
import { db } from "../db.ts";
import { envRecord } from "../env.ts";
import { decryptCredentialSecrets, loadCredentialCrypto } from "../crypto/mod.ts";
import { onFillsWritten } from "./hooks.ts";
import type { SyncDeps } from "./worker.ts";

export * from "./worker.ts";
export * from "./queue.ts";
export * from "./store.ts";
export * from "./scrub.ts";
export { onFillsWritten } from "./hooks.ts";

/** Production dependencies: the shared pool, the keyring from the environment, real clock and ccxt. */
export async function productionSyncDeps(overrides: Partial<SyncDeps> = {}): Promise<SyncDeps> {
  const { keyring } = await loadCredentialCrypto(envRecord());
  return {
    sql: db(),
    decrypt: (row) => decryptCredentialSecrets(keyring, row),
    onFillsWritten,
    log: (line) => console.log(line),
    ...overrides,
  };
}
