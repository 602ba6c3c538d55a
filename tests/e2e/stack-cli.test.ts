/**
 * `npm run stack` explains broken setups in one line with a non-zero exit, instead of dumping a
 * stack trace: a port already taken, a half-initialised cluster folder, missing Debian packages
 * without root. Each case runs a separate stack folder so the suite's own stack is untouched.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import net from "node:net";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/env.ts";

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(resolve(ROOT, d), { recursive: true, force: true }); });

function stack(args: string[], env: Record<string, string>) {
  const r = spawnSync("node", ["scripts/stack.mjs", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
  return { status: r.status, stderr: r.stderr.trim(), stdout: r.stdout.trim() };
}

describe("stack command: broken setups", () => {
  it("a database port already taken → one line naming the port, exit 1", async () => {
    const server = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const port = (server.address() as net.AddressInfo).port;
    const dir = `.stack-e2e-port-${port}`;
    dirs.push(dir);
    try {
      const r = stack(["up"], { STACK_DIR: dir, STACK_DB_PORT: String(port), STACK_API_PORT: String(port + 1) });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`port ${port} \\(database\\) is already taken`));
      expect(r.stderr.split("\n").filter((l) => l.startsWith("stack: ") && !l.includes("up in"))).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      server.close();
    }
  });

  it("a half-initialised cluster folder → says to run reset, exit 1", () => {
    const dir = ".stack-e2e-half";
    dirs.push(dir);
    mkdirSync(resolve(ROOT, dir, "pgdata"), { recursive: true });
    const r = stack(["up"], { STACK_DIR: dir, STACK_DB_PORT: "55991", STACK_API_PORT: "55990" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/half-initialised.*npm run stack -- reset/);
  });

  it("missing Debian packages without root → one line naming them and the apt-get command", async () => {
    const { ensureDebianPackages, SetupError } = await import("../../scripts/lib/setup.mjs");
    let err: unknown;
    try {
      ensureDebianPackages(["postgresql-15", "no-such-package-cgt"], () => {}, { root: false });
    } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SetupError);
    expect((err as Error).message).toBe(
      "missing Debian packages: no-such-package-cgt — run as root, or: sudo apt-get install -y no-such-package-cgt",
    );
  });

  it("an unknown subcommand prints the usage, exit 2", () => {
    const r = stack(["launch"], {});
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("usage: npm run stack -- up|down|status|reset|env|user <email>");
  });
});
