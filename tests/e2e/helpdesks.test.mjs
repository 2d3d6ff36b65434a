// Zendesk, Freshdesk and Intercom end to end on workerd with real Chromium, against the
// loopback fakes that validate every request against the vendor's spec: an escalation from the
// widget makes exactly one valid ticket with the mapped fields; a signed agent reply shows in the
// widget; solved shows resolved; the customer's next message reopens the ticket. Also: forged,
// tampered and replayed deliveries are refused with 401 and change nothing; 429 + Retry-After.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startBaton, launchBrowser } from "./harness.mjs";
import { api } from "./api.mjs";
import { startZendesk, zendeskWebhooks, startFreshdesk, freshdeskWebhooks, startIntercom, intercomWebhooks } from "../fakes/index.mjs";

const T = 20_000;
const SECRETS = {
  ZENDESK_WEBHOOK_SECRET: randomBytes(24).toString("base64"),
  FRESHDESK_WEBHOOK_SECRET: randomBytes(24).toString("hex"),
  INTERCOM_CLIENT_SECRET: randomBytes(24).toString("hex"),
};
const CUSTOMER = { name: "Ada Lovelace", email: "ada@example.com", user_id: "u-42", plan: "pro" };

let baton, browser, http, zendesk, freshdesk, intercom;

const site = (id, handoff) => http.site(id, (doc) => { doc.handoff = handoff; });

