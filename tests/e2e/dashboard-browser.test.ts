/**
 * The reference dashboard (dashboard/) in a real browser: Debian's Chromium driven by
 * playwright-core, the page served from the stack's dashboard origin so every call to the API
 * crosses origins (CORS preflights included). A user signed up through supabase-js, with the
 * sample account imported by the main job, signs in on the page; the numbers shown are checked
 * against the database, the trade history is paged by its cursor, "sync now" queues a job, and
 * the console stays free of errors. The screenshot lands in reports/dashboard.png.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asUser, closePools, trackMarketPrices } from "../support/db.ts";
import { ROOT, stackEnv } from "../support/env.ts";
import { PASSWORD, sampleAccountFor, signedUpClient } from "../support/frontend.ts";
import { userClaims } from "../support/users.ts";

const CHROMIUM = "/usr/bin/chromium";
const DASHBOARD = `http://127.0.0.1:${Number(new URL(stackEnv().SUPABASE_URL).port) + 13}/`;
const money = (x: string | number | null) =>
  x == null ? "—" : Number(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

let browser: Browser;
let page: Page;
let user: { id: string; email: string };
let credentialId: string;
const consoleErrors: string[] = [];
const preflights: { url: string; status: number }[] = [];
const failedRequests: string[] = [];
let cleanPrices: () => Promise<void> = async () => {};

/**
 * Latest ("last") prices for the user's open positions, as the sync's ticker step stores them,
 * taken from the sample account's daily closes of `date` (tests/fixtures/sample-account/prices.csv;
 * a perpetual ETH/USDT:USDT takes the ETH/USDT close).
 */
