import { Buffer } from "node:buffer";
import { createCipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encryptCredentialSecrets, decryptCredentialSecrets } from "../../../functions/_shared/crypto/credential-set.ts";
import { encryptValue, kidOf, needsRotation } from "../../../functions/_shared/crypto/envelope.ts";
import { loadLegacyCbc } from "../../../functions/_shared/crypto/legacy-cbc.ts";
import {
  keyUsage,
  mergeKeyUsage,
  rowKid,
  retirementReport,
  rotateBatch,
  type CredentialCiphertextRow,
} from "../../../functions/_shared/crypto/rotation.ts";
import type { Keyring } from "../../../functions/_shared/crypto/keyring.ts";
import { KEY_A, KEY_B, KEY_C, keyring } from "./helpers.ts";

const EXCHANGES = ["binance", "bitget", "gateio", "mexc"] as const;

function secretsFor(i: number) {
  const exchange = EXCHANGES[i % 4];
  return {
    exchange,
    apiKey: `api-key-${i}-${"x".repeat(i % 7)}`,
    secretKey: `secret-key-${i}-${"y".repeat(i % 5)}`,
    passphrase: exchange === "bitget" ? `passphrase-${i}` : null,
  };
}

async function makeTable(kr: Keyring, n: number): Promise<CredentialCiphertextRow[]> {
  const rows: CredentialCiphertextRow[] = [];
  for (let i = 0; i < n; i++) {
    const s = secretsFor(i);
    const userId = `user-${String(i).padStart(4, "0")}`;
    const cols = await encryptCredentialSecrets(kr, { userId, exchange: s.exchange }, s);
    rows.push({ id: `id-${String(i).padStart(4, "0")}`, user_id: userId, exchange: s.exchange, ...cols });
  }
  return rows;
}

/** Applies updates as a compare-and-swap would. Returns how many columns were written. */
function apply(table: CredentialCiphertextRow[], updates: Awaited<ReturnType<typeof rotateBatch>>["updates"]): number {
  let written = 0;
  for (const u of updates) {
    const row = table.find((r) => r.id === u.id)!;
    for (const [col, value] of Object.entries(u.set) as Array<[keyof typeof u.set, string]>) {
      if (row[col] === u.expected[col]) {
        row[col] = value;
        written++;
      }
    }
  }
  return written;
}

async function expectAllReadable(kr: Keyring, table: CredentialCiphertextRow[]) {
  for (let i = 0; i < table.length; i++) {
    const s = secretsFor(i);
    expect(await decryptCredentialSecrets(kr, table[i])).toEqual({ apiKey: s.apiKey, secretKey: s.secretKey, passphrase: s.passphrase });
  }
}

