// Admin API: configs are validated and versioned with rollback; metrics count what the state
// machine reports (conversations, escalations by trigger, time to agent, CSAT, resolutions).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startBaton, ROOT } from "./harness.mjs";
import { api, demoSite } from "./api.mjs";

let baton, http;
before(async () => {
  baton = await startBaton();
  http = api(baton);
});
after(async () => { await baton?.stop(); });

const admin = (method, path, body) => http.call(method, "/v1/admin/sites/demo" + path, body, baton.adminToken);

test("configs are refused with reasons, versioned, and can be rolled back", async () => {
  let r = await http.call("PUT", "/v1/admin/sites/demo/config", { site: { id: "demo" } }, "not-the-admin");
  assert.equal(r.status, 401);

  r = await admin("PUT", "/config", { widget: { colour: "red" } });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, "invalid_config");
  assert.ok(r.json.error.details.some((d) => /colour/.test(d)), JSON.stringify(r.json));

  r = await admin("PUT", "/config", { site: { id: "other" } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, "site.id");

  const doc = JSON.parse(readFileSync(join(ROOT, "config/sites/demo.json"), "utf8"));
  doc.site.allowed_origins = [baton.base];
  doc.widget.greeting = "Version two says hello.";
  r = await admin("PUT", "/config", doc);
  assert.equal(r.status, 200, r.text);
  const v2 = r.json.version;
  assert.ok(v2 >= 2);
  assert.equal((await http.call("GET", "/v1/sites/demo/widget")).json.greeting, "Version two says hello.");

  r = await admin("POST", "/config/rollback", { version: v2 - 1 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, v2 + 1);
  assert.match((await http.call("GET", "/v1/sites/demo/widget")).json.greeting, /Acme's assistant/);
  r = await admin("GET", "/config/versions");
  assert.deepEqual(r.json.versions.slice(0, 3), [v2 + 1, v2, v2 - 1]);
  r = await admin("POST", "/config/rollback", { version: 999 });
  assert.equal(r.status, 404);
});

test("config writes at the same moment each get their own version; none is overwritten", async () => {
  const put = (i) => http.call("PUT", "/v1/admin/sites/racing/config", { ...demoSite(baton, "racing"), widget: { greeting: `writer ${i}` } }, baton.adminToken);
  const answers = await Promise.all([1, 2, 3, 4, 5, 6].map(put));
  for (const r of answers) assert.equal(r.status, 200, r.text);
  const versions = answers.map((r) => r.json.version).sort((a, b) => a - b);
  assert.deepEqual(versions, [1, 2, 3, 4, 5, 6], "six writes, six versions");
  const listed = await http.call("GET", "/v1/admin/sites/racing/config/versions", undefined, baton.adminToken);
  assert.equal(listed.json.current, 6, "the newest version is current");
  const current = await http.call("GET", "/v1/admin/sites/racing/config", undefined, baton.adminToken);
  const writerOf6 = answers.findIndex((r) => r.json.version === 6) + 1;
  assert.equal(current.json.widget.greeting, `writer ${writerOf6}`);
  // Every version holds its own writer's document: rolling back to each restores it.
  for (const [i, r] of answers.entries()) {
    const back = await http.call("POST", "/v1/admin/sites/racing/config/rollback", { version: r.json.version }, baton.adminToken);
    assert.equal(back.status, 200, back.text);
    const now = await http.call("GET", "/v1/admin/sites/racing/config", undefined, baton.adminToken);
    assert.equal(now.json.widget.greeting, `writer ${i + 1}`);
  }
});

test("metrics count conversations, escalations by trigger, time to agent, CSAT and resolutions", async () => {
  const before = (await admin("GET", "/metrics")).json.total;
  const a = await http.start("demo", { name: "A" });
  const b = await http.start("demo", { name: "B" });
  await http.start("demo", { name: "C" });
  await http.send(a, "I want to talk to a real person");
  await http.send(b, "I was charged twice and want a refund");
  await http.agent("claim", a.id);
  await http.agent("resolve", a.id);
  assert.equal((await http.call("POST", `/v1/conversations/${a.id}/csat`, { token: a.token, score: 4 })).status, 200);

  const r = await admin("GET", "/metrics?days=3");
  assert.equal(r.status, 200, r.text);
  const t = r.json.total;
  assert.equal(t.conversations - before.conversations, 3);
  assert.equal(t.escalations - before.escalations, 2);
  assert.equal((t.escalations_by_trigger.human_request || 0) - (before.escalations_by_trigger.human_request || 0), 1);
  assert.equal((t.escalations_by_trigger.billing_dispute || 0) - (before.escalations_by_trigger.billing_dispute || 0), 1);
  assert.equal(t.resolved_after_handoff - before.resolved_after_handoff, 1);
  assert.ok(t.time_to_agent_seconds.samples >= 1);
  assert.ok(t.time_to_agent_seconds.p50 >= 0);
  assert.equal(t.csat.histogram[3] - before.csat.histogram[3], 1);
  assert.ok(t.handoff_rate > 0 && t.handoff_rate <= 1);
  assert.equal(r.json.days.length, 1);
  // Days are the site's own (demo: Europe/London), not UTC's.
  const london = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  assert.equal(r.json.days[0].day, london);
  // Escalations by segment: the demo's customers here have no plan, so they count as "none".
  assert.equal((t.escalations_by_segment.none || 0) - (before.escalations_by_segment.none || 0), 2, JSON.stringify(t.escalations_by_segment));

  // A reopened conversation resolved again is one resolution, not two.
  await http.send(a, "Sorry, one more question about that");
  assert.equal((await http.state(a.id)).json.status, "reopened");
  await http.agent("claim", a.id);
  await http.agent("resolve", a.id);
  const again = (await admin("GET", "/metrics?days=3")).json.total;
  assert.equal(again.reopened - t.reopened, 1);
  assert.equal(again.resolved_after_handoff, t.resolved_after_handoff, "resolved once per conversation");
  assert.ok(again.resolution_rate_after_handoff <= 1);
});
