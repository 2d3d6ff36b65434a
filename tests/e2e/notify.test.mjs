// Notifiers, CRM logging and the give-up path, on workerd against the vendor fakes (every
// request validated against the vendor's published description): one Slack message, one Linear
// issue for a bug and one HubSpot note per handoff event; customers without email or contact
// skipped and recorded; Slack's 429 + Retry-After honoured; the generic webhook's Standard
// Webhooks deliveries with the full context; and a helpdesk that fails for longer than the whole
// retry schedule: the escalation stays in the inbox, flagged (seen in Chromium through the
// alert's link), counted, and one alert reaches the site's alert channel.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBaton, launchBrowser } from "./harness.mjs";
import { api, demoSite } from "./api.mjs";
import { waitFor } from "./webhook-receiver.mjs";
import { startSlack, startLinear, startHubspot, startWebhookReceiver } from "../fakes/index.mjs";

const TEAM = "9cfb482a-81e3-4154-b5b9-2c805e70a02d";
const CHANNEL = "C123ABC456";
const ALERTS = "C0ALERTS01";
// 0.0001 runs the four-day retry schedule (14 attempts) in about 35 seconds.
const SCALE = "0.0001";
const MAX_ATTEMPTS = 14;

let baton, http, slack, linear, hubspot, hook, failing;

function siteDoc(id, handoff) {
  const doc = demoSite(baton, id);
  doc.ai.faq.push({
    id: "export-error", question: "The report export shows an error",
    answer: "Sorry about that. Try the export again from Reports → Export; if the error stays, we'll look into it.",
    keywords: ["export", "report", "error", "broken", "crash"], category: "bug",
  });
  doc.routing.categories.bug = "support";
  doc.handoff = handoff;
  return doc;
}

async function putSite(id, handoff) {
  const r = await http.call("PUT", `/v1/admin/sites/${id}/config`, siteDoc(id, handoff), baton.adminToken);
  assert.equal(r.status, 200, r.text);
}

const slackRule = (extra = {}) => ({ channel: "slack", target: CHANNEL, token_secret: "SLACK_BOT_TOKEN", base_url: slack.url, ...extra });
const messagesIn = (channel) => slack.messages.filter((m) => m.channel === channel);
const mentions = (m, text) => JSON.stringify(m.blocks).includes(text);
const settle = () => new Promise((r) => setTimeout(r, 1500));

before(async () => {
  slack = await startSlack({ channels: [CHANNEL, ALERTS] });
  linear = await startLinear({ teams: [TEAM] });
  hubspot = await startHubspot();
  hook = await startWebhookReceiver();
  failing = await startWebhookReceiver();
  baton = await startBaton({
    vars: {
      OUTBOX_RETRY_SCALE: SCALE, PUBLIC_URL: "{base}",
      SLACK_BOT_TOKEN: slack.token, LINEAR_API_KEY: linear.apiKey, HUBSPOT_TOKEN: hubspot.token,
      HOOK_SECRET: hook.secret, FAILING_SECRET: failing.secret,
    },
  });
  http = api(baton);
  await putSite("notified", {
    notifications: [slackRule(), { channel: "linear", target: TEAM, token_secret: "LINEAR_API_KEY", base_url: linear.url }],
    crm: { base_url: hubspot.url, token_secret: "HUBSPOT_TOKEN" },
  });
  await putSite("hooked", { connector: "webhook", webhook: { url: hook.hookUrl, secret_name: "HOOK_SECRET" } });
  await putSite("failing", {
    connector: "webhook", webhook: { url: failing.hookUrl, secret_name: "FAILING_SECRET" },
    notifications: [slackRule({ target: ALERTS, events: ["delivery_failed"] })],
  });
});

after(async () => {
  await baton?.stop();
  for (const f of [slack, linear, hubspot, hook, failing]) await f?.close();
});

