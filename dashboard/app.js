// The reference dashboard: what a frontend does with this backend, in one readable module.
// supabase-js (the UMD build, window.supabase) signs in against Auth and reads through PostgREST
// (views and RPCs under RLS) and the `api` Edge Function; Chart.js (window.Chart) draws the
// equity curve. Every call crosses origins: this page is served from its own port.
import { DEMO_EMAIL, SUPABASE_ANON_KEY, SUPABASE_URL } from "/config.js";

const supabase = window.supabase.createClient(SUPABASE_URL, SUPABASE_ANON_KEY);
const $ = (sel) => document.querySelector(sel);
const PAGE_SIZE = 10;

// Money arrives as exact decimal strings (the api function, `::text` casts); Number() only for display.
const money = (x) => (x == null ? "—" : Number(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
const plain = (x) => (x == null ? "—" : String(x));
const tone = (x) => (x == null || Number(x) === 0 ? "" : Number(x) > 0 ? "pos" : "neg");

function fail(where, error) {
  // Shown to the user; a real app would also report it.
  console.error(`${where}: ${error.message ?? error}`);
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement("td");
    const cell = typeof c === "object" && c !== null ? c : { text: c };
    td.textContent = cell.text;
    if (cell.className) td.className = cell.className;
    tr.append(td);
  }
  return tr;
}

// ── metrics and equity curve (the `api` function: exact decimal strings) ──────────────────────
async function loadMetrics() {
  const { data, error } = await supabase.functions.invoke("api/performance/metrics?period=all_time", { method: "GET" });
  if (error) return fail("metrics", error);
  for (const dd of document.querySelectorAll("[data-metric]")) {
    const k = dd.dataset.metric;
    dd.textContent = k === "total_trades" ? plain(data[k]) : k === "win_rate" ? `${money(data[k])} %` : money(data[k]);
    dd.className = k === "total_net_pnl" ? tone(data[k]) : "";
  }
}

let chart;
async function loadEquityCurve() {
  const { data, error } = await supabase.functions.invoke("api/portfolio/equity-curve?period=all", { method: "GET" });
  if (error) return fail("equity curve", error);
  $("#equity-return").textContent = `time-weighted return ${money(data.total_return_percentage)} %`;
  const points = data.data_points;
  chart?.destroy();
  chart = new window.Chart($("#equity"), {
    type: "line",
    data: {
      labels: points.map((p) => p.date),
      datasets: [{ label: "Equity (USDT)", data: points.map((p) => Number(p.balance)), borderColor: "#2563eb", pointRadius: 0, borderWidth: 1.5 }],
    },
    options: { animation: false, plugins: { legend: { display: false } }, scales: { x: { ticks: { maxTicksLimit: 8 } } } },
  });
}

// ── open positions (a view through PostgREST) with the function's total ──────────────────────
let positionRenders = 0;
async function loadPositions() {
  const [{ data, error }, total] = await Promise.all([
    supabase.from("open_positions")
      .select("id, exchange, symbol, side, quantity::text, entry_price::text, current_price::text, unrealized_pnl::text, unrealized_pnl_percentage::text")
      .order("symbol"),
    supabase.functions.invoke("api/positions/open", { method: "GET" }),
  ]);
  if (error) return fail("positions", error);
  const body = $("#positions tbody");
  body.replaceChildren(...data.map((p) => {
    const tr = row([p.exchange, p.symbol, p.side, plain(Number(p.quantity)), money(p.entry_price), money(p.current_price),
      { text: money(p.unrealized_pnl), className: `num ${tone(p.unrealized_pnl)}` }, { text: money(p.unrealized_pnl_percentage), className: "num" }]);
    tr.dataset.positionId = p.id;
    return tr;
  }));
  if (!total.error) $("#unrealized-total").textContent = money(total.data.total_unrealized_pnl);
  $("#positions-at").textContent = new Date().toLocaleTimeString("en-GB");
  $("#positions").dataset.render = String(++positionRenders); // a fresh render, for whoever waits on it
}

$("#refresh-positions").onclick = () => void loadPositions();

// ── trade history: an RPC, paged by a keyset cursor (the last row's exit_time and id) ─────────
const cursors = [null]; // cursors[i] starts page i
let pageIndex = 0;
async function loadTrades() {
  const cursor = cursors[pageIndex];
  const { data, error } = await supabase
    .rpc("get_trade_history", { p_period: "all", p_limit: PAGE_SIZE, p_cursor_exit_time: cursor?.exit_time ?? null, p_cursor_id: cursor?.id ?? null })
    .select("id, exit_time, exchange, symbol, side, exit_type, quantity::text, net_pnl::text, hold_duration");
  if (error) return fail("trades", error);
  $("#trades tbody").replaceChildren(...data.map((t) => {
    const tr = row([t.exit_time.slice(0, 16).replace("T", " "), t.exchange, t.symbol, t.side, t.exit_type, plain(Number(t.quantity)),
      { text: money(t.net_pnl), className: `num ${tone(t.net_pnl)}` }, plain(t.hold_duration)]);
    tr.dataset.tradeId = t.id;
    return tr;
  }));
  const last = data[data.length - 1];
  if (data.length === PAGE_SIZE) cursors[pageIndex + 1] = { exit_time: last.exit_time, id: last.id };
  $("#older").disabled = data.length < PAGE_SIZE;
  $("#newer").disabled = pageIndex === 0;
  $("#page").textContent = `page ${pageIndex + 1}`;
}
$("#older").onclick = () => { pageIndex += 1; void loadTrades(); };
$("#newer").onclick = () => { pageIndex = Math.max(0, pageIndex - 1); void loadTrades(); };

// ── credentials: masked, with sync status; "sync now" queues a job ────────────────────────────
async function loadCredentials() {
  const { data, error } = await supabase.from("credential_sync_status")
    .select("credential_id, exchange, label, key_hint, last_run_status, last_run_finished_at, pending_job_status");
  if (error) return fail("credentials", error);
  $("#credentials tbody").replaceChildren(...data.map((c) => {
    const tr = row([c.exchange, c.label ?? "", c.key_hint ?? "", `${c.last_run_status ?? "never"}${c.last_run_finished_at ? ` (${c.last_run_finished_at.slice(0, 16).replace("T", " ")})` : ""}`,
      c.pending_job_status ?? "—", ""]);
    tr.dataset.credentialId = c.credential_id;
    const button = document.createElement("button");
    button.textContent = "Sync now";
    button.disabled = c.pending_job_status != null;
    button.onclick = async () => {
      button.disabled = true;
      const { error: e } = await supabase.rpc("request_sync", { p_credential_id: c.credential_id });
      if (e) fail("sync now", e);
      await loadCredentials();
    };
    tr.lastChild.append(button);
    return tr;
  }));
}

// ── session ───────────────────────────────────────────────────────────────────────────────────
let timer;
async function showApp(session) {
  $("#sign-in").hidden = true;
  $("#app").hidden = false;
  $("#sign-out").hidden = false;
  $("#who").textContent = session.user.email;
  await Promise.all([loadMetrics(), loadEquityCurve(), loadPositions(), loadTrades(), loadCredentials()]);
  clearInterval(timer);
  timer = setInterval(loadPositions, 30_000); // live unrealized PnL: prices are refreshed by pg_cron
  document.body.dataset.ready = "true";
}

function showSignIn() {
  clearInterval(timer);
  document.body.dataset.ready = "false";
  $("#app").hidden = true;
  $("#sign-out").hidden = true;
  $("#who").textContent = "";
  $("#sign-in").hidden = false;
  $("#sign-in-form").email.value ||= DEMO_EMAIL;
}

$("#sign-in-form").onsubmit = async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  $("#sign-in-error").textContent = "";
  const { data, error } = await supabase.auth.signInWithPassword({ email: f.email.value, password: f.password.value });
  if (error) { $("#sign-in-error").textContent = error.message; return; }
  await showApp(data.session);
};
$("#sign-out").onclick = async () => { await supabase.auth.signOut(); showSignIn(); };

const { data: { session } } = await supabase.auth.getSession();
if (session) await showApp(session); else showSignIn();
