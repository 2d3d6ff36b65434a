// The widget on real host pages in Chromium on workerd: a single-page app whose route history,
// product area, form step and clicks reach the agent (and update as the customer moves on), a
// page under a strict Content-Security-Policy, Baton(...) calls queued before the loader, and
// the second wasm module (instant hard-trigger feedback, PII masking) early and late.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBaton, launchBrowser } from "./harness.mjs";
import { api } from "./api.mjs";

let baton, browser, http;
before(async () => {
  baton = await startBaton();
  browser = await launchBrowser();
  http = api(baton);
});
after(async () => {
  await browser?.close();
  await baton?.stop();
});

const T = 20_000;

/** The host page's snippet: a queue for calls made before widget.js arrives, and listeners. */
function queueSnippet() {
  window.__events = [];
  window.Baton = function () { (window.Baton.q = window.Baton.q || []).push(arguments); };
  for (const name of ["ready", "open", "close", "message", "escalated", "agent_joined", "resolved"]) {
    window.Baton("on", name, (detail) => window.__events.push(name));
  }
}

const conversationId = (page) => page.evaluate(() => JSON.parse(sessionStorage.getItem("baton:demo")).id);

test("a single-page app: the agent sees the route history, product area, form step and clicks, kept current", { timeout: 180_000 }, async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript(queueSnippet);
  await page.addInitScript(() => window.Baton("identify", { name: "Sam Rivera", email: "sam@example.com", plan: "pro" }));
  await page.goto(baton.base + "/spa.html");
  await page.locator(".launcher").waitFor({ timeout: T });

  // Navigate inside the app before the chat is ever opened: the loader records from the start.
  await page.getByRole("link", { name: "Reports" }).click();
  await page.getByRole("button", { name: "Export CSV" }).click();
  await page.getByRole("link", { name: "Upgrade" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  assert.equal(new URL(page.url()).search, "?view=checkout");

  await page.locator(".launcher").click();
  const input = page.getByLabel("Your message");
  await input.waitFor({ timeout: T });
  await input.fill("I want to talk to a real person about my upgrade");
  await input.press("Enter");
  await page.locator(HANDED_OFF).waitFor({ timeout: T });
  const id = await conversationId(page);

  let state = (await http.state(id)).json;
  const pc = state.page_context;
  assert.deepEqual(
    pc.route_history.map((u) => new URL(u).search),
    ["", "?view=reports", "?view=checkout"],
    JSON.stringify(pc),
  );
  assert.equal(pc.product_area, "billing", "the innermost data-baton-product-area");
  assert.equal(pc.form_step, "Payment details");
  assert.ok(pc.recent_actions.includes("clicked Export CSV"), JSON.stringify(pc.recent_actions));
  assert.ok(pc.recent_actions.includes("clicked Continue"), JSON.stringify(pc.recent_actions));
  assert.ok(!pc.recent_actions.some((a) => /Chat with us|Send/.test(a)), "the widget's own buttons are not the page's");
  assert.equal(pc.ui_state.workspace, "acme-prod", "setContext queued before load");
  assert.ok(pc.viewport.width > 0 && pc.time_zone, JSON.stringify(pc));

  // The agent sees it in words in the inbox.
  const agentCtx = await browser.newContext();
  const agent = await agentCtx.newPage();
  await agent.goto(baton.base + "/inbox");
  await agent.getByLabel("Your name").fill("Ana");
  await agent.getByLabel("Agent token").fill(baton.agentToken);
  await agent.getByRole("button", { name: "Sign in" }).click();
  const item = agent.locator("#queue-list button", { hasText: "Sam Rivera" });
  await item.click({ timeout: T });
  await agent.locator("#detail-journey li", { hasText: "view=reports" }).waitFor({ timeout: T });
  const journey = await agent.locator("#detail-journey li").allTextContents();
  assert.equal(journey.length, 3, journey.join("\n"));
  const onPage = (await agent.locator("#detail-state").textContent()) || "";
  assert.match(onPage, /Product area: billing/);
  assert.match(onPage, /Form step: Payment details/);
  assert.match(onPage, /workspace: acme-prod/);
  assert.match(onPage, /Recent actions: .*clicked Continue/);

  // The customer moves on while waiting: the new route reaches the conversation.
  await page.getByRole("link", { name: "Dashboard" }).click();
  const deadline = Date.now() + T;
  for (;;) {
    state = (await http.state(id)).json;
    if (state.page_context.route_history.at(-1)?.endsWith("?view=dashboard")) break;
    assert.ok(Date.now() < deadline, "context update not received: " + JSON.stringify(state.page_context));
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.equal(state.page_context.product_area, "dashboard");
  assert.equal(state.page_context.form_step, undefined, "the flow's step is gone on the dashboard");

  // Events registered before load fired in order.
  const events = await page.evaluate(() => window.__events);
  for (const e of ["ready", "open", "escalated"]) assert.ok(events.includes(e), `${e} in ${events}`);
  assert.ok(events.indexOf("ready") < events.indexOf("escalated"));
  assert.deepEqual(errors, []);
  await ctx.close();
  await agentCtx.close();
});

test("a strict CSP page: the chat works with no violation, and open() queued before load opens it", { timeout: 120_000 }, async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    window.__before = Object.getOwnPropertyNames(window);
  });
  await page.addInitScript(queueSnippet);
  // The host page asks to open the chat on its first load only.
  await page.addInitScript(() => {
    if (!sessionStorage.getItem("host-opened")) { sessionStorage.setItem("host-opened", "1"); window.Baton("open"); }
  });
  await page.goto(baton.base + "/csp.html");

  // Nobody clicked: the queued open() opened the panel once the widget loaded.
  const panel = page.locator("section.panel");
  await panel.waitFor({ state: "visible", timeout: T });
  const input = page.getByLabel("Your message");
  await input.fill("How much is the Pro plan?");
  await input.press("Enter");
  await page.locator(".msg.ai", { hasText: "$29 per seat" }).waitFor({ timeout: T });

  // The site's accent colour reached the launcher and panel through CSSOM, not inline styles.
  const accent = await page.evaluate(() => getComputedStyle(document.querySelector("[data-baton]")).getPropertyValue("--baton-accent").trim());
  assert.equal(accent, "#4338ca");
  const violations = await page.evaluate(() => window.__violations);
  assert.deepEqual(violations, [], "no CSP violation");
  assert.deepEqual(errors, []);

  // The loader defines no global but Baton.
  const added = await page.evaluate(() => Object.getOwnPropertyNames(window).filter((k) => !window.__before.includes(k) && !k.startsWith("__") && k !== "Baton"));
  assert.deepEqual(added, [], "globals added besides Baton: " + added);
  assert.equal(typeof (await page.evaluate(() => window.Baton.loaded)), "boolean");

  // Closing with Escape shows the launcher again and gives it focus; shutdown removes everything.
  await input.press("Escape");
  await page.locator(".launcher").waitFor({ state: "visible", timeout: T });
  assert.equal(await page.evaluate(() => document.querySelector("[data-baton]").shadowRoot.activeElement?.className), "launcher");
  // Closed stays closed across a reload, and the conversation is still there when reopened.
  await page.reload();
  await page.locator(".launcher").waitFor({ state: "visible", timeout: T });
  assert.equal(await page.locator("section.panel").isVisible(), false);
  await page.locator(".launcher").click();
  await page.locator(".msg.ai", { hasText: "$29 per seat" }).waitFor({ timeout: T });
  await page.evaluate(() => window.Baton("shutdown"));
  assert.equal(await page.locator("[data-baton]").count(), 0);
  assert.equal(await page.evaluate(() => typeof window.Baton), "undefined");
  await ctx.close();
});