test("a bug escalation: one Slack message, one Linear issue, a HubSpot note per handoff event", async () => {
  const contact = hubspot.addContact({ email: "ada@example.com", firstname: "Ada" });
  const c = await http.start("notified", { name: "Ada", email: "ada@example.com", plan: "pro" });
  await http.send(c, "The report export shows an error");
  await http.send(c, "I want to talk to a real person");
  try {
    await waitFor(() => messagesIn(CHANNEL).some((m) => mentions(m, c.id)) && linear.issues.length >= 1 && hubspot.notesFor(contact.id).length >= 1, 20_000, "Slack, Linear and HubSpot");
  } catch (e) {
    const { json } = await http.state(c.id);
    throw new Error(`${e.message}: slack ${slack.messages.length}, linear ${linear.issues.length}, notes ${hubspot.notes.length}; state ${json.status} ${JSON.stringify(json.escalation)} notices ${JSON.stringify(json.notices)}; requests ${JSON.stringify([...slack.requests, ...linear.requests, ...hubspot.requests].map((r) => [r.vendor, r.status, r.violations]))}`);
  }

  const [message] = messagesIn(CHANNEL).filter((m) => mentions(m, c.id));
  assert.match(message.text, /^New escalation \((Low|Normal|High|Urgent)\): Bug/);
  const button = message.blocks.find((b) => b.type === "actions").elements[0];
  assert.equal(button.url, `${baton.base}/inbox?site=notified#conversation=${c.id}`, "links to the conversation in the inbox");
  const fields = message.blocks.find((b) => b.fields).fields.map((f) => f.text).join("\n");
  assert.match(fields, /\*Priority:\*/);
  assert.match(fields, /\*Category:\*\nbug/);
  assert.match(JSON.stringify(message.blocks), /report export shows an error/, "the summary travels");

  const [issue] = linear.issues;
  assert.equal(issue.teamId, TEAM);
  assert.match(issue.title, /^Bug/);
  assert.match(issue.description, /\*\*Page:\*\* http:\/\/127\.0\.0\.1/, "page context in the issue");
  assert.match(issue.description, /report export shows an error/);

  assert.match(hubspot.notesFor(contact.id)[0].properties.hs_note_body, /Baton handoff: Escalated to /);
  assert.equal((await http.agent("claim", c.id)).status, 200);
  await waitFor(() => hubspot.notesFor(contact.id).length >= 2, 10_000, "the agent-joined note");
  assert.equal((await http.agent("resolve", c.id)).status, 200);
  await waitFor(() => hubspot.notesFor(contact.id).length >= 3, 10_000, "the resolved note");
  await settle();

  const bodies = hubspot.notesFor(contact.id).map((n) => n.properties.hs_note_body);
  assert.equal(bodies.length, 3, "one note per handoff event");
  assert.match(bodies[1], /Ana joined the conversation/);
  assert.match(bodies[2], /Resolved by Ana/);
  assert.equal(messagesIn(CHANNEL).filter((m) => mentions(m, c.id)).length, 1, "exactly one Slack message");
  assert.equal(linear.issues.length, 1, "exactly one Linear issue");
  const { json: state } = await http.state(c.id);
  assert.deepEqual(state.notices.map((n) => `${n.connector} ${n.event} ${n.status}`).sort(), [
    "hubspot agent_joined sent", "hubspot escalated sent", "hubspot resolved sent", "linear escalated sent", "slack escalated sent",
  ]);
  for (const f of [slack, linear, hubspot]) f.assertNoViolations();
});

test("no email or no HubSpot contact is skipped and recorded; a billing escalation files no Linear issue", async () => {
  const issuesBefore = linear.issues.length;
  const notesBefore = hubspot.notes.length;
  const anonymous = await http.start("notified", { name: "Bo" });
  await http.send(anonymous, "You charged me twice, I want my money back");
  const stranger = await http.start("notified", { name: "Cy", email: "cy@example.com" });
  await http.send(stranger, "You charged me twice, I want my money back");
  const recorded = async (c) => (await http.state(c.id)).json.notices.find((n) => n.connector === "hubspot");
  await waitFor(async () => (await recorded(anonymous)) && (await recorded(stranger)), 15_000, "the HubSpot records");
  assert.equal((await recorded(anonymous)).status, "skipped");
  assert.match((await recorded(anonymous)).detail, /no email/);
  assert.equal((await recorded(stranger)).status, "skipped");
  assert.match((await recorded(stranger)).detail, /no HubSpot contact has the email cy@example\.com/);
  await waitFor(() => [anonymous, stranger].every((c) => messagesIn(CHANNEL).some((m) => mentions(m, c.id))), 15_000, "both Slack messages");
  await settle();
  assert.equal(hubspot.notes.length, notesBefore, "no note without a contact");
  assert.equal(linear.issues.length, issuesBefore, "billing is not a bug");
  for (const f of [slack, linear, hubspot]) f.assertNoViolations();
});

test("Slack answering 429 with Retry-After is honoured, and the message is still posted once", async () => {
  slack.clearRequests();
  slack.rateLimitNext(1, 2);
  const c = await http.start("notified", { name: "Di" });
  await http.send(c, "I want to cancel my subscription");
  await waitFor(() => messagesIn(CHANNEL).some((m) => mentions(m, c.id)), 20_000, "the Slack message");
  await settle();
  const posts = slack.requests.filter((r) => r.body.includes(c.id));
  assert.equal(posts.length, 2, "the 429, then one post");
  assert.equal(posts[0].status, 429);
  assert.ok(posts[1].at - posts[0].at >= 2000, `waited ${posts[1].at - posts[0].at} ms of Retry-After: 2`);
  assert.equal(messagesIn(CHANNEL).filter((m) => mentions(m, c.id)).length, 1);
  slack.assertNoViolations();
});

