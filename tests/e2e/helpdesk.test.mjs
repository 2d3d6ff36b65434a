// Delivery guarantee towards a helpdesk: a signed webhook that fails with 500, then 429 with
// Retry-After, then takes the ticket but never answers (timeout), still ends with exactly one
// ticket; a worker restart between commit and delivery loses nothing. The give-up path after
// the last retry is in notify.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { receiver, waitFor } from "./webhook-receiver.mjs";
import { startBaton, freePort } from "./harness.mjs";
import { api, live } from "./api.mjs";

const SECRET = "whsec_" + randomBytes(24).toString("base64");
const listen = (port) => receiver(port, SECRET);

let baton, http, hook, hookPort;
const site = (id, url) => http.site(id, (doc) => {
  doc.handoff = { connector: "webhook", webhook: { url, secret_name: "HELPDESK_WEBHOOK_SECRET" }, redact_pii: true };
});

before(async () => {
  hookPort = await freePort();
  // A scale of 0.001 runs the four-day retry schedule in about six minutes; each attempt may take 50 ms.
  baton = await startBaton({ vars: { HELPDESK_WEBHOOK_SECRET: SECRET, OUTBOX_RETRY_SCALE: "0.001" } });
  http = api(baton);
  hook = await listen(hookPort);
  await site("hooked", `http://127.0.0.1:${hookPort}/hook`);
});
after(async () => {
  for (const r of hook?.state.hung || []) r.destroy();
  hook?.server.close();
  await baton?.stop();
});


test("500, 429 with Retry-After and a timeout still end in exactly one signed ticket", async () => {
  hook.state.plan = [500, 429, "hang"];
  const c = await http.start("hooked", { name: "Lee", email: "lee@example.com" });
  await http.send(c, "I was charged twice, my card is 4242 4242 4242 4242");
  const id = `${c.id}-escalation`;
  await waitFor(() => hook.state.attempts.filter((a) => a.id === id).length >= 4, 20_000, "four attempts");
  await new Promise((r) => setTimeout(r, 500));
  const attempts = hook.state.attempts.filter((a) => a.id === id);
  assert.equal(attempts.length, 4, "500, 429, timeout, then delivered; no more after that");
  assert.ok(attempts[2].at - attempts[1].at >= 950, "Retry-After: 1 was honoured");
  assert.equal(hook.state.badSignatures, 0);
  const tickets = [...hook.state.tickets.entries()].filter(([k]) => k === id);
  assert.equal(tickets.length, 1, "exactly one ticket");
  const t = tickets[0][1];
  assert.equal(t.type, "handoff.escalated");
  assert.ok(!Number.isNaN(Date.parse(t.timestamp)));
  assert.equal(t.data.conversation_id, c.id);
  assert.match(t.data.reason, /billing dispute/);
  assert.equal(t.data.customer.email, "lee@example.com");
  assert.ok(t.data.transcript.some((m) => m.text.includes("[card]")), "card number redacted");
  assert.ok(!JSON.stringify(t).includes("4242 4242"), "no card number leaves");
  assert.ok((await http.inbox("hooked")).json.some((e) => e.id === c.id), "the built-in inbox has it too");
});

test("a worker restart between commit and delivery still delivers exactly once", async () => {
  hook.server.close(); // the helpdesk is unreachable: the first attempt fails after the commit
  await new Promise((r) => setTimeout(r, 100));
  const c = await http.start("hooked", { name: "Mo" });
  await http.send(c, "I want a refund for last month");
  await baton.restart();
  const again = await listen(hookPort);
  hook.server = again.server;
  again.state.tickets = hook.state.tickets;
  hook.state = again.state;
  const id = `${c.id}-escalation`;
  // The alarm set before the restart fires after it, or the next attempt is driven by the DO.
  await waitFor(() => hook.state.tickets.has(id), 30_000, "delivery after restart");
  await new Promise((r) => setTimeout(r, 500));
  assert.equal([...hook.state.tickets.keys()].filter((k) => k === id).length, 1);
});
