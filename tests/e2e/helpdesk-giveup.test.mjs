// A helpdesk that never recovers: after the whole retry schedule (shrunk here) the escalation
// is still in the built-in inbox, an alert was raised, and nothing more is sent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { receiver, waitFor } from "./webhook-receiver.mjs";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startBaton, freePort, ROOT } from "./harness.mjs";
import { api } from "./api.mjs";

const SECRET = "whsec_" + randomBytes(24).toString("base64");


test("a helpdesk that never recovers: the escalation stays in the inbox and an alert is raised", { timeout: 300_000 }, async () => {
  // Its own worker and helpdesk, with the schedule shrunk further (four days in about 40 s).
  const port = await freePort();
  const down = await receiver(port, SECRET);
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