describe("key rotation", () => {
  it("rotates in batches: every value readable during and after, none left on the old key, old key retirable", async () => {
    const old = await keyring({ k1: KEY_A }, "k1");
    const table = await makeTable(old, 23);
    const kr = await keyring({ k1: KEY_A, k2: KEY_B }, "k2");

    const before = retirementReport(kr, keyUsage(table));
    expect(before.valuesByKid).toEqual({ k2: 0, k1: 23 * 2 + 6 });
    expect(before.retirable).toEqual([]);
    expect(before.stillInUse).toEqual(["k1"]);
    expect(before.complete).toBe(false);

    // A user saves a new key meanwhile: written on the active key.
    const fresh = await encryptValue(kr, secretsFor(5).apiKey, { userId: table[5].user_id, exchange: table[5].exchange, field: "api_key" });
    table[5].api_key_ct = fresh;

    let lastId: string | null = null;
    const usages = [];
    let batches = 0;
    for (;;) {
      const page = table.filter((r) => lastId === null || r.id > lastId).slice(0, 5);
      if (page.length === 0) break;
      const result = await rotateBatch(kr, page);
      batches++;
      expect(result.failures).toEqual([]);
      expect(result.scannedRows).toBe(page.length);
      for (const u of result.updates) {
        for (const v of Object.values(u.set)) expect(kidOf(v!)).toBe("k2");
        expect(u.kid).toBe("k2");
      }
      apply(table, result.updates);
      usages.push(result.usageAfter);
      lastId = result.lastId;
      // Readable during the rotation (mixed k1/k2 table).
      await expectAllReadable(kr, table);
    }
    expect(batches).toBe(5);
    expect(table.some((r) => [r.api_key_ct, r.secret_key_ct, r.passphrase_ct].some((v) => v && kidOf(v) === "k1"))).toBe(false);
    expect(table.every((r) => !needsRotation(kr, r.api_key_ct) && !needsRotation(kr, r.secret_key_ct) && !needsRotation(kr, r.passphrase_ct))).toBe(true);
    await expectAllReadable(kr, table);
    expect(table[5].api_key_ct).toBe(fresh); // already on the active key: untouched

    expect(table.every((r) => rowKid(r) === "k2")).toBe(true);
    const merged = retirementReport(kr, mergeKeyUsage(...usages));
    expect(merged).toEqual({
      activeKid: "k2",
      valuesByKid: { k2: 52, k1: 0 },
      retirable: ["k1"],
      stillInUse: [],
      unknownKids: [],
      legacyValues: 0,
      complete: true,
    });
    // A recount agrees; the old key can now go.
    expect(retirementReport(kr, keyUsage(table))).toEqual(merged);
    const without = await keyring({ k2: KEY_B }, "k2");
    await expectAllReadable(without, table);

    // Second pass: nothing to do (idempotent, resumable).
    const again = await rotateBatch(kr, table);
    expect(again.updates).toEqual([]);
    expect(again.rotatedValues).toBe(0);
  });

  it("handles three keys: values on two old keys move; a failing value keeps its key from being retired", async () => {
    const k1 = await keyring({ k1: KEY_A }, "k1");
    const k2 = await keyring({ k2: KEY_B }, "k2");
    const rows = [...(await makeTable(k1, 4)), ...(await makeTable(k2, 4)).map((r, i) => ({ ...r, id: `id-b${i}` }))];
    // Tamper one value on k2.
    const parts = rows[5].secret_key_ct!.split(":");
    const ct = Buffer.from(parts[3], "base64url");
    ct[0] ^= 1;
    parts[3] = ct.toString("base64url");
    rows[5].secret_key_ct = parts.join(":");
    // A value on a key that is no longer configured.
    rows[6].api_key_ct = await encryptValue(await keyring({ gone: KEY_C }, "gone"), "x", { userId: rows[6].user_id, exchange: rows[6].exchange, field: "api_key" });

    const kr = await keyring({ k1: KEY_A, k2: KEY_B, k3: KEY_C }, "k3");
    const result = await rotateBatch(kr, rows);
    expect(result.failures.map((f) => [f.id, f.field, f.code])).toEqual([
      ["id-b1", "secret_key", "authentication_failed"],
      ["id-b2", "api_key", "unknown_kid"],
    ]);
    for (const f of result.failures) expect(f.message).not.toMatch(/secret-key|api-key/);
    expect(result.usageBefore.byKid).toEqual({ k1: 9, k2: 8, gone: 1 });
    expect(result.usageAfter.byKid).toEqual({ k3: 16, k2: 1, gone: 1 });
    const report = retirementReport(kr, result.usageAfter);
    expect(report.retirable).toEqual(["k1"]);
    expect(report.stillInUse).toEqual(["k2"]);
    expect(report.unknownKids).toEqual(["gone"]);
    expect(report.complete).toBe(false);
    // The failing row's other values were still rotated.
    const u = result.updates.find((x) => x.id === "id-b1")!;
    expect(u.kid).toBeNull(); // mixed: k3 and the failing k2 value
    expect(result.updates.find((x) => x.id === "id-0000")!.kid).toBe("k3");
    expect(Object.keys(u.set).sort()).toEqual(["api_key_ct", "passphrase_ct"]); // bitget row: secret failed, the rest moved
  });

  it("migrates legacy CBC values when a legacy key is configured, and reports them otherwise", async () => {
    const key = randomBytes(32);
    const iv = randomBytes(16);
    const enc = (t: string) => {
      const c = createCipheriv("aes-256-cbc", key, iv);
      return c.update(t, "utf8", "hex") + c.final("hex");
    };
    const row: CredentialCiphertextRow = {
      id: "legacy-1",
      user_id: "user-legacy",
      exchange: "bitget",
      api_key_ct: enc("bg_legacykey"),
      secret_key_ct: enc("legacy-secret"),
      passphrase_ct: enc("legacy-pass"),
    };
    const kr = await keyring({ k1: KEY_A }, "k1");
    expect(retirementReport(kr, keyUsage([row])).legacyValues).toBe(3);

    const without = await rotateBatch(kr, [row]);
    expect(without.updates).toEqual([]);
    expect(without.failures).toHaveLength(3);
    expect(without.failures[0].message).toMatch(/no legacy key configured/);

    const legacy = await loadLegacyCbc({ CREDENTIAL_ENCRYPTION_KEY: key.toString("hex"), CREDENTIAL_IV_KEY: iv.toString("hex") });
    const result = await rotateBatch(kr, [row], { legacy });
    expect(result.failures).toEqual([]);
    expect(result.rotatedValues).toBe(3);
    const migrated = { ...row, ...result.updates[0].set };
    expect(await decryptCredentialSecrets(kr, migrated)).toEqual({ apiKey: "bg_legacykey", secretKey: "legacy-secret", passphrase: "legacy-pass" });
    expect(retirementReport(kr, result.usageAfter)).toMatchObject({ legacyValues: 0, complete: true });
  });

  it("an empty batch", async () => {
    const kr = await keyring({ k1: KEY_A }, "k1");
    const result = await rotateBatch(kr, []);
    expect(result).toMatchObject({ scannedRows: 0, rotatedRows: 0, lastId: null, updates: [], failures: [] });
  });
});
