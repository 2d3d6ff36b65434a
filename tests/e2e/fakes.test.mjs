// The fake vendor servers themselves: valid requests (shaped as Baton's connectors send them)
// pass validation against each vendor's published description; invalid ones are flagged;
// injected 500s, 429s and hangs work and leave no trace in the fake's data.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startAllFakes, zendeskWebhooks, intercomWebhooks, signStandard } from "../fakes/index.mjs";

const fakes = await startAllFakes({ zendesk: { customFields: [360000111] }, freshdesk: { customFields: ["cf_tier", "cf_escalation_id"] }, intercom: { attributes: ["baton_escalation", "ai_confidence"] } });
after(() => fakes.close());

const basic = (u, p) => "Basic " + Buffer.from(`${u}:${p}`).toString("base64");
async function call(fake, method, path, body, headers = {}) {
  const r = await fetch(fake.url + path, {
    method,
    headers: body === undefined ? headers : { "Content-Type": "application/json; charset=utf-8", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch {}
  return { status: r.status, json, text, headers: r.headers };
}
const last = (fake) => fake.requests.at(-1);

test("zendesk: Baton's requests validate against Zendesk's OpenAPI; one ticket per idempotency key", async () => {
  const z = fakes.zendesk;
  const auth = { Authorization: basic(`${z.email}/token`, z.token) };
  const user = await call(z, "POST", "/api/v2/users/create_or_update.json", { user: { name: "Ada Lovelace", email: "ada@example.com", external_id: "u-42", role: "end-user" } }, auth);
  assert.equal(user.status, 201);
  assert.deepEqual(last(z).violations, []);
  const again = await call(z, "POST", "/api/v2/users/create_or_update.json", { user: { name: "Ada", email: "ada@example.com", role: "end-user" } }, auth);
  assert.equal(again.status, 200);
  assert.equal(again.json.user.id, user.json.user.id);

  const ticket = { ticket: { subject: "Billing dispute", comment: { body: "Summary", public: false }, requester_id: user.json.user.id, priority: "high", type: "question", tags: ["baton"], custom_fields: [{ id: 360000111, value: "enterprise" }], external_id: "esc:c1:1" } };
  const created = await call(z, "POST", "/api/v2/tickets.json", ticket, { ...auth, "Idempotency-Key": "esc:c1:1" });
  assert.equal(created.status, 201);
  assert.match(created.headers.get("location"), /\/api\/v2\/tickets\/\d+\.json$/);
  assert.equal(created.headers.get("x-idempotency-lookup"), "miss");
  assert.ok(created.headers.get("x-rate-limit-remaining"));
  const replay = await call(z, "POST", "/api/v2/tickets.json", ticket, { ...auth, "Idempotency-Key": "esc:c1:1" });
  assert.equal(replay.headers.get("x-idempotency-lookup"), "hit");
  assert.equal(replay.json.ticket.id, created.json.ticket.id);
  const mismatch = await call(z, "POST", "/api/v2/tickets.json", { ticket: { ...ticket.ticket, subject: "other" } }, { ...auth, "Idempotency-Key": "esc:c1:1" });
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.json.error, "IdempotentRequestError");
  assert.equal(z.ticketsByExternalId("esc:c1:1").length, 1);

  const id = created.json.ticket.id;
  const note = await call(z, "PUT", `/api/v2/tickets/${id}.json`, { ticket: { comment: { body: "Transcript", public: false } } }, auth);
  assert.equal(note.status, 200);
  const search = await call(z, "GET", `/api/v2/search.json?query=${encodeURIComponent('type:ticket external_id:"esc:c1:1"')}`, undefined, auth);
  assert.equal(search.json.results[0].id, id);
  const missing = await call(z, "PUT", "/api/v2/tickets/999999.json", { ticket: { comment: { body: "x", public: true } } }, auth);
  assert.equal(missing.status, 404);
  z.assertNoViolations();
  assert.equal(z.tickets.find((t) => t.id === id).comments.length, 2);
});

test("zendesk: invalid requests are flagged and refused", async () => {
  const z = fakes.zendesk;
  const auth = { Authorization: basic(`${z.email}/token`, z.token) };
  const before = z.tickets.length;
  const bad = await call(z, "POST", "/api/v2/tickets.json", { ticket: { subject: "x", priority: "extreme", colour: "red", comment: { body: "b" }, requester: { email: "a@b.c" }, custom_fields: [{ id: 1, value: "v" }] } }, auth);
  assert.equal(bad.status, 422);
  const v = last(z).violations.join("\n");
  assert.match(v, /priority must be equal to one of the allowed values/);
  assert.match(v, /ticket\.colour is not in the vendor's schema/);
  assert.match(v, /comment\.public must always be sent/);
  assert.match(v, /Idempotency-Key/);
  assert.match(v, /custom field id 1 does not exist/);
  const noauth = await call(z, "POST", "/api/v2/users/create_or_update.json", { user: { name: "x", email: "x@y.z" } });
  assert.equal(noauth.status, 401);
  const wrongPath = await call(z, "DELETE", "/api/v2/tickets/1.json", undefined, auth);
  assert.equal(wrongPath.status, 404);
  assert.match(last(z).violations.join(), /not allowed|no operation/);
  assert.equal(z.tickets.length, before);
  z.clearRequests();
});

test("failure injection: 500, 429 + Retry-After, hang; nothing is created by a failed call", async () => {
  const z = fakes.zendesk;
  const auth = { Authorization: basic(`${z.email}/token`, z.token), "Idempotency-Key": "esc:fail:1" };
  const body = { ticket: { subject: "s", comment: { body: "b", public: false }, requester: { name: "A", email: "a@b.c" }, external_id: "esc:fail:1" } };
  z.failNext(1);
  z.rateLimitNext(1, 7);
  z.hangNext(1);
  assert.equal(z.pendingFailures, 3);
  assert.equal((await call(z, "POST", "/api/v2/tickets.json", body, auth)).status, 500);
  const limited = await call(z, "POST", "/api/v2/tickets.json", body, auth);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "7");
  await assert.rejects(fetch(z.url + "/api/v2/tickets.json", { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(300) }), /TimeoutError|aborted/);
  assert.equal(z.ticketsByExternalId("esc:fail:1").length, 0);
  // Failed requests are still validated and recorded.
  assert.equal(z.requests.filter((r) => r.path === "/api/v2/tickets.json").length, 3);
  assert.deepEqual(z.requests.map((r) => r.status), [500, 429, "hang"]);
  const ok = await call(z, "POST", "/api/v2/tickets.json", body, auth);
  assert.equal(ok.status, 201);
  assert.equal(z.ticketsByExternalId("esc:fail:1").length, 1);
  z.assertNoViolations();
  // Other fakes share the mechanism.
  fakes.slack.rateLimitNext(1, 3, { ok: false, error: "ratelimited" });
  const s = await call(fakes.slack, "POST", "/api/chat.postMessage", { channel: "C123ABC456", text: "x" }, { Authorization: "Bearer xoxb-test-token" });
  assert.equal(s.status, 429);
  assert.equal(s.json.error, "ratelimited");
});

test("freshdesk: documented contract", async () => {
  const f = fakes.freshdesk;
  const auth = { Authorization: basic(f.apiKey, "X") };
  const created = await call(f, "POST", "/api/v2/tickets", { email: "ada@example.com", name: "Ada", subject: "Refund", description: "<p>Charged twice &amp; upset</p>", status: 2, priority: 4, source: 7, tags: ["baton"], custom_fields: { cf_tier: "gold", cf_escalation_id: "esc:c1:1" } }, auth);
  assert.equal(created.status, 201);
  assert.match(created.headers.get("location"), /\/api\/v2\/tickets\/\d+$/);
  assert.ok(created.headers.get("x-ratelimit-remaining"));
  const id = created.json.id;
  const note = await call(f, "POST", `/api/v2/tickets/${id}/notes`, { body: "<p>Transcript</p>", private: true }, auth);
  assert.equal(note.status, 201);
  assert.equal(note.json.private, true);
  assert.equal((await call(f, "PUT", `/api/v2/tickets/${id}`, { status: 2 }, auth)).status, 200);
  f.assertNoViolations();
  assert.equal(f.tickets.length, 1);
  assert.equal(f.tickets[0].notes.length, 1);

  const bad = await call(f, "POST", "/api/v2/tickets", { email: "ada@example.com", subject: "x", description: "<script>x</script>", status: 9, priority: 1, source: 7, custom_fields: { cf_nope: 1, tier: 2 } }, auth);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.description, "Validation failed");
  assert.ok(bad.json.errors.some((e) => e.code === "invalid_field" && e.field === "cf_nope"));
  const v = last(f).violations.join("\n");
  assert.match(v, /status 9/);
  assert.match(v, /cf_ name/);
  assert.match(v, /unescaped <script>/);
  assert.equal((await call(f, "POST", "/api/v2/tickets", {}, { Authorization: basic(f.apiKey, "password") })).status, 401);
  assert.equal(f.tickets.length, 1);
  f.clearRequests();
});

test("intercom: Baton's requests validate against Intercom's OpenAPI", async () => {
  const i = fakes.intercom;
  const h = { Authorization: `Bearer ${i.token}`, "Intercom-Version": "2.16", Accept: "application/json" };
  const none = await call(i, "POST", "/contacts/search", { query: { field: "email", operator: "=", value: "ada@example.com" } }, h);
  assert.deepEqual(none.json.data, []);
  const contact = await call(i, "POST", "/contacts", { role: "user", external_id: "u-42", email: "ada@example.com", name: "Ada" }, h);
  assert.equal(contact.status, 200);
  const dup = await call(i, "POST", "/contacts", { role: "user", email: "ada@example.com" }, h);
  assert.equal(dup.status, 409);
  assert.match(dup.json.errors[0].message, new RegExp(`id=${contact.json.id}`));
  const conv = await call(i, "POST", "/conversations", { from: { type: "user", id: contact.json.id }, body: "I was charged twice" }, h);
  assert.equal(conv.json.type, "user_message");
  const cid = conv.json.conversation_id;
  for (const [path, body] of [
    [`/conversations/${cid}/reply`, { message_type: "note", type: "admin", admin_id: "991267628", body: "<p>Summary</p>" }],
    [`/conversations/${cid}/parts`, { message_type: "assignment", type: "team", admin_id: "991267628", assignee_id: "5017691", body: "Escalated by Baton" }],
    [`/conversations/${cid}/reply`, { message_type: "comment", type: "user", intercom_user_id: contact.json.id, body: "still there?" }],
  ]) assert.equal((await call(i, "POST", path, body, h)).status, 200, path);
  const attrs = await call(i, "PUT", `/conversations/${cid}`, { title: "Refund", custom_attributes: { baton_escalation: "esc:c1:1", ai_confidence: 42 } }, h);
  assert.equal(attrs.status, 200);
  i.assertNoViolations();
  const c = i.conversations.find((x) => x.id === cid);
  assert.equal(c.team_assignee_id, "5017691");
  assert.equal(c.custom_attributes.ai_confidence, 42);

  const bad = await call(i, "POST", `/conversations/${cid}/parts`, { message_type: "assignment", type: "group", admin_id: "991267628", assignee_id: "5017691" }, { ...h, "Intercom-Version": "9.9" });
  assert.equal(bad.status, 400);
  const v = last(i).violations.join("\n");
  assert.match(v, /Intercom-Version/);
  assert.match(v, /oneOf|allowed values/);
  const badAttr = await call(i, "PUT", `/conversations/${cid}`, { custom_attributes: { unknown_attr: "x" } }, h);
  assert.equal(badAttr.status, 400);
  assert.equal((await call(i, "POST", "/conversations", { from: { type: "user", id: "x" }, body: "hi" }, { ...h, Authorization: "Bearer nope" })).status, 401);
  i.clearRequests();
});

test("slack, linear, hubspot, webhook receiver", async () => {
  const s = fakes.slack;
  const blocks = [
    { type: "header", text: { type: "plain_text", text: "Billing dispute", emoji: false } },
    { type: "section", text: { type: "mrkdwn", text: "Charged twice" } },
    { type: "section", fields: [{ type: "mrkdwn", text: "*Priority:*\nHigh" }] },
    { type: "actions", block_id: "baton_actions", elements: [{ type: "button", action_id: "open_conversation", style: "primary", text: { type: "plain_text", text: "Open conversation" }, url: "http://127.0.0.1:1/inbox" }] },
  ];
  const posted = await call(s, "POST", "/api/chat.postMessage", { channel: "C123ABC456", text: "New escalation", blocks, unfurl_links: false, unfurl_media: false }, { Authorization: `Bearer ${s.token}` });
  assert.equal(posted.json.ok, true);
  assert.match(posted.json.ts, /^\d+\.\d{6}$/);
  s.assertNoViolations();
  assert.equal(s.messages.length, 1);
  const badSlack = await call(s, "POST", "/api/chat.postMessage", { channel: "C123ABC456", blocks: [{ type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } }], colour: "red" }, { Authorization: `Bearer ${s.token}` });
  assert.equal(badSlack.status, 200);
  assert.equal(badSlack.json.ok, false);
  assert.match(last(s).violations.join("\n"), /3001 chars[\s\S]*colour|colour[\s\S]*3001 chars/);
  s.clearRequests();

  const l = fakes.linear;
  const query = "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier url } } }";
  const input = { id: "6f1d2c1e-1111-4222-8333-444455556666", teamId: "9cfb482a-81e3-4154-b5b9-2c805e70a02d", title: "Checkout 500s", description: "Summary", priority: 2 };
  const issue = await call(l, "POST", "/graphql", { query, variables: { input } }, { Authorization: l.apiKey });
  assert.equal(issue.json.data.issueCreate.issue.identifier, "ENG-1");
  const dupIssue = await call(l, "POST", "/graphql", { query, variables: { input } }, { Authorization: l.apiKey });
  assert.equal(dupIssue.json.errors[0].extensions.code, "CONFLICT");
  l.assertNoViolations();
  assert.equal(l.issues.length, 1);
  const badQuery = await call(l, "POST", "/graphql", { query: "mutation { issueCreate(input: {teamId: \"x\", colour: \"red\"}) { success } }" }, { Authorization: l.apiKey });
  assert.equal(badQuery.status, 400);
  assert.match(last(l).violations.join(), /colour/);
  await call(l, "POST", "/graphql", { query, variables: { input: { ...input, priority: "high" } } }, { Authorization: l.apiKey });
  assert.match(last(l).violations.join(), /variables invalid/);
  l.clearRequests();

  const hs = fakes.hubspot;
  const contact = hs.addContact({ email: "ada@example.com" });
  const h = { Authorization: `Bearer ${hs.token}` };
  const found = await call(hs, "POST", "/crm/v3/objects/contacts/search", { filterGroups: [{ filters: [{ propertyName: "email", operator: "EQ", value: "ada@example.com" }] }], properties: ["email"], limit: 1 }, h);
  assert.equal(found.json.results[0].id, contact.id);
  const note = await call(hs, "POST", "/crm/v3/objects/notes", { properties: { hs_timestamp: new Date().toISOString(), hs_note_body: "<p>Escalated</p>" }, associations: [{ to: { id: contact.id }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 202 }] }] }, h);
  assert.equal(note.status, 201);
  hs.assertNoViolations();
  assert.equal(hs.notesFor(contact.id).length, 1);
  const badNote = await call(hs, "POST", "/crm/v3/objects/notes", { properties: { hs_note_body: "x" }, associations: [] }, h);
  assert.equal(badNote.status, 400);
  assert.equal(badNote.json.category, "VALIDATION_ERROR");
  hs.clearRequests();

  const w = fakes.webhook;
  const body = JSON.stringify({ type: "handoff.escalated", timestamp: new Date().toISOString(), data: { conversation: "c1" } });
  const ts = String(Math.floor(Date.now() / 1000));
  const good = await fetch(w.hookUrl, { method: "POST", headers: { "Content-Type": "application/json", "webhook-id": "msg_1", "webhook-timestamp": ts, "webhook-signature": signStandard(w.secret, "msg_1", ts, body) }, body });
  assert.equal(good.status, 204);
  await fetch(w.hookUrl, { method: "POST", headers: { "Content-Type": "application/json", "webhook-id": "msg_1", "webhook-timestamp": ts, "webhook-signature": signStandard(w.secret, "msg_1", ts, body) }, body });
  assert.equal(w.deliveries.length, 2);
  assert.equal(w.uniqueDeliveries().length, 1);
  w.assertNoViolations();
  const forged = await fetch(w.hookUrl, { method: "POST", headers: { "Content-Type": "application/json", "webhook-id": "msg_2", "webhook-timestamp": ts, "webhook-signature": "v1,AAAA" }, body });
  assert.equal(forged.status, 400);
  assert.match(last(w).violations.join(), /does not verify/);
  w.clearRequests();
});

