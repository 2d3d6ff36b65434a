// Probe for the load run's "worker restarted mid-request" 503s: sends bursts straight to the
// user worker that wrangler dev starts (bypassing its proxy) and counts answers and connection
// errors per kind of request. Usage: node scripts/do-burst.mjs (after cargo xtask build).
// Prints figures only; it asserts nothing.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { startBaton } from "../tests/e2e/harness.mjs";

const baton = await startBaton();
// wrangler dev writes the user worker's own address to its debug log.
const logs = `${process.env.HOME}/.config/.wrangler/logs/`;
const newest = readdirSync(logs).map((n) => logs + n).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
const port = [...readFileSync(newest, "utf8").matchAll(/"userWorkerUrl":\{"protocol":"http:","hostname":"127.0.0.1","port":"(\d+)"\}/g)].pop()?.[1];
if (!port) throw new Error(`no user worker address in ${newest}`);
const direct = `http://127.0.0.1:${port}`;
const agent = { Authorization: `Bearer ${baton.agentToken}` };

async function burst(label, n, request) {
  const counts = {};
  await Promise.all([...Array(n).keys()].map(async (i) => {
    let key;
    try {
      const r = await request(i);
      await r.text();
      key = String(r.status);
    } catch (e) {
      key = String(e.cause?.code || e.message);
    }
    counts[key] = (counts[key] || 0) + 1;
  }));
  console.log(`${label.padEnd(44)} x${n}: ${JSON.stringify(counts)}`);
}

await burst("GET static asset", 200, () => fetch(direct + "/widget.js"));
await burst("GET worker route, KV only", 200, () => fetch(direct + "/v1/sites/demo/widget"));
await burst("GET one existing Durable Object (router)", 200, () => fetch(direct + "/v1/sites/demo/agents", { headers: agent }));
await burst("GET a new Durable Object each (404)", 100, () =>
  fetch(direct + "/v1/conversations/" + randomBytes(16).toString("hex"), { headers: agent }));
for (const n of [25, 50, 100, 200]) {
  await burst("POST /v1/conversations (new DO each)", n, (i) =>
    fetch(direct + "/v1/conversations", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ site: "demo", page: {}, user: { name: `Burst ${i}` } }),
    }));
}
await baton.stop();
