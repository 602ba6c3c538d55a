import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderHtmlReport } from "../../../scripts/report/html.ts";
import { findChromium, screenshot } from "../../../scripts/report/screenshot.ts";
import { tiny } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "report-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("screenshot", () => {
  it("returns false, without writing, when chromium is missing", async () => {
    const png = join(dir, "none.png");
    expect(await screenshot(join(dir, "x.html"), png, { width: 390, height: 800, chromium: "/nonexistent/chromium" })).toBe(false);
    expect(await screenshot(join(dir, "x.html"), png, { width: 390, height: 800, chromium: null })).toBe(false);
    expect(existsSync(png)).toBe(false);
  });

  it.skipIf(!findChromium())("writes a PNG of the requested size", async () => {
    const html = join(dir, "r.html");
    writeFileSync(html, renderHtmlReport(tiny()));
    const png = join(dir, "r.png");
    // Chromium's start on a loaded machine can take long: the kill timer and the test timeout are
    // safety nets against a hang (the page itself is captured on virtual time, no wall clock)
    expect(await screenshot(html, png, { width: 390, height: 700, timeoutMs: 170_000 })).toBe(true);
    const b = readFileSync(png);
    expect(b.subarray(1, 4).toString()).toBe("PNG");
    expect(b.readUInt32BE(16)).toBe(390); // IHDR width
    expect(b.readUInt32BE(20)).toBe(700); // IHDR height
  }, 180_000);
});
