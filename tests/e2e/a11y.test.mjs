// Accessibility of the widget in every state a customer meets, checked with axe-core in real
// Chromium on workerd: closed, open in AI mode, transition, queued, human mode, resolved with
// the CSAT form, after rating, and async (out of hours) with a ticket.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { AxeBuilder } from "@axe-core/playwright";
import { startBaton, launchBrowser } from "./harness.mjs";
import { api } from "./api.mjs";

let baton, browser, http;
const T = 20_000;

before(async () => {
  baton = await startBaton();
  browser = await launchBrowser();
  http = api(baton);
  // A site that is always out of hours, so billing questions become tickets.
  await http.site("closed", (doc) => {
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: doc.site.time_zone || "UTC", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
    const day = ["09:00-17:00"];
    doc.routing.hours = { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day };
    doc.routing.holidays = [today];
    doc.routing.out_of_hours = { billing: "async_ticket" };
  });
});
after(async () => {
  await browser?.close();
  await baton?.stop();
});

/** axe over the whole page (the widget's shadow root included): WCAG 2.2 A/AA and best practice. */
async function audit(page, state) {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .analyze();
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  assert.deepEqual(found, [], `axe violations in state "${state}"`);
  // The check really looked inside the widget.
  assert.ok(result.passes.length > 10, `axe ran rules in state "${state}"`);
  return result;
}

const status = (page, s) => page.locator(`section.panel[data-status=${s}]`).waitFor({ timeout: T });

test("zero axe violations in every widget state", { timeout: 240_000 }, async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(baton.base + "/");
  await page.locator(".launcher").waitFor({ timeout: T });
  await audit(page, "closed");

  await page.locator(".launcher").click();
  const input = page.getByLabel("Your message");
  await input.fill("How much is the Pro plan?");
  await input.press("Enter");
  await page.locator(".msg.ai", { hasText: "$29" }).waitFor({ timeout: T });
  await audit(page, "open, AI mode");

  await input.fill("I want to talk to a real person");
  await input.press("Enter");
  await page.locator(".msg.system").first().waitFor({ timeout: T });
  await audit(page, "transition");
  await status(page, "queued");
  await page.locator(".progress").waitFor({ timeout: T });
  await audit(page, "queued");

  const id = await page.evaluate(() => JSON.parse(sessionStorage.getItem("baton:demo")).id);
  let r = await http.agent("reply", id, { text: "Hi, Ana here. See https://example.com/help for details." });
  assert.equal(r.status, 200, r.text);
  await status(page, "with_agent");
  await page.locator(".msg.agent a").waitFor({ timeout: T });
  await audit(page, "human mode");

  r = await http.agent("resolve", id);
  assert.equal(r.status, 200, r.text);
  await status(page, "resolved");
  await page.locator(".csat fieldset").waitFor({ timeout: T });
  await audit(page, "resolved, CSAT form");

  await page.getByLabel("5 out of 5").check();
  await page.getByLabel("Anything to add? (optional)").fill("Quick and clear");
  await page.getByRole("button", { name: "Send rating" }).click();
  await page.locator(".csat-status", { hasText: "Thank you" }).waitFor({ timeout: T });
  await audit(page, "CSAT sent");
  const state = (await http.state(id)).json;
  assert.equal(state.csat.score, 5);
  assert.equal(state.csat.comment, "Quick and clear");
  await ctx.close();
});

test("zero axe violations out of hours, with the ticket and expected time shown", { timeout: 120_000 }, async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(baton.base + "/embed.html?site=closed");
  await page.locator(".launcher").click();
  const input = page.getByLabel("Your message");
  await input.fill("I was charged twice for my subscription");
  await input.press("Enter");
  await status(page, "async");
  const progress = page.locator(".progress");
  await progress.waitFor({ timeout: T });
  assert.match(await progress.textContent(), /^Ticket BT-[0-9A-F]{8}: we'll reply by \d\d:\d\d/);
  await audit(page, "async");
  await ctx.close();
});