async function until(check, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const hook = (vendor, siteId, d) => fetch(`${baton.base}/v1/hooks/${vendor}/${siteId}`, { method: "POST", headers: d.headers, body: d.body });

before(async () => {
  zendesk = await startZendesk({ customFields: [360000111, 360000222] });
  freshdesk = await startFreshdesk({ customFields: ["cf_category", "cf_page_url", "cf_escalation_id"] });
  intercom = await startIntercom({ attributes: ["baton_escalation", "category", "page_url"] });
  // Scale 0.02: the first retry comes after ~0.1 s, each call may take 300 ms.
  baton = await startBaton({
    vars: {
      ...SECRETS, OUTBOX_RETRY_SCALE: "0.02",
      ZENDESK_API_TOKEN: zendesk.token, FRESHDESK_API_KEY: freshdesk.apiKey, INTERCOM_ACCESS_TOKEN: intercom.token,
    },
  });
  http = api(baton);
  const mapped = (ids) => [{ source: "category", target: ids[0] }, { source: "page_url", target: ids[1] }, { source: "plan", target: "tag" }];
  await site("zd", {
    connector: "zendesk",
    zendesk: { base_url: zendesk.url, token_secret: "ZENDESK_API_TOKEN", email: zendesk.email, webhook_secret: "ZENDESK_WEBHOOK_SECRET" },
    fields: mapped(["360000111", "360000222"]),
  });
  await site("fd", {
    connector: "freshdesk",
    freshdesk: { base_url: freshdesk.url, token_secret: "FRESHDESK_API_KEY", webhook_secret: "FRESHDESK_WEBHOOK_SECRET", escalation_field: "cf_escalation_id" },
    fields: mapped(["cf_category", "cf_page_url"]),
  });
  await site("ic", {
    connector: "intercom",
    intercom: { base_url: intercom.url, token_secret: "INTERCOM_ACCESS_TOKEN", webhook_secret: "INTERCOM_CLIENT_SECRET", admin_id: "991267628", teams: { billing: "5017691" } },
    fields: mapped(["category", "page_url"]),
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await baton?.stop();
  await Promise.all([zendesk, freshdesk, intercom].map((f) => f?.close()));
});

/** A customer on a page of `siteId` who escalates a billing dispute from the widget. */
async function escalateInWidget(siteId) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.addInitScript((user) => {
    window.Baton = function () { (window.Baton.q = window.Baton.q || []).push(arguments); };
    window.Baton("identify", user);
  }, CUSTOMER);
  await page.goto(`${baton.base}/embed.html?site=${siteId}`);
  await page.locator(".launcher").click();
  const input = page.getByLabel("Your message");
  await input.waitFor({ timeout: T });
  await input.fill("I was charged twice this month and I want a refund");
  await input.press("Enter");
  await page.locator("section.panel[data-status=queued]").waitFor({ timeout: T });
  const id = await page.evaluate((s) => JSON.parse(sessionStorage.getItem("baton:" + s)).id, siteId);
  const say = async (text) => { await input.fill(text); await input.press("Enter"); await page.locator(".msg.customer", { hasText: text }).waitFor({ timeout: T }); };
  return { ctx, page, id, say, errors, log: page.locator(".log") };
}

async function linkedTicket(id) {
  return until(async () => (await http.state(id)).json?.helpdesk, T, "the ticket to be linked to the conversation");
}

async function seesAgentReply(w, text, agent) {
  const msg = w.log.locator(".msg.agent", { hasText: text });
  await msg.waitFor({ timeout: T });
  assert.equal(await msg.locator(".who").textContent(), agent);
  await w.page.locator(`section.panel[data-status=with_agent]`).waitFor({ timeout: T });
}

async function seesResolved(w) {
  await w.page.locator("section.panel[data-status=resolved]").waitFor({ timeout: T });
  await w.log.locator(".msg.system", { hasText: "resolved" }).waitFor({ timeout: T });
}

test("Zendesk: one ticket with the mapped fields, an agent reply, solved, and a reopen", { timeout: 180_000 }, async () => {
  const w = await escalateInWidget("zd");
  const ext = `esc:${w.id}:1`;
  const ticket = await until(() => zendesk.ticketsByExternalId(ext).find((t) => t.comments.length >= 2), T, "the Zendesk ticket and its note");
  assert.equal(zendesk.ticketsByExternalId(ext).length, 1, "exactly one ticket");
  const user = zendesk.users.find((u) => u.email === CUSTOMER.email);
  assert.ok(user, "the requester was created or updated");
  assert.equal(user.external_id, CUSTOMER.user_id);
  assert.equal(ticket.requester_id, user.id, "the ticket links to the existing user");
  assert.equal(ticket.subject, "Billing dispute: I was charged twice this month and I want a refund");
  assert.equal(ticket.priority, "normal");
  assert.ok(ticket.tags.includes("baton") && ticket.tags.includes("billing") && ticket.tags.includes("pro"), JSON.stringify(ticket.tags));
  const field = (id) => ticket.custom_fields.find((f) => f.id === id)?.value;
  assert.equal(field(360000111), "billing");
  assert.match(field(360000222), new RegExp(`^${baton.base}/embed(\\.html)?\\?site=zd$`));
  assert.equal(ticket.comments[0].public, false, "the summary is the first, internal comment");
  assert.match(ticket.comments[0].body, /Ada Lovelace \(pro plan\)/);
  assert.equal(ticket.comments[1].public, false, "transcript and context are an internal note");
  assert.match(ticket.comments[1].body, /Customer: I was charged twice/);
  assert.match(ticket.comments[1].body, /Page: http/);
  const link = await linkedTicket(w.id);
  assert.equal(link.ticket_id, String(ticket.id));
  assert.equal(link.label, `Zendesk ticket #${ticket.id}`);

  let r = await hook("zendesk", "zd", zendeskWebhooks.signed(SECRETS.ZENDESK_WEBHOOK_SECRET, zendeskWebhooks.commentAdded({ ticketId: ticket.id, body: "Hi Ada, the second charge is refunded." })));
  assert.equal(r.status, 200, await r.text());
  await seesAgentReply(w, "the second charge is refunded", "Ana Agent");

  // While the ticket is open, the customer's messages reach it as public comments from them.
  await w.say("Thank you! When will I see it?");
  await until(() => ticket.comments.some((c) => c.public && c.body === "Thank you! When will I see it?" && c.author_id === user.id), T, "the follow-up on the ticket");

  zendesk.setStatus(ticket.id, "solved");
  r = await hook("zendesk", "zd", zendeskWebhooks.signed(SECRETS.ZENDESK_WEBHOOK_SECRET, zendeskWebhooks.statusChanged({ ticketId: ticket.id, current: "SOLVED", previous: "OPEN" })));
  assert.equal(r.status, 200, await r.text());
  await seesResolved(w);

  await w.say("Sorry, one more thing: the invoice is wrong too");
  await w.page.locator("section.panel[data-status=reopened]").waitFor({ timeout: T });
  await until(() => ticket.status === "open" && ticket.comments.some((c) => c.public && /invoice is wrong/.test(c.body)), T, "the ticket to reopen with the message");
  assert.equal(zendesk.ticketsByExternalId(ext).length, 1, "still one ticket");
  zendesk.assertNoViolations();
  assert.deepEqual(w.errors, []);
  await w.ctx.close();
});

test("Zendesk: a message after the ticket was closed opens a follow-up ticket, and the reply on it reaches the customer", { timeout: 180_000 }, async () => {
  const w = await escalateInWidget("zd");
  const ext = `esc:${w.id}:1`;
  const closed = await until(() => zendesk.ticketsByExternalId(ext).find((t) => t.comments.length >= 2), T, "the Zendesk ticket");
  await linkedTicket(w.id);
  // Solved, then closed by Zendesk days later: a closed ticket takes no more comments.
  zendesk.setStatus(closed.id, "solved");
  let r = await hook("zendesk", "zd", zendeskWebhooks.signed(SECRETS.ZENDESK_WEBHOOK_SECRET, zendeskWebhooks.statusChanged({ ticketId: closed.id, current: "SOLVED", previous: "OPEN" })));
  assert.equal(r.status, 200, await r.text());
  await seesResolved(w);
  zendesk.setStatus(closed.id, "closed");
  const commentsBefore = closed.comments.length;

  await w.say("It happened again on this month's invoice");
  await w.page.locator("section.panel[data-status=reopened]").waitFor({ timeout: T });
  const user = zendesk.users.find((u) => u.email === CUSTOMER.email);
  const followUp = await until(() => zendesk.tickets.find((t) => t.via_followup_source_id === closed.id), T, "the follow-up ticket");
  assert.equal(followUp.requester_id, user.id);
  assert.equal(followUp.status, "open");
  assert.equal(followUp.comments[0].public, true);
  assert.equal(followUp.comments[0].body, "It happened again on this month's invoice");
  assert.equal(followUp.comments[0].author_id, user.id, "the message is the customer's own");
  assert.match(followUp.subject, new RegExp(`^Follow-up to #${closed.id}: It happened again`));
  assert.deepEqual(closed.followup_ids, [followUp.id]);
  assert.equal(closed.comments.length, commentsBefore, "nothing was added to the closed ticket");
  const link = await until(async () => {
    const l = (await http.state(w.id)).json?.helpdesk;
    return l?.ticket_id === String(followUp.id) && l;
  }, T, "the conversation to follow the new ticket");
  assert.equal(link.label, `Zendesk ticket #${followUp.id}`);

  // The next message goes to the follow-up ticket as a comment, not into a second follow-up.
  await w.say("The invoice number is 2026-118");
  await until(() => followUp.comments.some((c) => c.public && c.body === "The invoice number is 2026-118"), T, "the second message on the follow-up ticket");
  assert.equal(zendesk.tickets.filter((t) => t.via_followup_source_id === closed.id).length, 1, "one follow-up ticket");

  // Agents answer on the follow-up ticket; the widget shows it.
  r = await hook("zendesk", "zd", zendeskWebhooks.signed(SECRETS.ZENDESK_WEBHOOK_SECRET, zendeskWebhooks.commentAdded({ ticketId: followUp.id, body: "Found it, Ada: refunded again." })));
  assert.equal(r.status, 200, await r.text());
  await seesAgentReply(w, "refunded again", "Ana Agent");
  zendesk.assertNoViolations();
  assert.deepEqual(w.errors, []);
  await w.ctx.close();
});

test("Freshdesk: one ticket with cf_ fields and a private note, a reply, resolved, and a reopen", { timeout: 180_000 }, async () => {
  const w = await escalateInWidget("fd");
  const ticket = await until(() => freshdesk.tickets.find((t) => t.custom_fields.cf_escalation_id === `esc:${w.id}:1` && t.notes.length >= 1), T, "the Freshdesk ticket and its note");
  assert.equal(freshdesk.tickets.filter((t) => t.custom_fields.cf_escalation_id === `esc:${w.id}:1`).length, 1, "exactly one ticket");
  assert.equal(ticket.email, CUSTOMER.email);
  assert.equal(ticket.status, 2);
  assert.equal(ticket.source, 7);
  assert.equal(ticket.priority, 2);
  assert.equal(ticket.custom_fields.cf_category, "billing");
  assert.match(ticket.custom_fields.cf_page_url, new RegExp(`^${baton.base}/embed(\\.html)?\\?site=fd$`));
  assert.ok(ticket.tags.includes("pro"));
  assert.match(ticket.description, /^<p>Ada Lovelace \(pro plan\)/);
  assert.equal(ticket.notes[0].private, true);
  assert.match(ticket.notes[0].body, /<strong>Customer<\/strong>: I was charged twice/);
  assert.equal((await linkedTicket(w.id)).ticket_id, String(ticket.id));

  const send = (payload) => hook("freshdesk", "fd", freshdeskWebhooks.signed(SECRETS.FRESHDESK_WEBHOOK_SECRET, payload));
  let r = await send(freshdeskWebhooks.reply({ ticketId: ticket.id, comment: "<div>Hello Ada, refund on its way.</div>", agentName: "Fran Agent" }));
  assert.equal(r.status, 200, await r.text());
  await seesAgentReply(w, "refund on its way", "Fran Agent");

  freshdesk.setStatus(ticket.id, 4);
  r = await send(freshdeskWebhooks.resolved({ ticketId: ticket.id }));
  assert.equal(r.status, 200, await r.text());
  await seesResolved(w);

  await w.say("It still shows two charges");
  await until(() => ticket.status === 2 && ticket.notes.some((n) => n.incoming && !n.private && n.body === "<p>It still shows two charges</p>" && n.user_id === ticket.requester_id), T, "the note from the customer and the reopen");
  freshdesk.assertNoViolations();
  await w.ctx.close();
});

test("Intercom: a conversation from the contact, a note, the team, attributes, a reply, closed, and a reopen", { timeout: 180_000 }, async () => {
  const known = intercom.addContact({ email: CUSTOMER.email, name: CUSTOMER.name });
  const w = await escalateInWidget("ic");
  const convo = await until(() => intercom.conversations.find((c) => c.custom_attributes.baton_escalation === `esc:${w.id}:1`), T, "the Intercom conversation with its attributes");
  assert.equal(intercom.conversations.filter((c) => c.contact_id === known.id).length, 1, "one conversation, from the existing contact");
  assert.equal(intercom.contacts.filter((c) => c.email === CUSTOMER.email).length, 1, "no duplicate contact");
  assert.equal(convo.parts[0].body, "I was charged twice this month and I want a refund");
  const note = convo.parts.find((p) => p.part_type === "note");
  assert.match(note.body, /Handoff summary/);
  assert.equal(convo.team_assignee_id, "5017691", "assigned to the billing queue's team");
  assert.equal(convo.custom_attributes.category, "billing");
  assert.equal(convo.title, "Billing dispute: I was charged twice this month and I want a refund");
  assert.match(convo.custom_attributes.page_url, /\/embed(\.html)?\?site=ic$/);
  assert.equal((await linkedTicket(w.id)).ticket_id, convo.id);

  const send = (payload) => hook("intercom", "ic", intercomWebhooks.signed(SECRETS.INTERCOM_CLIENT_SECRET, payload));
  let r = await send(intercomWebhooks.adminReplied({ conversationId: convo.id, body: "<p>Hi Ada, Ian here. Refunded.</p>", adminName: "Ian Agent" }));
  assert.equal(r.status, 200, await r.text());
  await seesAgentReply(w, "Ian here. Refunded.", "Ian Agent");

  convo.state = "closed";
  r = await send(intercomWebhooks.adminClosed({ conversationId: convo.id }));
  assert.equal(r.status, 200, await r.text());
  await seesResolved(w);

  await w.say("Wait, I have another question");
  await until(() => convo.state === "open" && convo.parts.some((p) => p.author.type === "user" && p.body === "Wait, I have another question" && p.author.id === known.id), T, "the customer's reply reopening the conversation");
  intercom.assertNoViolations();
  await w.ctx.close();
});

test("forged, tampered and replayed webhooks get 401 and change nothing; a repeat delivery is applied once", { timeout: 120_000 }, async () => {
  const c = await http.start("zd", { name: "Sam", email: "sam@example.com" });
  await http.send(c, "I want to talk to a real person");
  const { ticket_id } = await linkedTicket(c.id);
  const agentMessages = async () => (await http.state(c.id)).json.events.filter((e) => e.kind === "message" && e.author === "agent").length;
  const reply = zendeskWebhooks.commentAdded({ ticketId: ticket_id, body: "Forged hello" });

  const wrongSecret = zendeskWebhooks.signed("not-the-secret", reply);
  let r = await hook("zendesk", "zd", wrongSecret);
  assert.equal(r.status, 401);
  let j = await r.json();
  assert.equal(j.error.code, "invalid_signature");
  assert.match(j.error.message, /signature mismatch/);

  const tampered = zendeskWebhooks.signed(SECRETS.ZENDESK_WEBHOOK_SECRET, reply);
  tampered.body = tampered.body.replace("Forged hello", "Tampered hello");
  assert.equal((await hook("zendesk", "zd", tampered)).status, 401);

  const old = new Date(Date.now() - 10 * 60_000).toISOString().replace(/\.\d+Z$/, "Z");
  r = await hook("zendesk", "zd", zendeskWebhooks.signed(SECRETS.ZENDESK_WEBHOOK_SECRET, reply, { timestamp: old }));
  assert.equal(r.status, 401);
  assert.match((await r.json()).error.message, /replay window/);

  const unsigned = { headers: { "Content-Type": "application/json" }, body: JSON.stringify(reply) };
  r = await hook("zendesk", "zd", unsigned);
  assert.equal(r.status, 401);
  assert.match((await r.json()).error.message, /missing X-Zendesk-Webhook-Signature/);

  r = await hook("intercom", "ic", intercomWebhooks.signed("wrong", intercomWebhooks.adminClosed({ conversationId: "499" })));
  assert.equal(r.status, 401);
  r = await hook("freshdesk", "fd", freshdeskWebhooks.signed("wrong", freshdeskWebhooks.resolved({ ticketId: 77 })));
  assert.equal(r.status, 401);
  r = await hook("freshdesk", "fd", { headers: { "Content-Type": "application/json" }, body: JSON.stringify(freshdeskWebhooks.resolved({ ticketId: 77 })) });
  assert.equal(r.status, 401);
  assert.equal(await agentMessages(), 0, "nothing reached the conversation");
  assert.equal((await http.state(c.id)).json.status, "queued");

  // The genuine delivery, sent twice (vendors retry): shown once.
  const genuine = zendeskWebhooks.signed(SECRETS.ZENDESK_WEBHOOK_SECRET, reply);
  assert.equal((await hook("zendesk", "zd", genuine)).status, 200);
  r = await hook("zendesk", "zd", genuine);
  assert.equal(r.status, 200);
  assert.match((await r.json()).ignored, /already applied/);
  assert.equal(await agentMessages(), 1);

  // A ticket Baton did not create is acknowledged and ignored.
  r = await hook("zendesk", "zd", zendeskWebhooks.signed(SECRETS.ZENDESK_WEBHOOK_SECRET, zendeskWebhooks.commentAdded({ ticketId: 999999, body: "other" })));
  assert.equal(r.status, 200);
  assert.match((await r.json()).ignored, /no Baton conversation/);
});

test("Zendesk answering 429 with Retry-After, then 500, still ends in exactly one ticket", { timeout: 120_000 }, async () => {
  // Earlier conversations' last steps first, so the injected failures hit this one.
  await until(() => zendesk.tickets.every((t) => t.comments.length >= 2), T, "earlier tickets to settle");
  await new Promise((r) => setTimeout(r, 500));
  zendesk.clearRequests();
  zendesk.rateLimitNext(1, 2);
  zendesk.failNext(1);
  const c = await http.start("zd", { name: "Lee", email: "lee@example.com" });
  await http.send(c, "I was charged twice, refund me");
  const ext = `esc:${c.id}:1`;
  await until(() => zendesk.ticketsByExternalId(ext)[0]?.comments.length >= 2, 30_000, "the ticket after the retries");
  const users = zendesk.requests.filter((q) => q.path === "/api/v2/users/create_or_update.json" || q.path === "/api/v2/users/create_or_update");
  assert.deepEqual(users.map((q) => q.status), [429, 500, 201]);
  assert.ok(users[1].at - users[0].at >= 1900, `Retry-After: 2 was honoured (${users[1].at - users[0].at} ms)`);
  assert.equal(zendesk.ticketsByExternalId(ext).length, 1, "exactly one ticket");
  assert.equal(zendesk.requests.filter((q) => q.method === "POST" && /\/api\/v2\/tickets(\.json)?$/.test(q.path)).length, 1, "one create call");
  assert.ok((await http.inbox("zd")).json.some((e) => e.id === c.id), "the built-in inbox has it too");
  zendesk.assertNoViolations();
});
