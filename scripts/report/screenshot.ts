/**
 * Screenshots of an HTML file with Debian's headless Chromium.
 *
 *   await screenshot("reports/demo.html", "reports/demo-1280.png", { width: 1280, height: 2400 })
 *
 * Returns false (and writes nothing) when Chromium is not installed. The charts have their
 * animations off, so the page is complete once it has loaded; `--virtual-time-budget` lets the
 * scripts finish before the capture. A fresh profile directory is used and removed each time.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export interface ScreenshotOptions {
  width: number;
  height: number;
  /** Kill Chromium after this long (ms): a safety net for a hang, not a budget (default 600 s; Chromium exits by itself once the screenshot is written). */
  timeoutMs?: number;
  /** Override the binary (tests). */
  chromium?: string | null;
}

export async function screenshot(htmlPath: string, pngPath: string, opts: ScreenshotOptions): Promise<boolean> {
  const bin = opts.chromium === undefined ? findChromium() : opts.chromium;
  if (!bin || !existsSync(bin)) return false;
  const png = resolve(pngPath);
  mkdirSync(dirname(png), { recursive: true });
  rmSync(png, { force: true });
  const profile = mkdtempSync(join(tmpdir(), "report-chromium-"));
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--virtual-time-budget=5000",
    `--user-data-dir=${profile}`,
    `--screenshot=${png}`,
    `--window-size=${opts.width},${opts.height}`,
    pathToFileURL(resolve(htmlPath)).href,
  ];
  try {
    await new Promise<void>((ok, fail) => {
      const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (b: Buffer) => {
        stderr = (stderr + b.toString()).slice(-4000);
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 600_000);
      child.on("error", (e) => {
        clearTimeout(timer);
        fail(e);
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        if (existsSync(png) && statSync(png).size > 0) ok();
        else fail(new Error(`chromium exited (${signal ?? code}) without writing ${png}\n${stderr}`));
      });
    });
    return true;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
