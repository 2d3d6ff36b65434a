// More than a hundred markup-injection payloads, sent as customer and as agent messages, must
// render as inert text in the widget and in the inbox: no element, no script, no dialog.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startBaton, launchBrowser, ROOT } from "./harness.mjs";
import { api, live } from "./api.mjs";

const payloads = readFileSync(join(ROOT, "tests/e2e/fixtures/xss-payloads.txt"), "utf8").split("\n").filter(Boolean);
let baton, browser, http;
const T = 30_000;

before(async () => {
  baton = await startBaton();
  browser = await launchBrowser();
  http = api(baton);
});
after(async () => {
  await browser?.close();
  await baton?.stop();
});

test("every payload renders as the same text, inert, in the widget and in the inbox", { timeout: 300_000 }, async () => {
  assert.ok(payloads.length >= 100, `${payloads.length} payloads`);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(baton.base + "/");
  await page.locator(".launcher").click();
  const input = page.getByLabel("Your message");
  await input.fill("I want to talk to a real person");
  await input.press("Enter");
  await page.locator("section.panel[data-status=queued]").waitFor({ timeout: T });
  const c = await page.evaluate(() => JSON.parse(sessionStorage.getItem("baton:demo")));

  // Through the widget's own composer for a few, then the rest over the API, both ways.
  for (const p of payloads.slice(0, 5)) {
    await input.fill(p);
    await input.press("Enter");
  }
  // The widget and the API are two senders: the rest go once the edge has the widget's five,
  // so the transcript's order is the payloads' order.
  const ch = live(baton, c);
  await ch.opened;
  await ch.next((e) => e.kind === "message" && e.author === "customer" && e.text === payloads[4], T);
  ch.close();
  for (const p of payloads.slice(5)) {
    const r = await http.send(c, p);
    assert.equal(r.status, 200, r.text);
  }
  for (const p of payloads) {
    const r = await http.agent("reply", c.id, { text: p });
    assert.equal(r.status, 200, r.text);
  }

  const widgetTexts = async (cls) => page.evaluate((cls) => {
    const root = document.querySelector("[data-baton]").shadowRoot;
    return [...root.querySelectorAll(`.msg.${cls} .text`)].map((t) => t.textContent);
  }, cls);
  const deadline = Date.now() + T;
  while ((await widgetTexts("agent")).length < payloads.length) {
    assert.ok(Date.now() < deadline, "not every agent message arrived");
    await new Promise((r) => setTimeout(r, 300));
  }
  const customer = (await widgetTexts("customer")).slice(1);
  assert.deepEqual(customer, payloads, "customer messages read exactly as typed");
  assert.deepEqual(await widgetTexts("agent"), payloads, "agent messages read exactly as sent");

  const inert = await page.evaluate(() => {
    const root = document.querySelector("[data-baton]").shadowRoot;
    const made = [...root.querySelectorAll(".msg .text *")];
    return {
      xss: window.__xss,
      // The only element a message may hold is a link the widget made from an http(s) URL.
      foreign: made.filter((e) => !(e.tagName === "A" && /^https?:\/\//.test(e.getAttribute("href")) && e.rel === "noopener noreferrer")).map((e) => e.outerHTML),
      badHref: made.filter((e) => e.tagName === "A").map((e) => e.getAttribute("href")).filter((h) => /["<>\s]/.test(h)),
      handlers: made.filter((e) => [...e.attributes].some((a) => a.name.startsWith("on"))).length,
      iframes: document.querySelectorAll("iframe").length + root.querySelectorAll("iframe, img, script, svg, object, embed").length,
    };
  });
  assert.equal(inert.xss, undefined, "no payload ran in the widget");
  assert.deepEqual(inert.foreign, []);
  assert.deepEqual(inert.badHref, []);
  assert.equal(inert.handlers, 0);
  assert.equal(inert.iframes, 0);

  // The inbox shows the same transcript as text.
  const agentCtx = await browser.newContext();
  const agent = await agentCtx.newPage();
  agent.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await agent.goto(baton.base + "/inbox");
  await agent.getByLabel("Your name").fill("Ana");
  await agent.getByLabel("Agent token").fill(baton.agentToken);
  await agent.getByRole("button", { name: "Sign in" }).click();
  await agent.locator("#queue-list button").first().click({ timeout: T });
  await agent.locator("#transcript li.agent").nth(payloads.length - 1).waitFor({ timeout: T });
  const inbox = await agent.evaluate(() => ({
    customer: [...document.querySelectorAll("#transcript li.customer .body")].map((e) => e.textContent),
    agent: [...document.querySelectorAll("#transcript li.agent .body")].map((e) => e.textContent),
    elements: document.querySelectorAll("#transcript .body *").length,
    summary: document.querySelectorAll("#detail-summary *, #detail-state *:not(li)").length,
    xss: window.__xss,
  }));
  assert.deepEqual(inbox.customer.slice(1), payloads);
  assert.deepEqual(inbox.agent, payloads);
  assert.equal(inbox.elements, 0, "no element inside any transcript message");
  assert.equal(inbox.summary, 0);
  assert.equal(inbox.xss, undefined, "no payload ran in the inbox");
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(dialogs, [], "no dialog opened");
  await ctx.close();
  await agentCtx.close();
});