async function storeLastPrices(date: string, asOf: string) {
  const closes = new Map(readFileSync(resolve(ROOT, "tests/fixtures/sample-account/prices.csv"), "utf8").trim().split("\n").slice(1)
    .map((l) => l.split(",")).filter(([d]) => d === date).map(([, sym, close]) => [sym, close]));
  const open = await adminSql()`select distinct exchange::text, symbol from public.positions where user_id = ${user.id} and status = 'OPEN'`;
  for (const p of open) {
    const close = closes.get(p.symbol.replace(/:.*$/, ""));
    if (!close) throw new Error(`no close for ${p.symbol} on ${date}`);
    await adminSql()`insert into public.market_prices (exchange, symbol, kind, price, as_of)
      values (${p.exchange}::public.exchange_id, ${p.symbol}, 'last', ${close}, ${asOf}::timestamptz)`;
  }
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the project's setup installs Debian's chromium (scripts/lib/setup.mjs)`);
  cleanPrices = await trackMarketPrices();
  const { email, session } = await signedUpClient("dashboard");
  user = { id: session.user.id, email };
  sampleAccountFor(email);
  const [cred] = await adminSql()`
    insert into public.api_credentials (user_id, exchange, label, api_key_ct, secret_key_ct, kid, key_hint)
    values (${user.id}, 'bitget', 'bot account', 'v1:local1:aa:bb', 'v1:local1:cc:dd', 'local1', '••••9f3c') returning id::text`;
  credentialId = cred.id;
  // no Playwright time limits (launch, actions, navigation): each wait is for an element or an
  // event, and a loaded machine may take long; the test's own timeout is the only limit
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"], headless: true, timeout: 0 });
  page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
  page.setDefaultTimeout(0);
  page.setDefaultNavigationTimeout(0);
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => failedRequests.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  // Chromium sends CORS preflights from its network service: they are visible over CDP only.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  cdp.on("Network.responseReceived", (e) => { if (e.type === "Preflight") preflights.push({ url: e.response.url, status: e.response.status }); });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await cleanPrices();
  await closePools();
});

describe("the reference dashboard in Chromium", () => {
  it("signs in with the user's password and shows the metrics of the database", async () => {
    await page.goto(DASHBOARD);
    await page.locator("#sign-in-form input[name=email]").fill(user.email);
    await page.locator("#sign-in-form input[name=password]").fill(PASSWORD);
    await page.locator("#sign-in-form button[type=submit]").click();
    await page.locator("body[data-ready=true]").waitFor();

    const [m] = await adminSql()`select total_trades, total_net_pnl::text as net, total_fees::text as fees
      from public.performance_metrics where user_id = ${user.id} and period_type = 'ALL_TIME' and exchange is null`;
    expect(await page.locator("[data-metric=total_trades]").textContent()).toBe(String(m.total_trades));
    expect(await page.locator("[data-metric=total_trades]").textContent()).toBe("29");
    expect(await page.locator("[data-metric=total_net_pnl]").textContent()).toBe(money(m.net));
    expect(await page.locator("[data-metric=total_net_pnl]").textContent()).toBe("6,400.15");
    expect(await page.locator("[data-metric=total_fees]").textContent()).toBe(money(m.fees));
    expect(await page.locator("#who").textContent()).toBe(user.email);
  });

  it("shows each open position's unrealized PnL as the database computes it for the user, and follows a new price", async () => {
    const claims = userClaims(user.id, user.email);
    const shownPnl = async () => {
      const rows = await asUser({ id: user.id, email: user.email, claims, token: "" }, (tx) =>
        tx`select id::text, unrealized_pnl::text as pnl from public.open_positions`);
      expect(rows).toHaveLength(4);
      for (const r of rows) {
        expect(r.pnl).not.toBeNull();
        const shown = await page.locator(`#positions tr[data-position-id="${r.id}"] td`).nth(6).textContent();
        expect(shown).toBe(money(r.pnl));
      }
      const [total] = await asUser({ id: user.id, email: user.email, claims, token: "" }, (tx) =>
        tx`select sum(unrealized_pnl)::text as t from public.open_positions`);
      await page.locator("#unrealized-total", { hasText: money(total.t) }).waitFor();
      return rows.map((r) => r.pnl);
    };
    const refresh = async () => {
      const before = Number(await page.locator("#positions").getAttribute("data-render"));
      await page.locator("#refresh-positions").click();
      await page.waitForFunction((b) => Number(document.querySelector<HTMLElement>("#positions")!.dataset.render) > b, before);
    };
    // Priced from the first render: the sample's daily closes are prices like any other (the one
    // price rule, issue 16), so the page shows what the database computes, not "—".
    await shownPnl();
    // Prices arrive (the 30 Oct close, an hour old), then move (the 31 Oct close, now).
    await storeLastPrices("2026-10-30", new Date(Date.now() - 3_600_000).toISOString());
    await refresh();
    const first = await shownPnl();
    await storeLastPrices("2026-10-31", new Date().toISOString());
    await refresh();
    const second = await shownPnl();
    expect(second).not.toEqual(first);
  });

  it("pages the trade history by cursor: every closed trade once, newest first, and back", async () => {
    const ids = (await adminSql()`select id::text from public.trade_history where user_id = ${user.id}
      order by exit_time desc, id desc`).map((r) => r.id);
    expect(ids).toHaveLength(29);
    const shown: string[] = [];
    const pages: string[][] = [];
    for (let i = 0; ; i++) {
      await page.locator("#page", { hasText: `page ${i + 1}` }).waitFor();
      const onPage = await page.locator("#trades tbody tr").evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.tradeId!));
      pages.push(onPage);
      shown.push(...onPage);
      if (await page.locator("#older").isDisabled()) break;
      await page.locator("#older").click();
    }
    expect(shown).toEqual(ids);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 9]);
    await page.locator("#newer").click();
    await page.locator("#page", { hasText: "page 2" }).waitFor();
    expect(await page.locator("#trades tbody tr").evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.tradeId!))).toEqual(pages[1]);
  });

  it("draws the equity curve and queues a sync with \"sync now\"", async () => {
    const canvasSize = await page.locator("#equity").evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
    expect(canvasSize[0]).toBeGreaterThan(0);
    const hasPoints = await page.evaluate(() => {
      const chart = (window as unknown as { Chart: { getChart(el: Element): { data: { datasets: { data: number[] }[] } } } }).Chart
        .getChart(document.querySelector("#equity")!);
      return chart.data.datasets[0].data.length;
    });
    expect(hasPoints).toBeGreaterThan(100);

    const row = page.locator(`#credentials tr[data-credential-id="${credentialId}"]`);
    await expect(row.locator("td").nth(2).textContent()).resolves.toBe("••••9f3c");
    await row.locator("button", { hasText: "Sync now" }).click();
    await row.locator("td", { hasText: "queued" }).waitFor();
    const [job] = await adminSql()`select status from public.sync_jobs where user_id = ${user.id} and credential_id = ${credentialId}::uuid`;
    expect(job.status).toBe("queued");
  });

  it("crossed origins with passing CORS preflights, and logged no console error", async () => {
    mkdirSync(resolve(ROOT, "reports"), { recursive: true });
    await page.screenshot({ path: resolve(ROOT, "reports/dashboard.png"), fullPage: true });
    const api = new URL(stackEnv().SUPABASE_URL).origin;
    expect(new URL(DASHBOARD).origin).not.toBe(api);
    expect(preflights.length).toBeGreaterThan(0);
    for (const p of preflights) {
      expect(p.url.startsWith(api)).toBe(true);
      expect(p.status, p.url).toBeLessThan(300);
    }
    const paths = new Set(preflights.map((p) => new URL(p.url).pathname.split("/").slice(1, 3).join("/")));
    expect([...paths].sort()).toEqual(expect.arrayContaining(["auth/v1", "functions/v1", "rest/v1"]));
    expect(failedRequests).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