test("the loader themes the launcher from the site config and the panel follows the browser's language", { timeout: 120_000 }, async () => {
  const ctx = await browser.newContext({ locale: "es-ES" });
  const page = await ctx.newPage();
  // A plain page booted with Baton('boot', {site}) and no data-label: the label is the config's.
  await page.goto(baton.base + "/embed.html?site=demo");
  await page.locator(".launcher", { hasText: "Questions? Chat with us" }).waitFor({ timeout: T });
  await page.locator(".launcher").click();
  await page.getByLabel("Tu mensaje").waitFor({ timeout: T });
  assert.equal(await page.getByRole("button", { name: "Enviar" }).count(), 1);
  assert.equal(await page.locator("section.panel").getAttribute("lang"), "es-ES");
  await page.getByLabel("Tu mensaje").fill("¿Cuánto cuesta el plan Pro?");
  await page.getByLabel("Tu mensaje").press("Enter");
  await page.locator(".msg.ai").nth(1).waitFor({ timeout: T });
  assert.equal(await page.locator(".msg.ai .who").nth(1).textContent(), "Asistente IA");
  await ctx.close();
});

// ---- The second wasm module (widget/sense): hard-trigger feedback and PII masking ----

const SENSE = "/widget/baton_sense_bg.wasm";
const PII = "ana@example.com";
/** The panel after the edge's escalation: queued, or with Ana if she is still online. */
const HANDED_OFF = "section.panel:is([data-status=queued], [data-status=with_agent])";

