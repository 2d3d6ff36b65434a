// When the live path fails the customer: a wait past the priority's SLA becomes a ticket with a
// concrete answer time; an agent whose inbox goes quiet hands their conversations back to the
// queue and the next free agent; a promised callback or email answer asks for the number or
// address and keeps it for the agents. QUEUE_TIME_SCALE=0.02 turns a minute into 1.2 s and
// the 90 s presence expiry into 1.8 s.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBaton } from "./harness.mjs";
import { api, live } from "./api.mjs";

let baton, http;

const site = (id, patch) => http.site(id, patch);

/** An agent's inbox sending presence every 400 ms until stopped. */
function agentOnline(siteId, name) {
  const send = () => http.call("POST", `/v1/sites/${siteId}/presence`, { name, online: true, skills: ["general", "billing"], capacity: 2 }, baton.agentToken);
  const first = send();
  const timer = setInterval(send, 400);
  return { ready: first, stop: () => clearInterval(timer) };
}

before(async () => {
  baton = await startBaton({ vars: { QUEUE_TIME_SCALE: "0.02" } });
  http = api(baton);
  await site("sla", (d) => { d.routing.sla_minutes = { normal: 1 }; });
  await site("relay", () => {});
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  await site("callme", (d) => {
    const day = ["09:00-17:00"];
    d.routing.hours = { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day };
    d.routing.holidays = [today];
    d.routing.out_of_hours = { general: "callback", billing: "callback" };
  });
});
after(async () => { await baton?.stop(); });

const system = (ch, re) => ch.next((e) => e.kind === "message" && e.author === "system" && re.test(e.text));

test("nobody free within the SLA: the wait becomes a ticket, and the customer's email is asked for and kept", async () => {
  const c = await http.start("sla", { name: "Wren" });
  const ch = live(baton, c);
  await ch.opened;
  await http.send(c, "I want to talk to a real person");
  await ch.next((e) => e.kind === "status" && e.status === "queued");
  const status = await ch.next((e) => e.kind === "status" && e.status === "async", 15_000);
  assert.match(status.ticket, /^BT-[0-9A-F]{8}$/);
  assert.match(status.expected_by, /^by \d\d:\d\d (today|tomorrow)$/, "a concrete time within the SLA");
  const told = await system(ch, /nobody from our support team is free/);
  assert.ok(told.text.includes(status.ticket), told.text);
  await system(ch, /Which email address/);

  await http.send(c, "sure, it's wren@example.org");
  const saved = await system(ch, /we'll reach you at wren@example\.org/);
  assert.ok(saved);
  const state = (await http.state(c.id)).json;
  assert.equal(state.status, "async");
  assert.equal(state.contact, "wren@example.org");
  const entry = (await http.inbox("sla")).json.find((e) => e.id === c.id);
  assert.equal(entry.status, "async", "the inbox shows it as a ticket");
  assert.equal(entry.contact, "wren@example.org");
  ch.close();

  // A customer the host page identified is not asked again.
  const known = await http.start("sla", { name: "Ida", email: "ida@example.org" });
  const k = live(baton, known);
  await k.opened;
  await http.send(known, "can I speak to a human agent");
  await k.next((e) => e.kind === "status" && e.status === "async", 15_000);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!k.events.some((e) => e.kind === "message" && /Which email/.test(e.text)), "no question for a known email");
  k.close();
});

test("an agent taken with someone else in time keeps the conversation live", async () => {
  const ana = agentOnline("sla", "Ana");
  await ana.ready;
  const c = await http.start("sla", { name: "Quick" });
  const ch = live(baton, c);
  await ch.opened;
  await http.send(c, "I want to talk to a real person");
  await ch.next((e) => e.kind === "status" && e.status === "with_agent");
  await new Promise((r) => setTimeout(r, 2500)); // past the 1.2 s limit
  ana.stop();
  assert.ok(!ch.events.some((e) => e.kind === "status" && e.status === "async"), "never turned into a ticket");
  ch.close();
});

test("an agent whose inbox goes quiet hands the conversation back; the next free agent takes it", async () => {
  const ana = agentOnline("relay", "Ana");
  await ana.ready;
  const c = await http.start("relay", { name: "Pat" });
  const ch = live(baton, c);
  await ch.opened;
  await http.send(c, "I want to talk to a real person");
  const joined = await ch.next((e) => e.kind === "status" && e.status === "with_agent");
  assert.equal(joined.agent, "Ana");

  ana.stop(); // Ana's inbox closes
  const bo = agentOnline("relay", "Bo");
  await bo.ready;
  const away = await system(ch, /Ana had to step away/);
  assert.match(away.text, /back in line for our support team/);
  const again = await ch.next((e) => e.kind === "status" && e.status === "with_agent" && e.agent === "Bo", 15_000);
  assert.ok(again.seq > away.seq);
  const requeued = ch.events.find((e) => e.kind === "status" && e.status === "queued" && e.seq > joined.seq);
  assert.ok(requeued && requeued.seq < again.seq, "back in the queue between the two agents");
  bo.stop();
  ch.close();
});

test("a callback asks for a phone number until it gets one, and the agents see it", async () => {
  const c = await http.start("callme", { name: "Noor" });
  const ch = live(baton, c);
  await ch.opened;
  await http.send(c, "I want to talk to a real person");
  await ch.next((e) => e.kind === "status" && e.status === "async");
  await system(ch, /Leave a number and we'll call you back by 10:00 tomorrow/);

  await http.send(c, "tomorrow morning is best");
  await system(ch, /Which number should we call/);
  await http.send(c, "+44 20 7946 0958, ask for Noor");
  await system(ch, /we'll reach you at \+44 20 7946 0958\./);
  const state = (await http.state(c.id)).json;
  assert.equal(state.contact, "+44 20 7946 0958");
  assert.equal(state.awaiting_contact, null);
  ch.close();
});