test("webhook builders sign as the vendors do", () => {
  // Zendesk: the derived vector in signature-vectors.json.
  assert.equal(zendeskWebhooks.sign("dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==", "2021-03-25T05:09:27Z", '{"event":"ticket.updated","id":123}'), "S/RDdU2ERmj7LHDDoWJ2onPYH+t7/f2+LTM4dL7UiLM=");
  assert.equal(intercomWebhooks.sign("test_client_secret", '{"type":"notification_event","topic":"ping"}'), "sha1=59dc376710f2bb3f57a9fdb4921361641556cfb1");
  assert.equal(signStandard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", '{"test": 2432232314}'), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  const d = zendeskWebhooks.signed("s3cret", zendeskWebhooks.commentAdded({ ticketId: 5001, body: "Hi" }));
  assert.equal(d.headers["x-zendesk-webhook-signature"], zendeskWebhooks.sign("s3cret", d.headers["x-zendesk-webhook-signature-timestamp"], d.body));
  assert.equal(JSON.parse(d.body).event.comment.author.is_staff, true);
});

test("every request Baton's Rust connectors build validates against the vendor's description", async () => {
  // Written by shared/tests/connector_descriptors.rs (kept current by that test).
  const { readFileSync } = await import("node:fs");
  const list = JSON.parse(readFileSync(new URL("../fakes/fixtures/descriptors.json", import.meta.url), "utf8"));
  const fresh = await startAllFakes({ zendesk: { customFields: [360000111] }, freshdesk: { customFields: ["cf_tier", "cf_escalation_id"] }, intercom: { attributes: ["baton_escalation", "ai_confidence"] } });
  try {
    const contact = fresh.intercom.addContact({ email: "ada@example.com" });
    fresh.hubspot.addContact({ email: "ada@example.com" });
    const vendors = new Set();
    for (const d of list) {
      const fake = fresh[d.vendor];
      const body = d.body.replaceAll("000000000000000000000000", contact.id);
      const r = await fetch(fake.url + d.path, { method: d.method, headers: d.headers, body: d.method === "GET" ? undefined : body });
      const rec = fake.requests.at(-1);
      assert.deepEqual(rec.violations, [], `${d.vendor} ${d.name}: ${rec.violations.join("; ")}`);
      assert.ok(r.status >= 200 && r.status < 300, `${d.vendor} ${d.name}: HTTP ${r.status} ${await r.text()}`);
      vendors.add(d.vendor);
    }
    assert.deepEqual([...vendors].sort(), ["freshdesk", "hubspot", "intercom", "linear", "slack", "zendesk"]);
    fresh.assertNoViolations();
    // The effects landed: exactly one ticket per escalation, with the mapped fields.
    assert.equal(fresh.zendesk.ticketsByExternalId("esc:c1:1").length, 1);
    const zt = fresh.zendesk.ticketsByExternalId("esc:c1:1")[0];
    assert.deepEqual(zt.custom_fields, [{ id: 360000111, value: "enterprise" }]);
    assert.equal(zt.priority, "high");
    assert.equal(zt.status, "open");
    assert.equal(zt.comments.length, 3);
    assert.equal(fresh.freshdesk.tickets.length, 1);
    assert.equal(fresh.freshdesk.tickets[0].custom_fields.cf_escalation_id, "esc:c1:1");
    const conv = fresh.intercom.conversations[0];
    assert.equal(conv.team_assignee_id, "5017691");
    assert.equal(conv.custom_attributes.baton_escalation, "esc:c1:1");
    assert.equal(fresh.slack.messages.length, 1);
    assert.equal(fresh.linear.issues.length, 1);
    assert.equal(fresh.hubspot.notes.length, 1);
  } finally {
    await fresh.close();
  }
});
