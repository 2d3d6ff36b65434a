// The pluggable AI responders on the real worker: an OpenAI-compatible endpoint and a site's own
// bot (fakes on 127.0.0.1 that check every request). A good answer reaches the customer; a
// low-confidence, timed-out, failed or unreadable one becomes the honest fallback and counts as
// a failed AI attempt, so two of them in a row escalate by the soft triggers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startBaton, ROOT } from "./harness.mjs";
import { api, live } from "./api.mjs";
import { startOpenAi } from "../fakes/openai.mjs";
import { startBot } from "../fakes/bot.mjs";
import { newWebhookSecret } from "../fakes/webhook.mjs";

let baton, http, model, bot, openBot;
const demo = () => JSON.parse(readFileSync(join(ROOT, "config/sites/demo.json"), "utf8"));
const NO_ANSWER = demo().messages.en.no_answer; // the demo's own words for "not sure"
const UNAVAILABLE = "Sorry, I couldn't get an answer just now. You can try again, or ask for a person and I'll bring one in.";
const BOT_SECRET = newWebhookSecret();

const site = (id, ai) => http.site(id, (doc) => Object.assign(doc.ai, ai));

before(async () => {
  model = await startOpenAi({
    answer: (r) => {
      const last = r.json.messages.at(-1).content;
      if (/trial/i.test(last)) return { answer: "The Pro trial lasts 14 days.", confidence: 0.8, intent: "sales", resolved: true };
      return { answer: "Pro is $29 per seat per month (the model says).", confidence: 0.92, intent: "sales" };
    },
  });
  bot = await startBot({ secret: BOT_SECRET, answer: () => ({ answer: "Your invoices are under Billing (the site's bot).", confidence: 0.85, intent: "billing" }) });
  openBot = await startBot({ secret: null });
  baton = await startBaton({ vars: { OPENAI_TEST_KEY: model.key, BOT_SECRET } });
  http = api(baton);
  const openai = (extra = {}) => ({ provider: "openai_compatible", openai: { base_url: model.baseUrl, model: model.model, api_key_secret: "OPENAI_TEST_KEY", timeout_ms: 1500, ...extra } });
  await site("ai-model", openai());
  await site("ai-nokey", openai({ api_key_secret: "KEY_NOBODY_SET" }));
  await site("ai-bot", { provider: "webhook", webhook: { url: bot.botUrl, secret_name: "BOT_SECRET", timeout_ms: 1500 } });
  await site("ai-open-bot", { provider: "webhook", webhook: { url: openBot.botUrl, secret_name: "" } });
});
after(async () => {
  await baton?.stop();
  await model?.close();
  await bot?.close();
  await openBot?.close();
});

const aiMessages = async (id) => (await http.state(id)).json.events.filter((e) => e.kind === "message" && e.author === "ai").map((e) => e.text);

test("the model's answer reaches the customer, asked with the site's knowledge, the history and JSON mode", async () => {
  model.clearRequests();
  const c = await http.start("ai-model", { name: "Kim" });
  const ch = live(baton, c);
  await ch.opened;
  let r = await http.send(c, "How much is the Pro plan?");
  assert.equal(r.status, 200, r.text);
  const first = await ch.next((e) => e.kind === "message" && e.author === "ai");
  assert.equal(first.text, "Pro is $29 per seat per month (the model says).");
  r = await http.send(c, "And how long is the trial?");
  assert.equal(r.status, 200, r.text);
  await ch.next((e) => e.kind === "message" && e.author === "ai" && e.text === "The Pro trial lasts 14 days.");
  ch.close();

  model.assertNoViolations();
  assert.equal(model.requests.length, 2, "one model call per customer message");
  const [req] = model.requests;
  assert.equal(req.path, "/v1/chat/completions");
  assert.equal(req.headers.authorization, `Bearer ${model.key}`);
  assert.equal(req.json.model, model.model);
  assert.deepEqual(req.json.response_format, { type: "json_object" });
  const [system, ...rest] = req.json.messages;
  assert.equal(system.role, "system");
  assert.match(system.content, /support assistant of Acme Cloud/);
  assert.match(system.content, /Pro at \$29 per seat per month/, "the site's FAQ travels as knowledge");
  assert.match(system.content, /JSON/);
  assert.deepEqual(rest, [{ role: "user", content: "How much is the Pro plan?" }]);
  assert.deepEqual(model.conversations()[1].slice(1), [
    { role: "user", content: "How much is the Pro plan?" },
    { role: "assistant", content: "Pro is $29 per seat per month (the model says)." },
    { role: "user", content: "And how long is the trial?" },
  ], "the second call carries the history");

  const s = (await http.state(c.id)).json;
  assert.equal(s.status, "ai_mode");
  assert.ok(!JSON.stringify(s).includes(model.key), "the key never shows up in a conversation");
});