test("the generic webhook gets Standard Webhooks deliveries with the full context, escalated then resolved", async () => {
  const c = await http.start("hooked", { name: "Eve", email: "eve@example.com", plan: "pro" });
  await http.send(c, "You charged me twice, I want my money back");
  await waitFor(() => hook.deliveries.some((d) => d.data?.conversation_id === c.id), 15_000, "the escalation");
  assert.equal((await http.agent("claim", c.id)).status, 200);
  assert.equal((await http.agent("resolve", c.id)).status, 200);
  await waitFor(() => hook.deliveries.some((d) => d.type === "handoff.resolved" && d.data?.conversation_id === c.id), 15_000, "the resolution");
  await settle();
  const mine = hook.deliveries.filter((d) => d.data?.conversation_id === c.id);
  assert.deepEqual(mine.map((d) => d.type), ["handoff.escalated", "handoff.resolved"]);
  const [escalated, resolved] = mine;
  assert.equal(escalated.id, `${c.id}-escalation`);
  assert.notEqual(resolved.id, escalated.id);
  const data = escalated.data;
  assert.equal(data.category, "billing");
  assert.equal(data.trigger, "billing_dispute");
  assert.equal(data.customer.email, "eve@example.com");
  assert.ok(data.page.url.startsWith(baton.base));
  assert.ok(data.transcript.some((t) => t.author === "customer" && /charged me twice/.test(t.text)));
  assert.ok(data.summary.length > 20);
  assert.match(data.reason, /billing dispute/);
  assert.equal(data.conversation_url, `${baton.base}/inbox?site=hooked#conversation=${c.id}`);
  assert.equal(resolved.data.status, "resolved");
  hook.assertNoViolations();
});

test("a helpdesk failing for longer than the whole retry schedule: in the inbox, flagged, counted, one alert", async () => {
  failing.failNext(1000);
  const c = await http.start("failing", { name: "Flo", email: "flo@example.com" });
  await http.send(c, "You charged me twice, I want my money back");
  const id = `${c.id}-escalation`;
  const attempts = () => failing.requests.filter((r) => r.headers["webhook-id"] === id);
  const started = Date.now();
  try {
    await waitFor(() => messagesIn(ALERTS).length >= 1, 150_000, "the alert", 250);
  } catch (e) {
    const times = attempts().map((r) => r.at - started);
    throw new Error(`${e.message}; ${times.length} attempts at ms ${times.join(", ")}\n${baton.log.slice(-30).join("")}`);
  }
  await settle();
  await settle();

  assert.equal(attempts().length, MAX_ATTEMPTS, "every attempt of the schedule, then no more");
  assert.ok(attempts().every((r) => r.status === 500));
  assert.equal(failing.deliveries.length, 0, "the helpdesk never took it");
  const alerts = messagesIn(ALERTS);
  assert.equal(alerts.length, 1, "exactly one alert");
  assert.match(alerts[0].text, /Escalation not delivered to Webhook/);
  assert.match(JSON.stringify(alerts[0].blocks), /waiting in Baton's built-in inbox/);
  assert.equal(alerts[0].blocks.find((b) => b.type === "actions").elements[0].url, `${baton.base}/inbox?site=failing#conversation=${c.id}`);

  const inbox = (await http.inbox("failing")).json.filter((e) => e.id === c.id);
  assert.equal(inbox.length, 1, "the escalation is in the built-in inbox, once");
  assert.match(inbox[0].delivery_failed, /webhook delivery gave up after 14 attempt\(s\): HTTP 500/);
  assert.equal(inbox[0].status, "queued");
  const { json: state } = await http.state(c.id);
  assert.match(state.delivery_failed, /gave up after 14/);
  assert.ok(state.notices.some((n) => n.event === "delivery_failed" && n.status === "failed"));
  assert.ok(state.notices.some((n) => n.connector === "slack" && n.event === "delivery_failed" && n.status === "sent"));
  // What an agent sees: the alert's link opens the inbox on the flagged conversation.
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(alerts[0].blocks.find((b) => b.type === "actions").elements[0].url);
    await page.getByLabel("Your name").fill("Ana");
    await page.getByLabel("Agent token").fill(baton.agentToken);
    assert.equal(await page.getByLabel("Site").inputValue(), "failing", "the link names the site");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".item-failed").filter({ hasText: "webhook delivery gave up" }).waitFor({ timeout: 15_000 });
    await page.locator("#detail-delivery").filter({ hasText: "stays here" }).waitFor({ timeout: 15_000 });
    assert.match(await page.locator("#detail-notices").innerText(), /slack · delivery failed · sent/);
  } finally {
    await browser.close();
  }
  const metrics = await http.call("GET", "/v1/admin/sites/failing/metrics?days=1", undefined, baton.adminToken);
  assert.equal(metrics.json.total.delivery_failed_alerts, 1, JSON.stringify(metrics.json.total));
  failing.assertNoViolations();
  slack.assertNoViolations();
});
