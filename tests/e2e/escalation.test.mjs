// The decision core on the real worker: soft signals layered against segment thresholds,
// out-of-hours tickets with a concrete answer time, and overflow from a full queue.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBaton } from "./harness.mjs";
import { api, live } from "./api.mjs";

let baton, http;

const site = (id, patch) => http.site(id, patch);

before(async () => {
  baton = await startBaton();
  http = api(baton);
  await site("layered", (d) => {
    d.segments = [
      { id: "enterprise", match: { plan: ["enterprise"] }, priority: "urgent", threshold: 0.3 },
      { id: "free", match: { plan: ["free"] }, priority: "low", threshold: 0.95 },
    ];
  });
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  await site("closed", (d) => {
    const day = ["09:00-17:00"];
    d.routing.hours = { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day };
    d.routing.holidays = [today];
    d.routing.out_of_hours = { billing: "async_ticket" };
  });
  await site("busy", (d) => {
    d.routing.queues = [
      { id: "support", name: "support team", skills: ["general"] },
      { id: "billing", name: "billing team", skills: ["billing"], capacity: 1, overflow: "support" },
    ];
  });
});
after(async () => { await baton?.stop(); });

const lastStatus = (events) => [...events].reverse().find((e) => e.kind === "status");

test("the same struggling conversation escalates for an enterprise customer and not for a free one", async () => {
  const runFor = async (plan) => {
    const c = await http.start("layered", { name: `${plan} customer`, plan });
    const ch = live(baton, c);
    await ch.opened;
    await http.send(c, "My data export to S3 keeps failing");
    await ch.next((e) => e.kind === "message" && e.author === "ai");
    await new Promise((r) => setTimeout(r, 300));
    ch.close();
    return { c, events: ch.events, state: (await http.state(c.id)).json };
  };
  const ent = await runFor("enterprise");
  const free = await runFor("free");
  assert.equal(lastStatus(ent.events)?.status, "queued", JSON.stringify(ent.events));
  assert.equal(ent.state.segment, "enterprise");
  assert.equal(ent.state.priority, "urgent");
  assert.match(ent.state.reason, /^escalated: score 0\.\d+ ≥ 0\.3: 1 failed answer\(s\), low AI confidence/);
  assert.equal(free.state.status, "ai_mode", "the free customer stays with the AI");
  assert.ok(!free.events.some((e) => e.kind === "status"));
  const record = free.state.decisions.at(-1);
  assert.equal(record.escalate, false);
  assert.equal(record.threshold, 0.95);
  assert.ok(record.signals.some((s) => s.id === "failed_attempts" && s.fired));

  const inbox = await http.inbox("layered");
  const entry = inbox.json.find((e) => e.id === ent.c.id);
  assert.ok(entry, "the enterprise escalation is in the inbox");
  assert.ok(!inbox.json.some((e) => e.id === free.c.id));
});

test("out of hours the customer gets a ticket reference and a concrete time", async () => {
  const c = await http.start("closed", { name: "Night owl" });
  const ch = live(baton, c);
  await ch.opened;
  await http.send(c, "I was charged twice for my subscription");
  const status = await ch.next((e) => e.kind === "status" && e.status === "async");
  assert.match(status.ticket, /^BT-[0-9A-F]{8}$/);
  assert.equal(status.expected_by, "by 10:00 tomorrow");
  const message = await ch.next((e) => e.kind === "message" && e.author === "system" && /ticket/.test(e.text));
  assert.ok(message.text.includes(status.ticket), message.text);
  assert.match(message.text, /by 10:00 tomorrow/);
  ch.close();
  const inbox = await http.inbox("closed");
  assert.equal(inbox.json.find((e) => e.id === c.id)?.status, "async", "the built-in inbox still receives it");
});

test("a full queue overflows to its secondary queue", async () => {
  const first = await http.start("busy", { name: "First payer" });
  const second = await http.start("busy", { name: "Second payer" });
  await http.send(first, "I was charged twice");
  const a = live(baton, first);
  await a.next((e) => e.kind === "status" && e.status === "queued");
  a.close();
  await http.send(second, "there is an unauthorized charge on my card");
  const b = live(baton, second);
  const queued = await b.next((e) => e.kind === "status" && e.status === "queued");
  b.close();
  const inbox = (await http.inbox("busy")).json;
  assert.equal(inbox.find((e) => e.id === first.id).queue, "billing");
  assert.equal(inbox.find((e) => e.id === second.id).queue, "support", "billing was at capacity");
  assert.equal(queued.queue, "support team");
});