test("a low-confidence answer and then a timeout: the honest fallbacks, counted, and the second escalates", async () => {
  model.clearRequests();
  model.answerNext({ answer: "Maybe try turning it off and on?", confidence: 0.1, intent: "technical" });
  const c = await http.start("ai-model", { name: "Lou" });
  const ch = live(baton, c);
  await ch.opened;

  await http.send(c, "Can I export my data to S3?");
  const low = await ch.next((e) => e.kind === "message" && e.author === "ai");
  assert.equal(low.text, NO_ANSWER, "a guess below the confidence floor is not passed on");
  let s = (await http.state(c.id)).json;
  assert.equal(s.status, "ai_mode", "one failed answer alone does not escalate");
  const d1 = s.decisions.at(-1);
  assert.equal(d1.escalate, false);
  assert.deepEqual(d1.signals.find((x) => x.id === "failed_attempts").value, 1);
  assert.ok(d1.signals.find((x) => x.id === "low_confidence").fired);

  model.hangNext(1);
  await http.send(c, "Which regions do you store data in?");
  const late = await ch.next((e) => e.kind === "message" && e.author === "ai" && e.seq > low.seq);
  assert.equal(late.text, UNAVAILABLE, "a timed-out model gets the unavailable fallback");
  await ch.next((e) => e.kind === "status" && e.status === "queued");
  ch.close();
  s = (await http.state(c.id)).json;
  assert.equal(s.escalation.trigger, "soft");
  assert.match(s.reason, /^escalated: score 0\.6 ≥ 0\.6: 2 failed answer\(s\), low AI confidence \(0\.00\)/);
  assert.ok((await http.inbox("ai-model")).json.some((e) => e.id === c.id), "the escalation reaches the inbox");
  assert.equal(model.requests.length, 2);
  model.assertNoViolations();
});

test("an unreadable answer, an error status and a missing key each give the fallback and count as failed", async () => {
  model.clearRequests();
  const cases = [
    ["ai-model", () => model.answerNext("Sure! Pro costs $29.")],            // not the JSON asked for
    ["ai-model", () => model.answerNext('{"answer": "Pro is $2')],          // truncated JSON
    ["ai-model", () => model.answerNext({ answer: "Pro is $29." })],       // no confidence
    ["ai-model", () => model.failNext(1, { status: 503, body: { error: { message: "overloaded", type: "server_error" } } })],
    ["ai-nokey", () => {}],                                                  // the named secret is not set
  ];
  for (const [siteId, arrange] of cases) {
    arrange();
    const c = await http.start(siteId, { name: "Sam" });
    const r = await http.send(c, "How much is the Pro plan?");
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await aiMessages(c.id), [UNAVAILABLE], `${siteId}: fallback`);
    const d = (await http.state(c.id)).json.decisions.at(-1);
    assert.equal(d.signals.find((x) => x.id === "failed_attempts").value, 1, `${siteId}: counted as a failed attempt`);
  }
  assert.equal(model.requests.length, 4, "the site without a key never calls the model");
  model.assertNoViolations();
  const m = await http.call("GET", "/v1/admin/sites/ai-model/metrics?days=1", undefined, baton.adminToken);
  assert.equal(m.json.total.ai_failures, 5, "1 timeout from the test before and 4 failures here");
});

test("the site's own bot answers over a signed webhook; its low confidence and timeouts fall back and escalate", async () => {
  const c = await http.start("ai-bot", { name: "Ari" });
  const ch = live(baton, c);
  await ch.opened;
  await http.send(c, "Where do I find my invoices?");
  const good = await ch.next((e) => e.kind === "message" && e.author === "ai");
  assert.equal(good.text, "Your invoices are under Billing (the site's bot).");
  const [req] = bot.requests;
  assert.equal(req.json.conversation_id, c.id);
  assert.equal(req.json.message, "Where do I find my invoices?");
  assert.deepEqual(req.json.transcript, []);
  assert.equal(req.headers["webhook-id"], `${c.id}-ai-1`);

  bot.answerNext({ answer: null, confidence: 0.05 }); // the bot has nothing to say
  await http.send(c, "Can I pay by bank transfer?");
  await ch.next((e) => e.kind === "message" && e.author === "ai" && e.text === NO_ANSWER);
  bot.hangNext(1);
  await http.send(c, "What about cheques?");
  await ch.next((e) => e.kind === "message" && e.author === "ai" && e.text === UNAVAILABLE);
  await ch.next((e) => e.kind === "status" && e.status === "queued");
  ch.close();
  assert.deepEqual(bot.requests[1].json.transcript, [
    { role: "customer", text: "Where do I find my invoices?" },
    { role: "ai", text: "Your invoices are under Billing (the site's bot)." },
  ], "the bot gets the conversation so far");
  const s = (await http.state(c.id)).json;
  assert.match(s.reason, /2 failed answer\(s\)/);
  assert.equal(s.escalation.category, "billing", "a soft escalation is about what the bot said it was");
  assert.equal(s.topic, "your billing question");
  bot.assertNoViolations();
});

test("a bot with no secret named gets unsigned requests", async () => {
  const c = await http.start("ai-open-bot", {});
  await http.send(c, "hello there");
  assert.deepEqual(await aiMessages(c.id), ["Hello from the bot."]);
  assert.equal(openBot.requests.length, 1);
  openBot.assertNoViolations();
});

test("a chosen provider without its settings, or with a key in place of a secret name, is refused", async () => {
  const doc = demo();
  doc.site.id = "ai-bad";
  doc.ai.provider = "openai_compatible";
  let r = await http.call("PUT", "/v1/admin/sites/ai-bad/config", doc, baton.adminToken);
  assert.equal(r.status, 422);
  assert.ok(r.json.error.details.some((d) => d.startsWith("ai.openai: provider is openai_compatible")), r.text);
  doc.ai.openai = { base_url: model.baseUrl, model: "m", api_key_secret: model.key };
  r = await http.call("PUT", "/v1/admin/sites/ai-bad/config", doc, baton.adminToken);
  assert.equal(r.status, 422);
  assert.ok(r.json.error.details.some((d) => d.startsWith("ai.openai.api_key_secret")), r.text);
});
