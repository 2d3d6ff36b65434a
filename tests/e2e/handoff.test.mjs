// The walking skeleton end to end: a customer on the demo page chats with the AI, asks for a
// person, and an agent in the built-in inbox replies and resolves, each seen in their own browser.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBaton, launchBrowser } from "./harness.mjs";

let baton, browser;
before(async () => {
  baton = await startBaton();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await baton?.stop();
});

const T = 20_000;

test("a customer reaches a human agent and back, with the context travelling", { timeout: 180_000 }, async () => {
  const customerCtx = await browser.newContext();
  const agentCtx = await browser.newContext();
  const customer = await customerCtx.newPage();
  const agent = await agentCtx.newPage();
  const pageErrors = [];
  customer.on("pageerror", (e) => pageErrors.push(e.message));

  // The host page queues calls before the loader arrives; identify must survive that.
  await customer.addInitScript(() => {
    window.Baton = function () { (window.Baton.q = window.Baton.q || []).push([].slice.call(arguments)); };
    window.Baton("identify", { name: "Dana Whitfield", email: "dana@example.com", plan: "pro" });
  });
  await customer.goto(baton.base + "/");
  await customer.locator(".launcher").click();
  const panel = customer.locator("section.panel");
  await panel.waitFor({ state: "visible", timeout: T });
  const log = customer.locator(".log");
  await log.getByText("I'm Acme's assistant").waitFor({ timeout: T });
  assert.equal(await panel.getAttribute("class"), "panel", "starts in AI mode");

  // The AI answers from the knowledge base.
  const input = customer.getByLabel("Your message");
  await input.fill("How much is the Pro plan?");
  await input.press("Enter");
  await log.locator(".msg.ai", { hasText: "$29 per seat" }).waitFor({ timeout: T });

  // An explicit request for a person fires the human_request hard trigger.
  await input.fill("I want to talk to a real person");
  await input.press("Enter");
  const transition = log.locator(".msg.system", { hasText: "plans and pricing" });
  await transition.waitFor({ timeout: T });
  const transitionText = await transition.textContent();
  assert.match(transitionText, /support team/, "names who takes over");
  assert.match(transitionText, /won't need to repeat yourself/, "says the context travels");
  await customer.waitForFunction(() => {
    const p = document.querySelector("[data-baton]").shadowRoot.querySelector("section.panel");
    return p.classList.contains("human") && p.dataset.status === "queued";
  }, null, { timeout: T });
  assert.match(await customer.locator(".badge").textContent(), /Waiting for our support team/);

  // The agent signs in and finds the conversation with its summary and transcript.
  await agent.goto(baton.base + "/inbox");
  await agent.getByLabel("Your name").fill("Ana");
  await agent.getByLabel("Agent token").fill(baton.agentToken);
  await agent.getByRole("button", { name: "Sign in" }).click();
  await agent.locator("#signin").waitFor({ state: "hidden", timeout: T });
  const item = agent.locator("#queue-list button", { hasText: "Dana Whitfield" });
  await item.waitFor({ timeout: T });
  assert.match(await item.textContent(), /plans and pricing/);
  await item.click();
  const transcript = agent.locator("#transcript");
  await transcript.getByText("How much is the Pro plan?").waitFor({ timeout: T });
  await transcript.getByText("I want to talk to a real person").waitFor({ timeout: T });
  assert.match(await agent.locator("#detail-reason").textContent(), /human request/);
  assert.match(await agent.locator("#detail-summary").textContent(), /Dana Whitfield \(pro plan\) needs help with plans and pricing: “How much is the Pro plan\?”/);
  assert.match(await agent.locator("#detail-page").textContent(), /Billing & plans/);

  // The agent's reply reaches the customer live, and the widget switches to human mode.
  await agent.getByLabel("Reply").fill("Hi Dana, Ana here. Happy to look at your plan with you.");
  await agent.getByRole("button", { name: "Send" }).click();
  const agentMsg = log.locator(".msg.agent", { hasText: "Ana here" });
  await agentMsg.waitFor({ timeout: T });
  assert.match(await agentMsg.locator(".who").textContent(), /^Ana$/);
  await customer.locator(".badge", { hasText: "Ana · human agent" }).waitFor({ timeout: T });
  assert.equal(await customer.locator(".avatar").textContent(), "A");

  // The customer answers; the agent sees it live.
  await input.fill("Thanks! Can I move to yearly billing?");
  await input.press("Enter");
  await transcript.getByText("Can I move to yearly billing?").waitFor({ timeout: T });

  // Resolve: the widget shows the conversation as resolved.
  await agent.getByRole("button", { name: "Resolve" }).click();
  await customer.waitForFunction(() => {
    const p = document.querySelector("[data-baton]").shadowRoot.querySelector("section.panel");
    return p.dataset.status === "resolved";
  }, null, { timeout: T });
  await log.locator(".msg.system", { hasText: "marked this conversation as resolved" }).waitFor({ timeout: T });
  assert.equal(await customer.locator(".badge").textContent(), "Resolved");

  // A reload in the same tab keeps the whole conversation, each message once, and the panel
  // comes back open as the customer left it, with nobody clicking.
  await customer.reload();
  await customer.locator("section.panel").waitFor({ state: "visible", timeout: T });
  await log.locator(".msg.agent", { hasText: "Ana here" }).waitFor({ timeout: T });
  assert.equal(await log.locator(".msg.agent", { hasText: "Ana here" }).count(), 1);
  assert.equal(await log.locator(".msg.customer").count(), 3);
  assert.equal(await customer.locator("section.panel").getAttribute("data-status"), "resolved");

  // New escalations are pushed to an open inbox (its fallback poll is every 15 s).
  const r = await fetch(baton.base + "/v1/conversations", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ site: "demo", page: { url: baton.base + "/" }, user: { name: "Second Customer" } }),
  });
  const second = await r.json();
  await fetch(`${baton.base}/v1/conversations/${second.id}/messages`, {
    method: "POST", body: JSON.stringify({ token: second.token, text: "get me a human agent please" }),
  });
  await agent.locator("#queue-list button", { hasText: "Second Customer" }).waitFor({ timeout: 5000 });

  assert.deepEqual(pageErrors, [], "no script errors on the host page");
  await customerCtx.close();
  await agentCtx.close();
});

test("the API refuses bad input with clear JSON errors", async () => {
  let r = await fetch(baton.base + "/v1/conversations", { method: "POST", body: "{" });
  assert.equal(r.status, 400);
  let j = await r.json();
  assert.equal(j.error.code, "invalid_json");

  r = await fetch(baton.base + "/v1/conversations", { method: "POST", body: JSON.stringify({ site: "nope" }) });
  assert.equal(r.status, 404);
  j = await r.json();
  assert.match(j.error.message, /PUT its config/);

  r = await fetch(baton.base + "/v1/sites/demo/inbox", { headers: { Authorization: "Bearer wrong" } });
  assert.equal(r.status, 401);

  r = await fetch(baton.base + "/v1/conversations", { method: "POST", body: JSON.stringify({ site: "demo" }) });
  const { id } = await r.json();
  r = await fetch(`${baton.base}/v1/conversations/${id}/messages`, {
    method: "POST", body: JSON.stringify({ token: "forged", text: "hi" }),
  });
  assert.equal(r.status, 401);
});
