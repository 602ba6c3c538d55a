/**
 * msw handlers for the four exchanges, from the recorded and handwritten fixtures the credential
 * tests use: `rejecting` answers every private call with that exchange's own "invalid key" error
 * (quick, and classified as a 422 by the verifier), `accepting` answers the verification calls
 * with a read-only key. The local stack (127.0.0.1) passes through; anything else not handled is
 * answered with a 404 so that nothing ever reaches the network.
 */
import { http, HttpResponse, passthrough, type HttpHandler } from "msw";
import { handwritten, recorded } from "../../unit/credentials/fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const HOSTS: Record<string, "binance" | "bitget" | "gate" | "mexc"> = {
  "api.binance.com": "binance", "fapi.binance.com": "binance", "dapi.binance.com": "binance",
  "api.bitget.com": "bitget", "api.gateio.ws": "gate", "api.mexc.com": "mexc", "contract.mexc.com": "mexc",
};

function reply(spec: { status: number; body: unknown; contentType?: string }) {
  return typeof spec.body === "string"
    ? new HttpResponse(spec.body, { status: spec.status, headers: { "content-type": spec.contentType ?? "text/plain" } })
    : HttpResponse.json(spec.body as Record<string, unknown>, { status: spec.status });
}

const INVALID: Record<string, Json> = {
  binance: () => handwritten("binance").errors.invalidKey,
  bitget: () => handwritten("bitget").errors.invalidKey,
  gate: () => handwritten("gate").errors.invalidKey,
  mexc: () => handwritten("mexc").errors.apiKeyInfoInvalid,
};

/** The catch-all: the stack passes, exchanges say "invalid key", the rest of the world 404. */
export function rejectingExchanges(): HttpHandler {
  return http.all("*", ({ request }) => {
    const host = new URL(request.url).hostname;
    if (host === "127.0.0.1" || host === "localhost") return passthrough();
    const ex = HOSTS[host];
    if (ex) return reply(INVALID[ex]());
    return HttpResponse.json({ error: "no network in tests" }, { status: 404 });
  });
}

/** Handlers under which a key of each exchange verifies as read-only (`apiKey` for gate's key list). */
export function acceptingExchanges(gateApiKey: string): HttpHandler[] {
  const BN = handwritten("binance");
  const BG = handwritten("bitget");
  const GT = handwritten("gate");
  const MX = handwritten("mexc");
  const withKey = (v: unknown, apiKey: string) => JSON.parse(JSON.stringify(v).replaceAll("API_KEY", apiKey));
  return [
    http.get("https://api.binance.com/api/v3/account", () => HttpResponse.json(recorded("binance", "fetchBalance", "Spot balance"))),
    http.get("https://api.binance.com/sapi/v1/account/apiRestrictions", () => HttpResponse.json(BN.apiRestrictions.readOnly)),
    http.get("https://api.bitget.com/api/v2/spot/account/assets", () => HttpResponse.json(recorded("bitget", "fetchBalance", "spot balance"))),
    http.get("https://api.bitget.com/api/v2/spot/account/info", () => HttpResponse.json(BG.accountInfo.readOnly)),
    http.get("https://api.gateio.ws/api/v4/spot/accounts", () => HttpResponse.json(GT.spotAccounts)),
    http.get("https://api.gateio.ws/api/v4/account/detail", () => HttpResponse.json(GT.accountDetail)),
    http.get("https://api.gateio.ws/api/v4/account/main_keys", () => HttpResponse.json(withKey(GT.mainKeys.readOnly, gateApiKey))),
    http.get("https://api.mexc.com/api/v3/account", () => HttpResponse.json(MX.account)),
  ];
}