/** A page whose URL and host context carry an email, and what leaves it for the edge. */
async function piiPage() {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const paths = [];
  const sent = [];
  page.on("request", (r) => {
    paths.push(new URL(r.url()).pathname);
    if (r.postData()) sent.push(r.postData());
  });
  page.on("websocket", (ws) => ws.on("framesent", (f) => sent.push(String(f.payload))));
  await page.addInitScript(queueSnippet);
  await page.addInitScript((pii) => window.Baton("setContext", { note: "reach me at " + pii }), PII);
  /** Hold requests to `glob` until `release()`; `seen` resolves with the first one held. */
  const hold = async (glob) => {
    let release, seen;
    const released = new Promise((r) => (release = r));
    const first = new Promise((r) => (seen = r));
    await page.route(glob, async (route) => {
      seen(route.request());
      await released;
      await route.continue();
    });
    return { release, first };
  };
  return { ctx, page, errors, paths, sent, hold, url: baton.base + "/embed.html?site=demo&ref=" + PII };
}

/** The masked page context the edge stores: the host's note and the URL without the email. */
function assertMasked(stored) {
  const text = JSON.stringify(stored);
  assert.ok(!text.includes(PII), "unmasked email reached the edge: " + text);
  assert.equal(stored.context?.note, "reach me at [email]", text);
  assert.match(stored.url, /\[email\]/, text);
}

test("the second module comes with the composer: feedback before the edge answers, masked context", { timeout: 120_000 }, async () => {
  const { ctx, page, errors, paths, sent, hold, url } = await piiPage();
  const start = await hold("**/v1/conversations");
  await page.goto(url);
  await page.locator(".launcher").waitFor({ timeout: T });
  const arrived = page.waitForResponse((r) => new URL(r.url()).pathname === SENSE);
  await page.locator(".launcher").click();
  const input = page.getByLabel("Your message");
  await input.waitFor({ timeout: T });
  await arrived;
  // First open fetched the widget's glue and wasm; the second module came after, with the
  // composer (opening focuses it), from the same /widget/ path.
  const first = paths.indexOf("/widget/baton_widget_bg.wasm");
  assert.ok(first >= 0 && first < paths.indexOf(SENSE), paths.join(" "));
  assert.ok(paths.includes("/widget/baton_sense.js"), paths.join(" "));

  await input.fill("I want to talk to a real person");
  await input.press("Enter");
  // The conversation has not even started at the edge: this is the widget's own judgement.
  const request = await start.first;
  await page.locator(".notice", { hasText: "Connecting you with a person" }).waitFor({ timeout: T });
  assert.equal(await page.locator(".typing").isVisible(), false);
  assertMasked(request.postDataJSON().page);
  start.release();

  await page.locator(HANDED_OFF).waitFor({ timeout: T });
  const state = (await http.state(await conversationId(page))).json;
  assertMasked(state.page);
  assert.ok(!sent.some((body) => body.includes(PII)), "a request or frame carried the email");
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("a message sent before the second module arrives goes at once; feedback and masked context follow it", { timeout: 120_000 }, async () => {
  const { ctx, page, errors, sent, hold, url } = await piiPage();
  const sense = await hold("**" + SENSE);
  const start = await hold("**/v1/conversations");
  await page.goto(url);
  await page.locator(".launcher").click({ timeout: T });
  const input = page.getByLabel("Your message");
  await input.waitFor({ timeout: T });
  await sense.first;
  await input.fill("I want to talk to a real person");
  await input.press("Enter");

  // The conversation starts without waiting for the module, and with no page context yet:
  // nothing unmasked leaves the page.
  const request = await start.first;
  assert.deepEqual(request.postDataJSON().page, {});
  assert.equal(await page.locator(".typing").isVisible(), true, "AI feedback until the module judges");
  // The module arrives while the start is still held: its feedback is the widget's own.
  sense.release();
  await page.locator(".notice", { hasText: "Connecting you with a person" }).waitFor({ timeout: T });
  assert.equal(await page.locator(".typing").isVisible(), false);
  start.release();

  await page.locator(HANDED_OFF).waitFor({ timeout: T });
  const id = await conversationId(page);
  // The message was not lost, and the context followed on the socket, masked.
  const deadline = Date.now() + T;
  let state;
  for (;;) {
    state = (await http.state(id)).json;
    if (state.page?.context) break;
    assert.ok(Date.now() < deadline, "page context never arrived: " + JSON.stringify(state.page));
    await new Promise((r) => setTimeout(r, 300));
  }
  assertMasked(state.page);
  const said = state.events.filter((e) => e.kind === "message" && e.author === "customer").map((e) => e.text);
  assert.deepEqual(said, ["I want to talk to a real person"]);
  assert.ok(!sent.some((body) => body.includes(PII)), "a request or frame carried the email");
  assert.deepEqual(errors, []);
  await ctx.close();
});
