// The live channel: sequence numbers, resume after a drop, exactly-once delivery to the widget
// across a worker restart, CSAT and erasure.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBaton, launchBrowser } from "./harness.mjs";
import { api, live } from "./api.mjs";

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
const texts = (events, author) => events.filter((e) => e.kind === "message" && (!author || e.author === author)).map((e) => e.text);

test("events are numbered without gaps and `since` resumes exactly after the last one seen", async () => {
  const c = await http.start();
  const a = live(baton, c);
  await a.opened;
  await http.send(c, "How much is the Pro plan?");
  await http.send(c, "Where can I download invoices?");
  await a.next((e) => e.kind === "message" && e.author === "ai" && /Invoices are under/.test(e.text));
  a.close();
  const seqs = a.events.map((e) => e.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1), "1, 2, 3, ... with no gap or repeat");

  // Missed while away: a talk-to-a-person escalation.
  await http.send(c, "let me speak to a human please");
  const seen = seqs.length;
  const b = live(baton, c, seen);
  await b.next((e) => e.kind === "status" && e.status === "queued");
  assert.equal(b.events[0].seq, seen + 1, "the backlog starts right after what the client had");
  assert.deepEqual(texts(b.events, "customer"), ["let me speak to a human please"]);
  b.close();

  // A resend with the same client id is stored once.
  await http.send(c, "are you there?", "dup-1");
  await http.send(c, "are you there?", "dup-1");
  const st = await http.state(c.id);
  assert.equal(texts(st.json.events, "customer").filter((t) => t === "are you there?").length, 1);
});

test("a widget whose socket drops during a worker restart gets every missed event exactly once", { timeout: 180_000 }, async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const sockets = [];
  page.on("websocket", (ws) => { sockets.push(ws); ws.on("close", () => { ws.closedAt = Date.now(); }); });
  await page.goto(baton.base + "/");
  await page.locator(".launcher").click();
  const input = page.getByLabel("Your message");
  await input.fill("I want to talk to a real person");
  await input.press("Enter");
  const log = page.locator(".log");
  await log.locator(".msg.system", { hasText: "repeat yourself" }).waitFor({ timeout: T });

  const inbox = await http.inbox();
  const mine = inbox.json.find((e) => e.last_message === "I want to talk to a real person");
  assert.ok(mine, "the conversation is in the inbox");
  assert.equal((await http.agent("reply", mine.id, { text: "reply one" })).status, 200);
  await log.locator(".msg.agent", { hasText: "reply one" }).waitFor({ timeout: T });

  await baton.restart();
  assert.ok(sockets[0].closedAt, "the restart dropped the widget's socket");
  // The widget is disconnected now; these happen while it is away or reconnecting.
  assert.equal((await http.agent("reply", mine.id, { text: "reply two" })).status, 200);
  assert.equal((await http.agent("reply", mine.id, { text: "reply three" })).status, 200);
  await input.fill("still here");
  await input.press("Enter");

  await log.locator(".msg.agent", { hasText: "reply three" }).waitFor({ timeout: 60_000 });
  const transcript = await http.state(mine.id);
  await page.waitForFunction(() => !document.querySelector("[data-baton]").shadowRoot.querySelector(".msg.sending"), null, { timeout: T });
  for (const t of ["reply one", "reply two", "reply three"]) {
    assert.equal(await log.locator(".msg.agent", { hasText: t }).count(), 1, `${t} shown once`);
  }
  assert.equal(await log.locator(".msg.customer", { hasText: "still here" }).count(), 1);
  const after = await http.state(mine.id);
  assert.equal(texts(after.json.events, "customer").filter((t) => t === "still here").length, 1, "stored once");
  assert.ok(transcript.json.events.length > 0);
  assert.ok(sockets.length >= 2, "the widget reconnected on a new socket");
  await ctx.close();
});

test("CSAT is accepted after a handoff and validated; erasure removes the conversation", async () => {
  const c = await http.start();
  await http.send(c, "How much is the Pro plan?");
  let r = await http.call("POST", `/v1/conversations/${c.id}/csat`, { token: c.token, score: 5 });
  assert.equal(r.status, 400, "no rating for an AI-only conversation");
  assert.equal(r.json.error.code, "no_handoff");

  await http.send(c, "I want to talk to a real person");
  await http.agent("claim", c.id);
  await http.agent("resolve", c.id);
  r = await http.call("POST", `/v1/conversations/${c.id}/csat`, { token: c.token, score: 9 });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, "score");
  r = await http.call("POST", `/v1/conversations/${c.id}/csat`, { token: c.token, score: 4, comment: "quick, thanks" });
  assert.equal(r.status, 200, r.text);
  assert.equal((await http.state(c.id)).json.csat.score, 4);
  r = await http.call("POST", `/v1/conversations/${c.id}/csat`, { token: c.token, score: 1 });
  assert.equal(r.status, 400, "a conversation is rated once, so the metrics count it once");
  assert.equal(r.json.error.code, "already_rated");
  assert.equal((await http.state(c.id)).json.csat.score, 4, "the first rating stays");

  r = await http.call("DELETE", `/v1/conversations/${c.id}?token=wrong`);
  assert.equal(r.status, 401);
  r = await http.call("DELETE", `/v1/conversations/${c.id}?token=${c.token}`);
  assert.equal(r.status, 204, r.text);
  assert.equal((await http.state(c.id)).status, 404);
  assert.ok(!(await http.inbox()).json.some((e) => e.id === c.id), "gone from the inbox too");
});
