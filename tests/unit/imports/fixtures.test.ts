// tests/fixtures/imports: real export files (SOURCE.md names where each row was published) plus the
// error cases, and what each imports (fills, transfers, unpaired ledger rows, and funding payments
// where the entry gives them), as listed in manifest.json (the same files serve the import
// function's tests). Every file is parsed under its own name: `(UTC+8)` in a name sets the zone.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FORMATS } from "../../../functions/_shared/imports/formats.ts";
import { decodeExport } from "../../../functions/_shared/imports/csv.ts";
import { parseExport } from "../../../functions/_shared/imports/parse.ts";

const dir = fileURLToPath(new URL("../../fixtures/imports/", import.meta.url));
const manifest = JSON.parse(readFileSync(dir + "manifest.json", "utf8"));

describe("tests/fixtures/imports", () => {
  for (const m of manifest.files) {
    it(m.file, async () => {
      const text = decodeExport(readFileSync(dir + m.file)); // as downloaded: UTF-8, or UTF-16 by its BOM
      const r = await parseExport({ text, exchange: m.exchange, kind: m.kind, fileName: m.file, utcOffset: m.utcOffset });
      expect(r.format?.id ?? null).toBe(m.format);
      expect(r.fills).toHaveLength(m.fills);
      expect(r.transfers).toHaveLength(m.transfers);
      expect(r.funding).toHaveLength(m.funding ?? 0);
      expect(r.unpaired).toHaveLength(m.unpaired);
      if (m.funding !== undefined) expect(r.funding).toHaveLength(m.funding);
      expect(r.errors).toHaveLength(m.errors.length);
      m.errors.forEach((e: Record<string, unknown>, i: number) => {
        const { problem_starts_with, ...exact } = e;
        expect(r.errors[i]).toMatchObject(exact);
        if (typeof problem_starts_with === "string") expect(r.errors[i].problem.startsWith(problem_starts_with)).toBe(true);
      });
      // the same file twice: identical ids (idempotent re-import)
      const again = await parseExport({ text, exchange: m.exchange, kind: m.kind, fileName: m.file, utcOffset: m.utcOffset });
      expect(again.fills.map((f) => f.trade_id)).toEqual(r.fills.map((f) => f.trade_id));
      expect(again.transfers.map((t) => t.transfer_id)).toEqual(r.transfers.map((t) => t.transfer_id));
      expect(again.funding.map((p) => p.funding_id)).toEqual(r.funding.map((p) => p.funding_id));
    });
  }

  it("every layout confirmed by real rows has a real file here; the others are marked in FORMATS", () => {
    const covered = new Set(manifest.files.filter((m: { errors: unknown[] }) => !m.errors.length).map((m: { format: string }) => m.format));
    for (const f of FORMATS) {
      if (f.confirmed === "rows") expect(covered.has(f.id), f.id).toBe(true);
      else expect(covered.has(f.id), `${f.id} is marked ${f.confirmed} but has real rows`).toBe(false);
    }
  });
});
