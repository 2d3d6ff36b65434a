// Transfers in the built-in inbox: an agent moves a claimed or waiting conversation to another
// queue; the customer's widget says who takes over, the router queues it by the new queue's
// skills and never hands it straight back to the agent who let it go; bad transfers are refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBaton, launchBrowser } from "./harness.mjs";
import { api, live } from "./api.mjs";

let baton, http, browser;
before(async () => {
  baton = await startBaton();
  http = api(baton);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await baton?.stop();
});

const T = 20_000;
const presence = (name, online, skills, capacity = 2) =>
  http.call("POST", "/v1/sites/demo/presence", { name, online, skills, capacity }, baton.agentToken);
const transfer = (id, queue, agent = "Ana", token = baton.agentToken) =>
  http.call("POST", `/v1/conversations/${id}/transfer`, { agent, queue }, token);
const panelStatus = (page) => page.evaluate(() =>
  document.querySelector("[data-baton]").shadowRoot.querySelector("section.panel").dataset.status);

test("in the inbox, an agent transfers a conversation to the billing team and the customer's widget says so", { timeout: 180_000 }, async () => {
  const customerCtx = await browser.newContext();
  const agentCtx = await browser.newContext();
  const customer = await customerCtx.newPage();
  const agent = await agentCtx.newPage();

  // The agent signs in first: online with the inbox's default skills (general, billing).
  await agent.goto(baton.base + "/inbox");
  await agent.getByLabel("Your name").fill("Ana");
  await agent.getByLabel("Agent token").fill(baton.agentToken);
  await agent.getByRole("button", { name: "Sign in" }).click();
  await agent.locator("#signin").waitFor({ state: "hidden", timeout: T });

  await customer.addInitScript(() => {
    window.Baton = function () { (window.Baton.q = window.Baton.q || []).push([].slice.call(arguments)); };
    window.Baton("identify", { name: "Rosa Quint", email: "rosa@example.com", plan: "pro" });
  });
  await customer.goto(baton.base + "/");
  await customer.locator(".launcher").click();
  const input = customer.getByLabel("Your message");
  await input.fill("I want to talk to a real person");
  await input.press("Enter");
  // Ana is free and qualified for the support queue: she gets it at once.
  await customer.locator(".badge", { hasText: "Ana · human agent" }).waitFor({ timeout: T });

  const item = agent.locator("#queue-list button", { hasText: "Rosa Quint" });
  await item.waitFor({ timeout: T });
  await item.click();
  await agent.locator("#detail-status", { hasText: "with agent · Ana" }).waitFor({ timeout: T });
  const select = agent.getByLabel("Transfer to");
  const options = await select.locator("option").allTextContents();
  assert.deepEqual(options, ["support team (general)", "billing team (billing)"]);
  await select.selectOption({ label: "billing team (billing)" });
  await agent.getByRole("button", { name: "Transfer" }).click();

  // The customer sees the new queue and a message saying who takes over.
  await customer.locator(".badge", { hasText: "Waiting for our billing team" }).waitFor({ timeout: T });
  assert.equal(await panelStatus(customer), "queued");
  const note = customer.locator(".log .msg.system", { hasText: "passed this conversation to our billing team" });
  await note.waitFor({ timeout: T });
  assert.match(await note.textContent(), /won't need to repeat yourself/);

  // The inbox shows it waiting for billing, with the transfer on record; Ana, who let it go, is
  // not handed it back although she is online with the billing skill.
  await agent.locator("#detail-status", { hasText: "waiting · billing team" }).waitFor({ timeout: T });
  await agent.locator("#detail-transfers", { hasText: "support team → billing team by Ana" }).waitFor({ timeout: T });
  assert.equal(await agent.locator("#transfer-queue option:checked").textContent(), "support team (general)", "the current queue cannot be chosen");
  assert.equal(await agent.locator("#transfer-queue option", { hasText: "billing team" }).isDisabled(), true);
  const entry = (await http.inbox()).json.find((e) => e.customer === "Rosa Quint");
  assert.equal(entry.queue, "billing");
  assert.equal(entry.status, "queued");
  assert.equal(entry.agent, null);

  // She can still take it back by hand.
  await agent.getByRole("button", { name: "Claim" }).click();
  await customer.locator(".badge", { hasText: "Ana · human agent" }).waitFor({ timeout: T });

  await customerCtx.close();
  await agentCtx.close();
  const r = await presence("Ana", false, ["general", "billing"]);
  assert.equal(r.status, 200, r.text);
});

test("the router queues a transfer by the new queue's skills, and the agent who let go is not picked", async () => {
  const c = await http.start("demo", { name: "Theo" });
  const ch = live(baton, c);
  await ch.opened;
  await http.send(c, "I want to talk to a real person");
  await ch.next((e) => e.kind === "status" && e.status === "queued");
  let r = await http.agent("claim", c.id, { agent: "Cal" });
  assert.equal(r.status, 200, r.text);
  await ch.next((e) => e.kind === "status" && e.status === "with_agent" && e.agent === "Cal");

  r = await transfer(c.id, "billing", "Cal");
  assert.equal(r.status, 200, r.text);
  const moved = await ch.next((e) => e.kind === "status" && e.status === "queued" && e.queue === "billing team");
  assert.equal(moved.agent ?? null, null, "the agent let go");
  const s = (await http.state(c.id)).json;
  assert.equal(s.queue_id, "billing");
  assert.deepEqual(s.transfers.map(({ from, to, agent }) => ({ from, to, agent })), [{ from: "support team", to: "billing team", agent: "Cal" }]);
  assert.equal(s.escalation.trigger, "human_request", "the decision record stays");

  // Cal (billing skill, free, first by name) comes online, then Dee: Dee gets it.
  r = await presence("Cal", true, ["general", "billing"]);
  assert.equal(r.status, 200, r.text);
  r = await presence("Dee", true, ["billing"]);
  assert.equal(r.status, 200, r.text);
  const joined = await ch.next((e) => e.kind === "status" && e.status === "with_agent" && e.seq > moved.seq);
  assert.equal(joined.agent, "Dee");
  ch.close();

  const m = await http.call("GET", "/v1/admin/sites/demo/metrics?days=1", undefined, baton.adminToken);
  assert.equal(m.json.total.transfers, 2, "this transfer and the one in the inbox");
  await presence("Cal", false, []);
  await presence("Dee", false, []);
});

test("an agent's conversation is not taken by another agent's claim or reply, only by an explicit take-over", async () => {
  const c = await http.start("demo", { name: "Uma" });
  const ch = live(baton, c);
  await ch.opened;
  await http.send(c, "I want to talk to a real person");
  await ch.next((e) => e.kind === "status" && e.status === "queued");
  let r = await http.agent("claim", c.id, { agent: "Eve" });
  assert.equal(r.status, 200, r.text);
  for (const [action, body] of [["claim", { agent: "Fay" }], ["reply", { agent: "Fay", text: "Hi, Fay here" }]]) {
    r = await http.agent(action, c.id, body);
    assert.equal(r.status, 409, `${action}: ${r.text}`);
    assert.equal(r.json.error.code, "claimed_by_other");
    assert.match(r.json.error.message, /^Eve has this conversation.*take_over/);
  }
  assert.equal((await http.state(c.id)).json.agent, "Eve");
  assert.ok(!ch.events.some((e) => e.text === "Hi, Fay here"), "the refused reply was not sent");
  // In the inbox, Fay sees who has it and takes it over only by pressing the button that says so.
  const agentCtx = await browser.newContext();
  const inbox = await agentCtx.newPage();
  await inbox.goto(baton.base + "/inbox");
  await inbox.getByLabel("Your name").fill("Fay");
  await inbox.getByLabel("Agent token").fill(baton.agentToken);
  await inbox.getByRole("button", { name: "Sign in" }).click();
  await inbox.locator("#queue-list button", { hasText: "Uma" }).click({ timeout: T });
  await inbox.locator("#detail-status", { hasText: "with agent · Eve" }).waitFor({ timeout: T });
  await inbox.getByLabel("Reply", { exact: true }).fill("Fay from the inbox");
  await inbox.getByLabel("Reply", { exact: true }).press("Enter");
  await inbox.locator("#detail-error", { hasText: "Eve has this conversation: take it over first" }).waitFor({ timeout: T });
  assert.equal(await inbox.getByLabel("Reply", { exact: true }).inputValue(), "Fay from the inbox", "the refused reply stays in the box");
  await inbox.getByRole("button", { name: "Take over from Eve" }).click();
  await ch.next((e) => e.kind === "status" && e.status === "with_agent" && e.agent === "Fay");
  await inbox.locator("#detail-status", { hasText: "with agent · Fay" }).waitFor({ timeout: T });
  assert.equal(await inbox.locator("#claim").textContent(), "Claim");
  assert.equal(await inbox.locator("#claim").isDisabled(), true, "nothing to claim: it is hers");
  await agentCtx.close();
  await presence("Fay", false, []);
  r = await http.agent("reply", c.id, { agent: "Fay", text: "Hi, Fay here" });
  assert.equal(r.status, 200, r.text);
  await ch.next((e) => e.kind === "message" && e.text === "Hi, Fay here");
  assert.equal(ch.events.filter((e) => e.kind === "message" && e.text === "Hi, Fay here").length, 1);
  ch.close();
});

test("transfers are validated: the queue must exist and differ, the conversation must be with the humans", async () => {
  const c = await http.start("demo", { name: "Val" });
  let r = await transfer(c.id, "billing");
  assert.equal(r.status, 409, "still with the AI");
  assert.equal(r.json.error.code, "conflict");

  await http.send(c, "can I speak to a human agent");
  const ch = live(baton, c);
  await ch.next((e) => e.kind === "status" && e.status === "queued");
  ch.close();
  r = await transfer(c.id, "nowhere");
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, "queue");
  assert.match(r.json.error.message, /no queue `nowhere`; use one of: support, billing/);
  r = await transfer(c.id, "support");
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, "same_queue");
  r = await transfer(c.id, "");
  assert.equal(r.json.error.field, "queue");
  r = await transfer(c.id, "billing", " ");
  assert.equal(r.json.error.field, "agent");
  r = await transfer(c.id, "billing", "x".repeat(61));
  assert.equal(r.json.error.field, "agent");
  r = await transfer(c.id, "billing", "Ana", "wrong-token");
  assert.equal(r.status, 401);
  r = await transfer("0".repeat(32), "billing");
  assert.equal(r.status, 404);

  r = await http.agent("resolve", c.id);
  assert.equal(r.status, 200, r.text);
  r = await transfer(c.id, "billing");
  assert.equal(r.status, 409, "a resolved conversation stays resolved");
  assert.equal((await http.state(c.id)).json.queue_id, "support", "refused transfers change nothing");

  const q = await http.call("GET", "/v1/sites/demo/queues", undefined, baton.agentToken);
  assert.deepEqual(q.json, [
    { id: "support", name: "support team", skills: ["general"] },
    { id: "billing", name: "billing team", skills: ["billing"] },
  ]);
  assert.equal((await http.call("GET", "/v1/sites/demo/queues", undefined, "nope")).status, 401);
});
