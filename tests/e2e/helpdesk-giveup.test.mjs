// A helpdesk that never recovers: after the whole retry schedule (shrunk here) the escalation
// is still in the built-in inbox, an alert was raised, and nothing more is sent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startBaton, freePort, ROOT } from "./harness.mjs";
import { api } from "./api.mjs";

const SECRET = "whsec_" + randomBytes(24).toString("base64");

/** A Standard Webhooks receiver that checks signatures and de-duplicates by webhook-id. */
function receiver(port) {
  const state = { plan: [], tickets: new Map(), attempts: [], badSignatures: 0, hung: [] };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const id = req.headers["webhook-id"], ts = req.headers["webhook-timestamp"];
      const expected = "v1," + createHmac("sha256", Buffer.from(SECRET.slice(6), "base64")).update(`${id}.${ts}.${body}`).digest("base64");
      const given = String(req.headers["webhook-signature"] || "");
      const ok = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      state.attempts.push({ id, at: Date.now() });
      if (!ok) { state.badSignatures++; res.writeHead(401); return res.end(); }
      const step = state.plan.shift() || "ok";
      if (step === 500) { res.writeHead(500); return res.end("boom"); }
      if (step === 429) { res.writeHead(429, { "Retry-After": "1" }); return res.end(); }
      if (!state.tickets.has(id)) state.tickets.set(id, JSON.parse(body));
      if (step === "hang") { state.hung.push(res); return; } // took it, answer lost
      res.writeHead(state.tickets.size && step === "dup" ? 409 : 201, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ ticket: id }));
    });
  });
  return new Promise((r) => server.listen(port, "127.0.0.1", () => r({ server, state })));
}

async function waitFor(pred, ms, what, every = 100) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error("timed out waiting for " + what);
}

test("a helpdesk that never recovers: the escalation stays in the inbox and an alert is raised", { timeout: 300_000 }, async () => {
  // Its own worker and helpdesk, with the schedule shrunk further (four days in about 40 s).
  const port = await freePort();
  const down = await receiver(port);
  down.state.plan = Array(100).fill(500);
  const fast = await startBaton({ vars: { HELPDESK_WEBHOOK_SECRET: SECRET, OUTBOX_RETRY_SCALE: "0.0001" } });
  try {
    const h = api(fast);
    const doc = JSON.parse(readFileSync(join(ROOT, "config/sites/demo.json"), "utf8"));
    doc.site.id = "broken";
    doc.site.allowed_origins = [fast.base];
    doc.handoff = { connector: "webhook", webhook: { url: `http://127.0.0.1:${port}/broken`, secret_name: "HELPDESK_WEBHOOK_SECRET" } };
    assert.equal((await h.call("PUT", "/v1/admin/sites/broken/config", doc, fast.adminToken)).status, 200);
    const c = await h.start("broken", { name: "Ray" });
    await h.send(c, "I need to speak to a human");
    // Poll gently: a conversation object kept busy by reads gets its alarms late under wrangler dev.
    await waitFor(async () => (await h.state(c.id)).json.delivery_failed, 240_000, "the last retry", 3000);
    const st = (await h.state(c.id)).json;
    assert.match(st.delivery_failed, /webhook delivery gave up after 14 attempts: HTTP 500/);
    // 14 attempts in the schedule; a commit-triggered pass can overlap the alarm's pass and send
    // one attempt twice (harmless: the webhook id is the same), never more than that.
    const n = down.state.attempts.length;
    assert.ok(n >= 14 && n <= 16, `the whole schedule, then no more (got ${n})`);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(down.state.attempts.length, n, "nothing after giving up");
    assert.equal(down.state.tickets.size, 0);
    assert.ok((await h.inbox("broken")).json.some((e) => e.id === c.id), "still in the built-in inbox");
    const metrics = await h.call("GET", "/v1/admin/sites/broken/metrics", undefined, fast.adminToken);
    assert.equal(metrics.json.total.delivery_failed_alerts, 1, "an alert was raised");
  } finally {
    await fast.stop();
    down.server.close();
  }
});
