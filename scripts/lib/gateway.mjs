// Starts and stops the gateway (scripts/gateway/server.ts, Node through tsx): the stack's one URL.
import { authSettings } from "./config-toml.mjs";
import {
  API_PORT, BIN, DASHBOARD_PORT, FUNCTIONS_PORT, GATEWAY_LOG, GATEWAY_PID, PGRST_PORT, ROOT,
} from "./paths.mjs";
import { dbUrl } from "./cluster.mjs";
import { servicePid, startService, stopService } from "./service.mjs";

export function gatewayPid() {
  return servicePid(GATEWAY_PID);
}

export async function startGateway(env) {
  const auth = authSettings();
  const authConfig = {
    dbUrl: dbUrl("supabase_auth_admin"),
    jwtSecret: env.SUPABASE_JWT_SECRET,
    apiUrl: env.SUPABASE_URL,
    jwtExpiry: auth.jwtExpiry,
    enableSignup: auth.enableSignup && auth.emailSignup,
    enableConfirmations: auth.enableConfirmations,
    enableRefreshTokenRotation: auth.enableRefreshTokenRotation,
    refreshTokenReuseInterval: auth.refreshTokenReuseInterval,
    minimumPasswordLength: auth.minimumPasswordLength,
  };
  return await startService({
    name: "the gateway",
    cmd: BIN("tsx"),
    args: ["scripts/gateway/server.ts"],
    cwd: ROOT,
    env: {
      ...process.env,
      SUPABASE_URL: env.SUPABASE_URL,
      SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: env.SUPABASE_SERVICE_ROLE_KEY,
      GATEWAY_API_PORT: String(API_PORT),
      GATEWAY_PGRST_PORT: String(PGRST_PORT),
      GATEWAY_FUNCTIONS_PORT: String(FUNCTIONS_PORT),
      GATEWAY_DASHBOARD_PORT: String(DASHBOARD_PORT),
      GATEWAY_AUTH_CONFIG: JSON.stringify(authConfig),
    },
    log: GATEWAY_LOG,
    pidFile: GATEWAY_PID,
    readyUrl: `http://127.0.0.1:${API_PORT}/health`,
  });
}

export function stopGateway() {
  return stopService(GATEWAY_PID);
}
