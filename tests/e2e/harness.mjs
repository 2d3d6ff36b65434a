// End-to-end harness: starts the real worker on workerd (wrangler dev) with fresh Durable Object
// and KV state and test-generated secrets, loads the demo config, and launches Debian Chromium.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(url, ms, child, log) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error("wrangler exited early:\n" + log.join(""));
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`worker not ready at ${url} after ${ms} ms:\n` + log.join(""));
}

/** Start Baton on workerd. Returns { base, agentToken, adminToken, stop }. */
export async function startBaton({ config = "config/sites/demo.json", vars = {}, extraArgs = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "baton-e2e-"));
  const secrets = {
    TOKEN_SECRET: randomBytes(16).toString("hex"),
    AGENT_TOKEN: randomBytes(16).toString("hex"),
    ADMIN_TOKEN: randomBytes(16).toString("hex"),
  };
  const envFile = join(dir, "test.vars");
  // Tests start many conversations from one IP; the rate-limit test sets its own limits.
  const defaults = { RATE_LIMIT_CONVERSATIONS: "1000/60", RATE_LIMIT_MESSAGES: "1000/60" };
  const port = await freePort();
  // A var may name this run's origin as `{base}` (e.g. PUBLIC_URL for links in notifications).
  const value = (v) => String(v).replaceAll("{base}", `http://127.0.0.1:${port}`);
  writeFileSync(envFile, Object.entries({ ...secrets, ...defaults, ...vars }).map(([k, v]) => `${k}="${value(v)}"`).join("\n") + "\n");
  const inspector = await freePort();
  const log = [];
  const spawnWorker = () => {
    const c = spawn(join(ROOT, "node_modules/.bin/wrangler"), [
      "dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
      "--persist-to", join(dir, "state"), "--env-file", envFile,
      "--show-interactive-dev-session=false", "--log-level", "warn", ...extraArgs,
    ], { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" /* closed network: no request.cf fetch */, CI: "true" }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    c.stdout.on("data", (d) => log.push(String(d)));
    c.stderr.on("data", (d) => log.push(String(d)));
    return c;
  };
  let child = spawnWorker();
  const base = `http://127.0.0.1:${port}`;
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => { child.once("exit", r); setTimeout(r, 5000); });
      try { process.kill(-child.pid, "SIGTERM"); } catch {}
      await exited;
    }
  };
  const stop = async () => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  /** Stop and start the worker process; Durable Object and KV state survive on disk. */
  const restart = async () => {
    await kill();
    child = spawnWorker();
    await waitFor(`${base}/widget.js`, 90_000, child, log);
  };
  try {
    await waitFor(`${base}/widget.js`, 90_000, child, log);
    // The demo config allows the default dev origin; this run's origin has a random port.
    const doc = JSON.parse(readFileSync(join(ROOT, config), "utf8"));
    doc.site.allowed_origins = [base];
    const r = await fetch(`${base}/v1/admin/sites/${doc.site.id}/config`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(doc),
    });
    if (!r.ok) throw new Error(`loading ${config}: ${r.status} ${await r.text()}`);
  } catch (e) {
    await stop();
    throw e;
  }
  return { base, agentToken: secrets.AGENT_TOKEN, adminToken: secrets.ADMIN_TOKEN, stop, restart, log, secrets, pid: () => child.pid };
}

/** Debian's Chromium, headless, with the flags that keep it off the network. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}
